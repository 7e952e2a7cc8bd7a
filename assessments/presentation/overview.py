"""The municipality's matrix: every assessment as a point, grouped by status, by agency or by tool.

Built on `matrix.render_matrix` (the quadrants, axes and texts of the single-assessment figure), with
markers added per group, from counts per spot that the database aggregates (queries.overview_cells).
Readable without colour: each status has its own shape, each agency its own number; a legend and a table
with the same counts go beside the figure. Assessments that land on the same spot (to the nearest two
points on each axis) share one marker, labelled with how many they are, so the figure stays small with
100,000 assessments.
"""

from collections import Counter
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Assessment
from assessments.presentation import matrix

CELL = 2.0  # score units per marker cell on each axis
SIDE_BY_SIDE = 22.0  # pixels between the markers of groups that share a spot: the widest marker (radius 11)

# Shapes by status; the fill is a second cue only.
STATUS_SHAPES = {
    Assessment.Status.APPROVED: ("circle", "#034b45"),
    Assessment.Status.SUBMITTED: ("square", "#1f42aa"),
    Assessment.Status.RETURNED: ("triangle", "#9a6700"),
    Assessment.Status.REJECTED: ("cross", "#c30000"),
    Assessment.Status.SUPERSEDED: ("diamond", "#6b6b6b"),
    Assessment.Status.DRAFT: ("square", "#6b6b6b"),
    Assessment.Status.WITHDRAWN: ("cross", "#6b6b6b"),
}
SHAPE_NAMES = {
    "circle": gettext_lazy("sirkel"),
    "square": gettext_lazy("firkant"),
    "triangle": gettext_lazy("trekant"),
    "cross": gettext_lazy("kryss"),
    "diamond": gettext_lazy("rombe"),
}


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    shape: str
    fill: str
    mark: str  # text drawn in the marker (the agency number), empty for status shapes
    count: int

    @property
    def shape_name(self) -> str:
        return str(SHAPE_NAMES[self.shape])

    @property
    def glyph(self) -> str:
        """The group's marker as the figure draws it, small, for the legend (the shape's name is the text)."""
        return (
            '<svg class="legend-glyph" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" '
            f'focusable="false">{_shape(self.shape, 8, 8, 6.5, self.fill)}</svg>'
        )


