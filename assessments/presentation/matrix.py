"""The risk × need matrix as a self-contained, accessible SVG (in the page and in the PDF).

`render_matrix` is a pure function: numbers and texts in, an SVG string out. No scripts, no styles, no
external references (CSP allows none, and WeasyPrint fetches nothing). Every text is escaped. The figure is
readable without colour: each quadrant is named in text, the position is a distinct shape with a text label,
and `<title>`/`<desc>` (linked by aria-labelledby) say where the point lies in words.

Need runs left to right, risk bottom to top. A point whose axis was set by a rule rather than by its score (a
hard rule holds risk high, a need cap holds need low) is drawn inside the quadrant it belongs to, at the edge,
and the description says why.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from assessments.presentation.display import english

WIDTH, HEIGHT = 440, 420
LEFT, TOP, RIGHT, BOTTOM = 70, 20, 420, 350  # the plot area
EDGE = 3.0  # how far inside its quadrant a rule-placed point is drawn, in score units

# Light fills (each with a text label, so colour is never the only cue); text is dark on all of them.
QUADRANT_FILLS = {
    "high_risk_low_need": "#f9d5d3",
    "high_risk_high_need": "#fbe9c4",
    "low_risk_low_need": "#e6e6e6",
    "low_risk_high_need": "#cdeccf",
}


@dataclass(frozen=True)
class MatrixPoint:
    risk: float  # 0..100
    need: float  # 0..100
    risk_axis: str = ""  # "high"/"low"; empty: from the score
    need_axis: str = ""
    label: str = ""
    raised_by: tuple[str, ...] = ()  # the rules that set risk high although the score is below the line
    stopped_by: tuple[str, ...] = ()  # the rules that stop the use: the field is then not the conclusion


def quadrant_names() -> dict[str, str]:
    return {
        "high_risk_low_need": _("Frarådes"),
        "high_risk_high_need": _("Kun med tiltak"),
        "low_risk_low_need": _("Lav prioritet"),
        "low_risk_high_need": _("Anbefalt"),
    }


def _number(value: float) -> str:
    """One decimal, with the decimal comma in Norwegian."""
    text = f"{value:.1f}"
    return text if english() else text.replace(".", ",")


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, float(value)))


def _axis(point_axis: str, score: float, threshold: float) -> str:
    if point_axis in ("high", "low"):
        return point_axis
    return "high" if score >= threshold else "low"


def placed(point: MatrixPoint, risk_high_at: float = 50, need_high_at: float = 50) -> tuple[float, float, bool]:
    """Where the point is drawn (need, risk) and whether a rule, not the score, put it in its quadrant."""
    risk, need = _clamp(point.risk), _clamp(point.need)
    moved = False
    if _axis(point.risk_axis, risk, risk_high_at) == "high" and risk < risk_high_at:
        risk, moved = min(100.0, risk_high_at + EDGE), True
    elif _axis(point.risk_axis, risk, risk_high_at) == "low" and risk >= risk_high_at:
        risk, moved = max(0.0, risk_high_at - EDGE), True
    if _axis(point.need_axis, need, need_high_at) == "low" and need >= need_high_at:
        need, moved = max(0.0, need_high_at - EDGE), True
    elif _axis(point.need_axis, need, need_high_at) == "high" and need < need_high_at:
        need, moved = min(100.0, need_high_at + EDGE), True
    return need, risk, moved


def quadrant_of(point: MatrixPoint, risk_high_at: float = 50, need_high_at: float = 50) -> str:
    risk = _axis(point.risk_axis, _clamp(point.risk), risk_high_at)
    need = _axis(point.need_axis, _clamp(point.need), need_high_at)
    return f"{risk}_risk_{need}_need"


def describe_point(point: MatrixPoint, risk_high_at: float = 50, need_high_at: float = 50) -> str:
    """The position in words, as in the figure's description."""
    quadrant = quadrant_of(point, risk_high_at, need_high_at)
    risk_axis, need_axis = quadrant.split("_risk_")
    need_axis = need_axis.removesuffix("_need")
    levels = {"high": _("høy"), "low": _("lav")}
    raised = risk_axis == "high" and _clamp(point.risk) < risk_high_at  # a rule, not the score, set it high
    text = _(
        "%(label)s: risiko %(risk)s av 100 (%(risk_axis)s), behov %(need)s av 100 (%(need_axis)s), "
        "i feltet «%(quadrant)s»."
    ) % {
        "label": point.label or _("Tiltaket"),
        "risk": _number(_clamp(point.risk)),
        "risk_axis": _("høy etter en absolutt regel") if raised else levels[risk_axis],
        "need": _number(_clamp(point.need)),
        "need_axis": levels[need_axis],
        "quadrant": quadrant_names()[quadrant],
    }
    if raised:
        if point.raised_by:
            text += " " + _(
                "Poengsummen ligger under streken, men den absolutte regelen «%(rules)s» setter risikoen til høy: "
                "en pil viser flyttingen fra poengsummen til feltet regelen gir."
            ) % {"rules": "; ".join(point.raised_by)}
        else:
            text += " " + _("Risikoen er satt til høy av en absolutt regel, ikke av poengsummen.")
    need = _clamp(point.need)
    if need_axis == "low" and need >= need_high_at:
        text += " " + _("Behovet er satt til lavt fordi en forutsetning for høyt behov mangler.")
    if point.stopped_by:
        text += " " + _(
            "Feltet er ikke konklusjonen her: den absolutte regelen «%(rules)s» stopper tiltaket, så konklusjonen "
            "er «Stopp» uansett hvor i matrisen det ligger."
        ) % {"rules": "; ".join(point.stopped_by)}
    return text


