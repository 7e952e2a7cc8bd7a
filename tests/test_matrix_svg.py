"""The risk × need matrix: a well-formed, self-contained, accessible SVG with the point where it belongs."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from assessments.presentation.matrix import (
    BOTTOM,
    LEFT,
    RIGHT,
    TOP,
    MatrixPoint,
    describe_point,
    placed,
    render_matrix,
    result_matrix,
)
from tests.assessment_helpers import fixture_definition

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, under test


def marker_centres(svg: str) -> list[tuple[float, float]]:
    """Each diamond's centre (top, right, bottom, left corners), in drawing order: a point a rule moved
    has a hollow diamond at its score first, then the filled one where the rule puts it."""
    root = parse(svg)
    diamonds = [p for p in root.iter(f"{SVG}path") if p.get("d", "").endswith("Z") and p.get("fill") != "none"]
    centres = []
    for diamond in diamonds:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", diamond.get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
        centres.append(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
    return centres


def marker_centre(svg: str) -> tuple[float, float]:
    """Where the point is placed (the last, filled diamond)."""
    return marker_centres(svg)[-1]


def test_it_is_well_formed_and_labelled_for_assistive_technology():
    svg = render_matrix([MatrixPoint(risk=30, need=70, label="Chatbot")], title="Plassering", id_prefix="m1")
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "m1-title m1-desc"
    assert root.find(f"{SVG}title").get("id") == "m1-title" and root.find(f"{SVG}title").text == "Plassering"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "m1-desc"
    with translation.override("nb"):
        expected = describe_point(MatrixPoint(risk=30, need=70, label="Chatbot"))
    assert desc.text == expected


def test_every_quadrant_is_named_in_text_so_colour_is_not_needed():
    with translation.override("nb"):
        svg = render_matrix([], title="Tom")
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    for name in ("Frarådes", "Kun med tiltak", "Lav prioritet", "Anbefalt"):
        assert name in texts


def test_it_has_no_scripts_styles_or_external_references():
    svg = render_matrix([MatrixPoint(risk=90, need=10, label="x")], title="t")
    lowered = svg.lower()
    for forbidden in ("<script", "style=", "<style", "href", "url(", "<image", "<foreignobject", "http://w"):
        if forbidden == "http://w":
            # The only URL allowed is the SVG namespace itself.
            assert lowered.count("http://") == 1 and 'xmlns="http://www.w3.org/2000/svg"' in svg
        else:
            assert forbidden not in lowered, forbidden


def test_text_is_escaped():
    nasty = '</text><script>alert("x")</script>&"\''
    svg = render_matrix([MatrixPoint(risk=10, need=10, label=nasty)], title=nasty, id_prefix='x" onload="y')
    root = parse(svg)  # would raise if the markup were broken
    assert "<script" not in svg and 'onload="' not in svg
    assert root.find(f"{SVG}title").text == nasty
    assert any(t.text == nasty for t in root.iter(f"{SVG}text"))
    assert not [el for el in root.iter() if el.tag.endswith("script")]


@pytest.mark.parametrize(
    ("risk", "need", "right", "top"),
    [
        (80, 80, True, True),
        (80, 20, False, True),
        (20, 80, True, False),
        (20, 20, False, False),
    ],
)
def test_the_point_lands_in_its_quadrant(risk, need, right, top):
    x, y = marker_centre(render_matrix([MatrixPoint(risk=risk, need=need)], title="t"))
    mid_x, mid_y = (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2
    assert (x > mid_x) is right and (y < mid_y) is top
    assert x == pytest.approx(LEFT + (RIGHT - LEFT) * need / 100, abs=0.2)
    assert y == pytest.approx(BOTTOM - (BOTTOM - TOP) * risk / 100, abs=0.2)


def test_a_hard_rule_puts_a_low_score_in_the_high_risk_half_and_says_so():
    point = MatrixPoint(risk=20, need=70, risk_axis="high", need_axis="high")
    need, risk, moved = placed(point)
    assert moved and risk > 50 and need == 70
    svg = render_matrix([point], title="t")
    x, y = marker_centre(svg)
    assert y < (TOP + BOTTOM) / 2
    # The truth is drawn too: a hollow marker at the computed score, and an arrow from it to the field.
    (score_x, score_y), _placed = marker_centres(svg)
    assert score_y == pytest.approx(BOTTOM - (BOTTOM - TOP) * 20 / 100, abs=0.2)
    assert parse(svg).find(f"{SVG}polygon") is not None
    with translation.override("nb"):
        text = describe_point(point)
    assert "risiko 20,0 av 100 (høy etter en absolutt regel)" in text and "«Kun med tiltak»" in text


def test_the_rule_that_raised_the_risk_is_named_in_the_figure():
    point = MatrixPoint(risk=35.6, need=70, risk_axis="high", need_axis="high", raised_by=("Bruk av sensitive data",))
    with translation.override("nb"):
        svg = render_matrix([point], title="t")
        text = describe_point(point)
    assert "Regel: Bruk av sensitive data" in svg
    assert "«Bruk av sensitive data» setter risikoen til høy" in text and "35,6" in text


def test_a_need_cap_puts_a_high_need_score_in_the_low_need_half():
    point = MatrixPoint(risk=10, need=90, risk_axis="low", need_axis="low")
    need, risk, moved = placed(point)
    assert moved and need < 50
    with translation.override("nb"):
        text = describe_point(point)
    assert "«Lav prioritet»" in text and "behov 90,0 av 100 (lav)" in text


def test_thresholds_come_from_the_caller():
    point = MatrixPoint(risk=40, need=40)
    with translation.override("nb"):
        assert "«Anbefalt»" not in describe_point(point)
        assert "«Anbefalt»" in describe_point(point, risk_high_at=50, need_high_at=30)


def test_english_uses_a_decimal_point():
    with translation.override("en"):
        assert "62.5" in describe_point(MatrixPoint(risk=62.5, need=10))
    with translation.override("nb"):
        assert "62,5" in describe_point(MatrixPoint(risk=62.5, need=10))


def test_it_draws_a_real_scoring_result():
    from assessments.engine.loader import as_definition
    from assessments.engine.scoring import score
    from tests import answers as A

    result = score(as_definition(fixture_definition()), A.complete(p_social_scoring="yes")).to_dict()
    with translation.override("nb"):
        svg = result_matrix(result, id_prefix="r")
    root = parse(svg)
    assert root.find(f"{SVG}desc").text.startswith("Dette tiltaket: risiko")
    x, y = marker_centre(svg)
    assert y < (TOP + BOTTOM) / 2  # prohibited practice: high risk whatever the score


def test_ids_follow_the_prefix_so_two_figures_on_a_page_do_not_clash():
    a = render_matrix([], title="a", id_prefix="one")
    b = render_matrix([], title="b", id_prefix="two")
    ids = set(re.findall(r'id="([^"]+)"', a)) & set(re.findall(r'id="([^"]+)"', b))
    assert ids == set()


@pytest.mark.parametrize(
    ("need", "anchor"),
    [
        (52, "start"),  # just right of the need line: the label runs right, in its own quadrant
        (48, "end"),  # just left of it: the label runs left
        (97, "end"),  # at the right edge there is no room to the right
        (3, "start"),  # at the left edge no room to the left
    ],
)
def test_the_points_label_runs_into_its_own_quadrant(need, anchor):
    svg = render_matrix([MatrixPoint(risk=70, need=need, label="Dette tiltaket")], title="t")
    label = next(t for t in parse(svg).iter(f"{SVG}text") if t.text == "Dette tiltaket")
    assert label.get("text-anchor") == anchor


def test_where_neither_side_has_room_in_its_field_the_label_stands_under_the_marker():
    """Need 64.6: too near the right edge for the label to run right, too near the need line to run left without
    crossing into «Frarådes»."""
    svg = render_matrix([MatrixPoint(risk=70, need=64.6, label="This initiative")], title="t")
    label = next(t for t in parse(svg).iter(f"{SVG}text") if t.text == "This initiative")
    x, y = marker_centre(svg)
    assert label.get("text-anchor") == "middle" and float(label.get("y")) > y
    half = 0.62 * 13 * len("This initiative") / 2
    mid_x = LEFT + (RIGHT - LEFT) / 2
    assert mid_x - 0.1 <= float(label.get("x")) - half and float(label.get("x")) + half <= RIGHT + 0.1  # 1 decimal


def test_a_label_under_the_marker_does_not_drop_into_the_field_below():
    """Risk 52 lies just above the line: under the marker would be the low-risk field, so the label goes over it."""
    svg = render_matrix([MatrixPoint(risk=52, need=64.6, label="This initiative")], title="t")
    label = next(t for t in parse(svg).iter(f"{SVG}text") if t.text == "This initiative")
    _x, y = marker_centre(svg)
    mid_y = BOTTOM - (BOTTOM - TOP) / 2
    assert label.get("text-anchor") == "middle" and float(label.get("y")) < y < mid_y


def name_baseline(svg: str, name: str) -> float:
    return float(next(t for t in parse(svg).iter(f"{SVG}text") if t.text == name).get("y"))


def test_a_fields_name_gives_way_to_a_point_at_the_top_of_the_field():
    """A score of 40–50 put the marker on «Anbefalt»: the name then stands at the bottom of its field."""
    clear = render_matrix([MatrixPoint(risk=10, need=70, label="Dette tiltaket")], title="t")
    near_the_line = render_matrix([MatrixPoint(risk=45, need=70, label="Dette tiltaket")], title="t")
    mid_y = BOTTOM - (BOTTOM - TOP) / 2
    assert name_baseline(clear, "Anbefalt") == pytest.approx(mid_y + 22)
    assert name_baseline(near_the_line, "Anbefalt") == pytest.approx(BOTTOM - 10)
    assert name_baseline(near_the_line, "Lav prioritet") == pytest.approx(mid_y + 22)  # no point there


def test_a_fields_name_keeps_clear_of_boxes_a_caller_draws_afterwards():
    x, y = LEFT + (RIGHT - LEFT) * 0.75, BOTTOM - (BOTTOM - TOP) * 0.45
    svg = render_matrix([], title="t", avoid=[(x - 8, y - 8, x + 8, y + 8)])
    assert name_baseline(svg, "Anbefalt") == pytest.approx(BOTTOM - 10)


def test_a_stop_says_the_field_is_not_the_conclusion():
    point = MatrixPoint(risk=80, need=80, stopped_by=("Forbudt KI-praksis",))
    with translation.override("nb"):
        text = describe_point(point)
        plain = describe_point(MatrixPoint(risk=80, need=80))
    assert "«Kun med tiltak»" in text and "«Forbudt KI-praksis» stopper tiltaket" in text and "«Stopp»" in text
    assert "stopper" not in plain
