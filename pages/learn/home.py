import streamlit as st

from yarn_core.app import lesson, nav, sidebar
from yarn_core.app.views import home as view

setting = sidebar.current()
s, L = setting.factor, setting.original_length
result = lesson.cached(view.method_map)(setting)
PAGES = {page.url_path: page for page in nav.APP_PAGES}

# (step, title, formula, what it fixes, what it costs, its lesson); the problem: what breaks, and why.
CARDS = (
    (
        "problem",
        "The problem",
        r"m\,\theta_i \text{ for } m \ge L",
        f"reading past L = {L:,} tokens",
        f"{result.unseen_pairs} slow pairs meet angles never seen in training",
        "extrapolation",
    ),
    (
        "pi",
        "Position Interpolation",
        r"\theta'_i = \theta_i / s",
        "positions mapped into the trained range",
        f"spacing shrinks by s = {s:g}; a short fine-tune",
        "interpolation",
    ),
    (
        "ntk_aware",
        "NTK-aware",
        r"b' = b\, s^{|D|/(|D|-2)}",
        f"base b' = {result.ntk_base:,.0f}: fast pairs as trained",
        "slow pairs a little out of range",
        "ntk_aware",
    ),
    (
        "ntk_by_parts",
        "NTK-by-parts",
        r"\theta'_i = (1-\gamma_i)\,\theta_i/s + \gamma_i\,\theta_i",
        f"keeps {result.kept_pairs} fast pairs, interpolates {result.interpolated_pairs} slow",
        "two thresholds, α and β",
        "ntk_by_parts",
    ),
    (
        "yarn",
        "YaRN",
        r"\sqrt{1/t} = 0.1 \ln s + 1",
        f"logits x{result.logit_multiplier:.3f} keep attention sharp",
        "one more factor; a short fine-tune",
        "yarn",
    ),
    (
        "dynamic",
        "Dynamic scaling",
        r"s' = \max(1,\ l'/L)",
        "short texts untouched; s grows with the text",
        "frequencies change as the text grows",
        "dynamic",
    ),
)
presenting = lesson.presenting()
intro, routes = lesson.columns([3, 2], vertical_alignment="bottom")
with intro:
    st.title("YaRN Explorer")
    lesson.narrative(
        f"How a RoPE model trained on **L = {L:,}** tokens reads **s = {s:g}** times more, in six steps: "
        "each with its formula and a live chart of the sidebar's settings. Click a step for its lesson."
    )

for row in (CARDS[:3], CARDS[3:]):  # row by row, so a phone stacks them in teaching order
    for column, (step, title, latex, fixes, costs, page) in zip(lesson.columns(3), row, strict=True):
        card = {"border": not presenting, "gap": "xxsmall", "key": f"home_card_{step}"}
        good, bad = ("Breaks", "Why") if step == "problem" else ("Fixes", "Costs")
        sentence = f"{good}: {fixes}. {bad}: {costs}."
        with column, st.container(**card), lesson.section(title, sentence, level=0):
            with lesson.stage():  # in presenter mode: under the chart
                st.page_link(
                    PAGES[page].script, label=f"**{PAGES[page].title}**", icon=":material/arrow_forward:"
                )
                lesson.formula(latex)
            figure = result.figures[step]
            lesson.thumbnail(figure, alt=figure.layout.title.text, key=f"map_{step}")
            st.caption(f"**{good}:** {fixes}. **{bad}:** {costs}.")

with (
    routes,
    lesson.section("Two routes", "A full class in 50 minutes, a taste in 15.", level=0),
    lesson.stage(),
):
    for minutes, stops in view.ROUTES.items():
        st.caption(
            f"**{minutes}-minute route:** "
            + " · ".join(f"{PAGES[stop.page].title.split('. ')[-1]} {stop.minutes}′" for stop in stops),
            help="\n".join(f"- {stop.minutes} min, {PAGES[stop.page].title}: {stop.show}" for stop in stops),
        )