def _x(need: float) -> float:
    return LEFT + (RIGHT - LEFT) * need / 100


def _y(risk: float) -> float:
    return BOTTOM - (BOTTOM - TOP) * risk / 100


def _text(x: float, y: float, content: str, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(str(v), quote=True)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content, quote=False)}</text>'


def _marker(x: float, y: float, hollow: bool) -> str:
    """A diamond: a shape, not a colour, marks the point; hollow when a rule placed it."""
    size = 9
    corners = [(x, y - size), (x + size, y), (x, y + size), (x - size, y)]
    path = "M" + " L".join(f"{cx:.1f} {cy:.1f}" for cx, cy in corners) + " Z"
    fill = "#ffffff" if hollow else "#2a2859"
    return (
        f'<path d="{path}" fill="{fill}" stroke="#2a2859" stroke-width="3"/>'
        f'<path d="{path}" fill="none" stroke="#ffffff" stroke-width="1"/>'
    )


def _arrow(x0: float, y0: float, x1: float, y1: float) -> str:
    """A dashed line with an arrowhead from the score to the placed point (drawn short of the marker)."""
    dx, dy = x1 - x0, y1 - y0
    length = max((dx * dx + dy * dy) ** 0.5, 1.0)
    ux, uy = dx / length, dy / length
    ex, ey = x1 - ux * 12, y1 - uy * 12
    head = [(ex, ey), (ex - ux * 8 - uy * 5, ey - uy * 8 + ux * 5), (ex - ux * 8 + uy * 5, ey - uy * 8 - ux * 5)]
    points = " ".join(f"{hx:.1f},{hy:.1f}" for hx, hy in head)
    return (
        f'<path d="M{x0:.1f} {y0 - 10:.1f} L{ex:.1f} {ey:.1f}" stroke="#2a2859" stroke-width="2" '
        f'stroke-dasharray="5 3" fill="none"/><polygon points="{points}" fill="#2a2859"/>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# A box on the figure: x0, y0, x1, y1.
Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text_width(text: str, size: float) -> float:
    """A generous estimate of bold DejaVu Sans (the figure names no other font that WeasyPrint has)."""
    return 0.62 * size * len(text)


def marker_box(x: float, y: float, reach: float = 12) -> Box:
    return (x - reach, y - reach, x + reach, y + reach)


def _quadrants(mid_x: float, mid_y: float, occupied: Sequence[Box] = ()) -> list[str]:
    """The four fields, each named at its top or, where a marker or a point's label stands there, at its
    bottom (whichever covers fewer): a common score of 40–50 put the marker on the name of a low-risk field."""
    names = quadrant_names()
    parts = []
    quadrants = [
        ("high_risk_low_need", LEFT, TOP, mid_x, mid_y),
        ("high_risk_high_need", mid_x, TOP, RIGHT, mid_y),
        ("low_risk_low_need", LEFT, mid_y, mid_x, BOTTOM),
        ("low_risk_high_need", mid_x, mid_y, RIGHT, BOTTOM),
    ]
    for key, x0, y0, x1, y1 in quadrants:
        parts.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            f'fill="{QUADRANT_FILLS[key]}" stroke="#2c2c2c" stroke-width="1"/>'
        )
        centre, half = (x0 + x1) / 2, _text_width(names[key], 14) / 2
        # The top unless the bottom covers fewer (min keeps the first of equals).
        baseline = min(
            (y0 + 22, y1 - 10),
            key=lambda b: sum(_overlaps((centre - half, b - 14, centre + half, b + 4), box) for box in occupied),
        )
        parts.append(
            _text(
                centre, baseline, names[key], text_anchor="middle", font_size="14", font_weight="bold", fill="#2c2c2c"
            )
        )
    return parts


