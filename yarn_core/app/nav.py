"""The app's pages, listed once: ``app.py`` builds the navigation from them, and the tests, the
benchmark and the load test derive their page lists from them."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class AppPage:
    """One page of the app: its navigation section, its script (from the repo root), its title and
    its URL path ("" for the start page, served at "/")."""

    section: str
    script: str
    title: str
    url_path: str
    icon: str | None = None

    @property
    def name(self) -> str:
        """What reports and tests call the page."""
        return self.url_path or "home"


APP_PAGES = (
    AppPage("", "pages/learn/home.py", "Start here", "", ":material/home:"),
    AppPage("Learn", "pages/learn/positions.py", "1. Why positions break", "positions"),
    AppPage("Learn", "pages/learn/rope.py", "2. RoPE from scratch", "rope"),
    AppPage("Learn", "pages/learn/extrapolation.py", "3. The extrapolation problem", "extrapolation"),
    AppPage("Learn", "pages/learn/interpolation.py", "4. Position Interpolation", "interpolation"),
    AppPage("Learn", "pages/learn/ntk_aware.py", "5. NTK-aware scaling", "ntk_aware"),
    AppPage("Learn", "pages/learn/ntk_by_parts.py", "6. NTK-by-parts", "ntk_by_parts"),
    AppPage("Learn", "pages/learn/yarn.py", "7. YaRN", "yarn"),
    AppPage("Learn", "pages/learn/dynamic.py", "8. Dynamic scaling", "dynamic"),
    AppPage("Compare", "pages/compare/compare.py", "PI vs NTK vs YaRN", "compare"),
    AppPage("Lab", "pages/lab/lab.py", "Tiny model lab", "lab"),
    AppPage("Your model", "pages/model/your_model.py", "Inspect a config.json", "your_model"),
)


def navigation() -> dict[str, list]:
    """APP_PAGES as ``st.navigation`` takes them, by section; the start page is the default."""
    sections: dict[str, list] = {}
    for page in APP_PAGES:
        sections.setdefault(page.section, []).append(
            st.Page(
                page.script,
                title=page.title,
                icon=page.icon,
                url_path=page.url_path or None,
                default=not page.url_path,
            )
        )
    return sections