def _path(points: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{px:.1f} {py:.1f}" for px, py in points) + " Z"


def _shape(shape: str, x: float, y: float, r: float, fill: str) -> str:
    stroke = 'stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" {stroke}/>'
    if shape == "square":
        points = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    elif shape == "triangle":
        points = [(x, y - r), (x + r, y + r), (x - r, y + r)]
    elif shape == "diamond":
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    else:  # a cross: two crossing bars
        w = r / 2.5
        bar1 = [(x - r, y - r + w), (x - r + w, y - r), (x + r, y + r - w), (x + r - w, y + r)]
        bar2 = [(x + r, y - r + w), (x + r - w, y - r), (x - r, y + r - w), (x - r + w, y + r)]
        return f'<path d="{_path(bar1)} {_path(bar2)}" fill="{fill}"/>'
    return f'<path d="{_path(points)}" fill="{fill}" {stroke}/>'


NO_TOOL = gettext_lazy("Uten verktøy fra oversikten")

# A hard rule may put an assessment in another field than its scores do (the risk held high below the line), and
# so may a missing premise of high need (the need held low above it).
# Its marker is then drawn just inside the field of its conclusion, as the single
# assessment's figure draws its point; the table beside the figure counts it there too. The lines are at 50
# (cell 25); a marker moved into a field stands two cells inside it (cell 27 is a score of 54, as the single
# figure's point stands 3 points inside). Migration 0025_squashed_0032 (part 0031) places the agencies' spots alike.
HIGH_FROM, LOW_UP_TO = 27, 23


def placed_cells(quadrant: str, need_cell: int, risk_cell: int) -> tuple[int, int]:
    """The marker's cells for an assessment in `quadrant` ("high_risk_low_need") whose scores are in these."""
    risk, _, need = (quadrant or "").partition("_risk_")
    return _into(need.removesuffix("_need"), need_cell), _into(risk, risk_cell)


def _into(axis: str, cell: int) -> int:
    if axis == "high":
        return max(cell, HIGH_FROM)
    if axis == "low":
        return min(cell, LOW_UP_TO)
    return cell


def _group_of(group_by: str, status, agency_id, agency_name, status_labels: dict) -> tuple:
    """A row's group key and label. By tool, the rows carry the tool's slug and name in the agency's places."""
    if group_by == "status":
        return status, status_labels.get(status, status)
    if group_by == "tool":
        return agency_id, agency_name or str(NO_TOOL)
    return agency_id, agency_name


def build(rows, group_by: str) -> tuple[list[Group], dict]:
    """rows: (status, agency_id, agency_name, quadrant, need cell, risk cell, count) from
    queries.overview_cells. Returns the groups (for the legend) and the markers
    {(group key, need cell, risk cell): count}."""
    status_labels = dict(Assessment.Status.choices)
    bins: Counter = Counter()
    per_group: Counter = Counter()
    names: dict = {}
    for status, agency_id, agency_name, quadrant, need_cell, risk_cell, count in rows:
        if risk_cell is None or need_cell is None or risk_cell < 0 or need_cell < 0:  # no scores
            continue
        need_cell, risk_cell = placed_cells(quadrant, need_cell, risk_cell)
        key, label = _group_of(group_by, status, agency_id, agency_name, status_labels)
        names[key] = label
        per_group[key] += count
        bins[(key, int(need_cell), int(risk_cell))] += count
    groups = []
    if group_by == "status":
        for status in STATUS_SHAPES:
            if per_group.get(status):
                shape, fill = STATUS_SHAPES[status]
                groups.append(Group(status, names[status], shape, fill, "", per_group[status]))
    else:
        for number, key in enumerate(sorted(per_group, key=lambda k: names[k]), start=1):
            groups.append(Group(key, names[key], "circle", "#2a2859", str(number), per_group[key]))
    return groups, bins


def render(rows, *, group_by: str = "status", title: str = "", spots=None) -> tuple[str, list[Group], int]:
    """The SVG, its legend groups and the number of assessments drawn. `spots`: the markers' agencies
    summed per spot by the database (queries.overview_spots), when `rows` do not carry the spots."""
    groups, bins = build(rows, group_by)
    by_key = {g.key: g for g in groups}
    shared = None
    if spots is not None:
        shared = {
            # An agency whose first assessment was scored between the two queries has no legend entry yet.
            (need, risk): ([(by_key[k], n) for k, n in zip(keys, counts, strict=True) if k in by_key], found, total)
            for need, risk, total, found, keys, counts in spots
        }
    total = sum(g.count for g in groups)
    description = _(
        "%(total)s vurderinger plassert etter risiko (loddrett) og behov (vannrett). En vurdering som en absolutt "
        "regel eller en manglende forutsetning for behovet legger i et annet felt enn poengsummen, står like "
        "innenfor feltet for konklusjonen. "
        "Tegnforklaringen og tabellen ved siden av figuren gir de samme tallene."
    ) % {"total": total}
    markers, boxes = [], []
    markers_at = _spots(bins, by_key, group_by, shared)
    sharing = Counter((need_cell, risk_cell) for _key, need_cell, risk_cell in markers_at)
    drawn: Counter = Counter()
    for (key, need_cell, risk_cell), count in sorted(markers_at.items(), key=lambda i: -i[1]):
        group = by_key[key] if key in by_key else key
        # Groups on one spot (two statuses) stand side by side, so no marker hides another.
        spot = (need_cell, risk_cell)
        shift = (drawn[spot] - (sharing[spot] - 1) / 2) * SIDE_BY_SIDE
        drawn[spot] += 1
        markers.append(_marker(group, need_cell, risk_cell, count, shift))
        x, y, radius = _position(need_cell, risk_cell, count, shift)
        boxes.append(matrix.marker_box(x, y, radius + 2))
    base = matrix.render_matrix(
        [],
        title=title or _("Alle vurderinger i risiko × behov"),
        description=description,
        id_prefix="overview",
        avoid=boxes,
    )
    svg = base.removesuffix("</svg>") + "".join(markers) + "</svg>"
    return svg, groups, total


# Where more agencies than this share one spot, they share one marker (its title names them): markers
# drawn on top of one another show nothing more, and at 100,000 assessments there were 14,000 of them.
# The table beside the figure has each agency's counts.
SHARED_SPOT = 1


def _spots(bins: Counter, by_key: dict, group_by: str, shared: dict | None = None) -> dict:
    """The markers to draw: {(group or shared Group, need cell, risk cell): count}. `shared`: the groups on
    each spot, {(need cell, risk cell): ([(group, count)], groups there, their total)}, from the bins when
    not given (the largest groups only, when the database summed them)."""
    if group_by == "status":
        return dict(bins)
    spots = {}
    for (need_cell, risk_cell), (found, number, total) in (shared or _per_spot(bins, by_key)).items():
        if number <= SHARED_SPOT:
            for group, count in found:
                spots[(group.key, need_cell, risk_cell)] = count
            continue
        found.sort(key=lambda item: (-item[1], item[0].label))
        names = ", ".join(f"{group.mark}. {group.label} ({count})" for group, count in found[:3])
        if number > 3:
            names += " " + _("og %(n)s til") % {"n": number - 3}
        if group_by == "tool":
            label = _("%(n)s verktøy: %(names)s") % {"n": number, "names": names}
        else:
            label = _("%(n)s virksomheter: %(names)s") % {"n": number, "names": names}
        spots[(Group("", label, "circle", "#6b6b6b", "", total), need_cell, risk_cell)] = total
    return spots


def _per_spot(bins: Counter, by_key: dict) -> dict:
    per_spot: dict = {}
    for (key, need_cell, risk_cell), count in bins.items():
        per_spot.setdefault((need_cell, risk_cell), []).append((by_key[key], count))
    return {spot: (found, len(found), sum(count for _group, count in found)) for spot, found in per_spot.items()}


def _position(need_cell: int, risk_cell: int, count: int, shift: float = 0.0) -> tuple[float, float, float]:
    """A spot's marker: its centre and its radius (larger for more assessments)."""
    need, risk = min(100.0, need_cell * CELL), min(100.0, risk_cell * CELL)
    x = min(max(matrix.LEFT + (matrix.RIGHT - matrix.LEFT) * need / 100 + shift, matrix.LEFT), matrix.RIGHT)
    y = matrix.BOTTOM - (matrix.BOTTOM - matrix.TOP) * risk / 100
    return x, y, 5 + min(6, count.bit_length())


def _marker(group: Group, need_cell: int, risk_cell: int, count: int, shift: float = 0.0) -> str:
    x, y, radius = _position(need_cell, risk_cell, count, shift)
    need, risk = min(100.0, need_cell * CELL), min(100.0, risk_cell * CELL)
    # The field, not the spot's scores: a marker a rule moved into its field stands away from its own score.
    field = matrix.quadrant_names()[f"{'high' if risk >= 50 else 'low'}_risk_{'high' if need >= 50 else 'low'}_need"]
    label = _("%(group)s: %(count)s vurdering(er) i feltet «%(field)s»") % {
        "group": group.label,
        "count": count,
        "field": field,
    }
    parts = [f"<g><title>{escape(label, quote=False)}</title>", _shape(group.shape, x, y, radius, group.fill)]
    text = group.mark or (str(count) if count > 1 else "")
    if text:
        parts.append(
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="9" font-weight="bold" '
            f'fill="#ffffff">{escape(text, quote=False)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def quadrant_table(rows, group_by: str) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """Counts per group and quadrant: the figure's content as a table."""
    quadrants = list(matrix.quadrant_names())
    counts: dict = {}
    labels: dict = {}
    status_labels = dict(Assessment.Status.choices)
    for status, agency_id, agency_name, quadrant, _need_cell, _risk_cell, count in rows:
        key, label = _group_of(group_by, status, agency_id, agency_name, status_labels)
        labels[key] = label
        counts.setdefault(key, Counter())[quadrant] += count
    table = []
    for key in sorted(counts, key=lambda k: str(labels[k])):
        values = [counts[key].get(q, 0) for q in quadrants]
        table.append((labels[key], values, sum(values)))
    names = matrix.quadrant_names()
    return [names[q] for q in quadrants], table