def _axes(risk_high_at: float, need_high_at: float) -> list[str]:
    """Axes with ticks at 0, the threshold and 100, and their names."""
    parts = []
    parts.append(
        f'<path d="M{LEFT} {TOP} L{LEFT} {BOTTOM} L{RIGHT} {BOTTOM}" fill="none" stroke="#2c2c2c" stroke-width="2"/>'
    )
    for value in sorted({0, need_high_at, 100}):
        parts.append(_text(_x(value), BOTTOM + 18, f"{value:g}", text_anchor="middle", font_size="12", fill="#2c2c2c"))
    for value in sorted({0, risk_high_at, 100}):
        parts.append(_text(LEFT - 8, _y(value) + 4, f"{value:g}", text_anchor="end", font_size="12", fill="#2c2c2c"))
    parts.append(
        _text(
            (LEFT + RIGHT) / 2,
            BOTTOM + 45,
            _("Behov og gevinst →"),
            text_anchor="middle",
            font_size="14",
            fill="#2c2c2c",
        )
    )
    cx, cy = LEFT - 45, (TOP + BOTTOM) / 2
    parts.append(
        _text(
            cx,
            cy,
            _("Risiko →"),
            text_anchor="middle",
            font_size="14",
            fill="#2c2c2c",
            transform=f"rotate(-90 {cx:.1f} {cy:.1f})",
        )
    )
    return parts


def _label_place(x: float, y: float, label: str, field: Box) -> tuple[str, float, float, Box]:
    """Where a point's label stands: beside the marker, in the point's own field (`field`) so it is not read as lying
    in the next one (first to the right in a high-need field, to the left in a low-need one); where neither side has
    room before the field's edge, centred under the marker, or over it where the field ends below."""
    width = _text_width(label, 13)
    low, top, high, bottom = field
    high_need = low > LEFT
    beside = {"start": (x + 14, x + 14 + width), "end": (x - 14 - width, x - 14)}
    for anchor in ("start", "end") if high_need else ("end", "start"):
        x0, x1 = beside[anchor]
        if x0 >= low and x1 <= high:
            return anchor, x + (14 if anchor == "start" else -14), y + 5, (x0, y - 9, x1, y + 9)
    tx = min(max(x, low + width / 2), high - width / 2)
    ty = y + 28 if y + 28 + 4 <= bottom else y - 18 if y - 18 - 13 >= top else y + 5
    return "middle", tx, ty, (tx - width / 2, ty - 13, tx + width / 2, ty + 4)


def _field(need: float, risk: float, risk_high_at: float, need_high_at: float) -> Box:
    """The field a placed point lies in, as a box on the figure."""
    mid_x, mid_y = _x(need_high_at), _y(risk_high_at)
    x0, x1 = (mid_x, RIGHT) if need >= need_high_at else (LEFT, mid_x)
    y0, y1 = (TOP, mid_y) if risk >= risk_high_at else (mid_y, BOTTOM)
    return (x0, y0, x1, y1)


