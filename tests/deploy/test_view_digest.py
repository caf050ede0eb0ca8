"""The view digest the fault test uses to say "the same view" after a failover: it ignores what
differs between two runs drawing the same page (a download button's random file id, a chart's
spelling and id, who supplies a control's value) and nothing that a reader sees."""

from __future__ import annotations

import json

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.perf.load_sessions import canonical_spec, content_key


def delta(path: tuple[int, ...], fill) -> ForwardMsg:
    message = ForwardMsg()
    message.metadata.delta_path.extend(path)
    fill(message.delta.new_element)
    return message


def slider(label: str, value: float | None):
    def fill(element):
        element.slider.id = "$$ID-1-s"
        element.slider.label = label
        element.slider.default.append(2.0)
        if value is not None:
            element.slider.value.append(value)
            element.slider.set_value = True
            element.has_one_shot_effect = True

    return fill


def chart(spec: dict, chart_id: str):
    def fill(element):
        element.plotly_chart.spec = json.dumps(spec)
        element.plotly_chart.id = chart_id

    return fill


def download(file_id: str, label: str = "CSV"):
    def fill(element):
        element.download_button.label = label
        element.download_button.deferred_file_id = file_id

    return fill


def test_a_control_is_the_same_whoever_supplies_its_value():
    from_browser = content_key(delta((0, 1), slider("Scale s", None)))
    from_url = content_key(delta((0, 1), slider("Scale s", 2.5)))
    assert from_browser == from_url
    assert from_browser != content_key(delta((0, 1), slider("Scale s'", None)))


def test_a_chart_is_its_data_and_layout_not_its_spelling_or_id():
    fresh = {"data": [{"y": [1, 2]}], "layout": {"xaxis": {"title": {}, "type": "linear"}, "height": 380}}
    cached = {"layout": {"height": 380, "xaxis": {"type": "linear"}}, "data": [{"y": [1, 2]}]}
    other = {"data": [{"y": [1, 3]}], "layout": {"height": 380, "xaxis": {"type": "linear"}}}
    assert canonical_spec(json.dumps(fresh)) == canonical_spec(json.dumps(cached))
    assert content_key(delta((0, 2), chart(fresh, "$$ID-a"))) == content_key(
        delta((0, 2), chart(cached, "$$ID-b"))
    )
    assert content_key(delta((0, 2), chart(fresh, "$$ID-a"))) != content_key(
        delta((0, 2), chart(other, "$$ID-a"))
    )


def test_a_download_button_is_not_its_random_file_id():
    assert content_key(delta((0, 3), download("b31d"))) == content_key(delta((0, 3), download("1aaa")))
    assert content_key(delta((0, 3), download("b31d"))) != content_key(delta((0, 3), download("b31d", "PNG")))