def _point(point: MatrixPoint, risk_high_at: float, need_high_at: float) -> list[str]:
    parts = []
    need, risk, moved = placed(point, risk_high_at, need_high_at)
    x, y = _x(need), _y(risk)
    if moved:
        # The truth first: a hollow marker at the computed score, an arrow to where the rule puts it.
        sx, sy = _x(_clamp(point.need)), _y(_clamp(point.risk))
        parts.append(_marker(sx, sy, True))
        parts.append(_arrow(sx, sy, x, y))
        if point.raised_by:
            # The rule's name under the score's marker (the full name is in the figure's text).
            rule = _shorten(_("Regel: %(rule)s") % {"rule": point.raised_by[0]}, 34)
            ty = sy + 24 if sy + 24 < BOTTOM - 4 else sy - 16
            tx = min(max(sx, LEFT + 100), RIGHT - 100)
            parts.append(_text(tx, ty, rule, text_anchor="middle", font_size="11", font_style="italic", fill="#2c2c2c"))
    parts.append(_marker(x, y, False))
    if point.label:
        anchor, tx, ty, _box = _label_place(x, y, point.label, _field(need, risk, risk_high_at, need_high_at))
        parts.append(_text(tx, ty, point.label, text_anchor=anchor, font_size="13", font_weight="bold", fill="#2c2c2c"))
    return parts


def _occupied(point: MatrixPoint, risk_high_at: float, need_high_at: float) -> list[Box]:
    """What a point draws that a field's name must not cover: its markers and its label."""
    need, risk, moved = placed(point, risk_high_at, need_high_at)
    x, y = _x(need), _y(risk)
    boxes = [marker_box(x, y)]
    if moved:
        boxes.append(marker_box(_x(_clamp(point.need)), _y(_clamp(point.risk))))
    if point.label:
        boxes.append(_label_place(x, y, point.label, _field(need, risk, risk_high_at, need_high_at))[3])
    return boxes


def render_matrix(
    points: Sequence[MatrixPoint],
    *,
    title: str,
    description: str = "",
    id_prefix: str = "matrix",
    risk_high_at: float = 50,
    need_high_at: float = 50,
    avoid: Sequence[Box] = (),
) -> str:
    """The matrix with `points` marked, as an SVG string (safe to embed in HTML and in the PDF). `avoid`: boxes a
    caller draws on top afterwards (the overview's markers), which the fields' names keep clear of like the points."""
    safe_id = "".join(c if c.isalnum() or c in "-_" else "-" for c in id_prefix) or "matrix"
    title_id, desc_id = f"{safe_id}-title", f"{safe_id}-desc"
    if not description:
        description = " ".join(describe_point(p, risk_high_at, need_high_at) for p in points) or _("Ingen plassering.")
    mid_x, mid_y = _x(need_high_at), _y(risk_high_at)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        f'<title id="{title_id}">{escape(title, quote=False)}</title>',
        f'<desc id="{desc_id}">{escape(description, quote=False)}</desc>',
    ]
    occupied = [*avoid, *(box for p in points for box in _occupied(p, risk_high_at, need_high_at))]
    parts += _quadrants(mid_x, mid_y, occupied)
    parts += _axes(risk_high_at, need_high_at)
    for point in points:
        parts += _point(point, risk_high_at, need_high_at)
    parts.append("</svg>")
    return "".join(parts)


def point_from_result(
    result: Mapping[str, Any], label: str = "", raised_by: Sequence[str] = (), stopped_by: Sequence[str] = ()
) -> MatrixPoint:
    """The matrix position of a scoring result (`engine.scoring.Result.to_dict()`)."""
    return MatrixPoint(
        risk=float(result["risk"]["score"]),
        need=float(result["need"]["score"]),
        risk_axis=result["risk"]["axis"],
        need_axis=result["need"]["axis"],
        label=label,
        raised_by=tuple(raised_by),
        stopped_by=tuple(stopped_by),
    )


def result_matrix(
    result: Mapping[str, Any],
    *,
    title: str = "",
    label: str = "",
    id_prefix: str = "matrix",
    risk_high_at: float = 50,
    need_high_at: float = 50,
    raised_by: Sequence[str] = (),
    stopped_by: Sequence[str] = (),
) -> str:
    """The matrix for one result, its position described in the figure's text."""
    point = point_from_result(result, label or _("Dette tiltaket"), raised_by, stopped_by)
    return render_matrix(
        [point],
        title=title or _("Risiko og behov for tiltaket"),
        id_prefix=id_prefix,
        risk_high_at=risk_high_at,
        need_high_at=need_high_at,
    )
