"""Read queries of the queue, the register and the auditor search.

Each list is one query for the page and one for its count, whatever the number of assessments: the
latest (or the deciding) version's fields come in as correlated subqueries over the
(assessment, number) unique index, and the wide JSON columns (answers, result) are never loaded for a
list. The tests count queries at two sizes; bench/queries.py times them at 100 and 10,000.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from .models import Assessment, AssessmentVersion, Report
from .permissions import visible_assessments

LIST_FIELDS = (
    "uuid",
    "title",
    "status",
    "agency_id",
    "agency__name",
    "review_by",
    "updated_at",
    "created_at",
)
DECIDED = [Assessment.Status.APPROVED, Assessment.Status.REJECTED, Assessment.Status.SUPERSEDED]


def _versions(**filters) -> QuerySet[AssessmentVersion]:
    return AssessmentVersion.objects.filter(assessment=OuterRef("pk"), **filters).order_by("-number")


def with_latest_version(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    latest = _versions()
    return qs.annotate(
        v_number=Subquery(latest.values("number")[:1]),
        v_verdict=Subquery(latest.values("verdict")[:1]),
        v_quadrant=Subquery(latest.values("quadrant")[:1]),
        v_submitted_at=Subquery(latest.values("submitted_at")[:1]),
    )


def queue(
    user, *, status: str = "", agency=None, verdict: str = "", quadrant: str = "", sort: str = "oldest"
):
    """UKE's queue: everything ever submitted that the user may see, with its latest version."""
    qs = visible_assessments(user).filter(submitted_once=True)
    if agency is not None:
        qs = qs.filter(agency=agency)
    counts_base = qs
    if status:
        qs = qs.filter(status=status)
    qs = with_latest_version(qs.select_related("agency").only(*LIST_FIELDS))
    if verdict:
        qs = qs.filter(v_verdict=verdict)
    if quadrant:
        qs = qs.filter(v_quadrant=quadrant)
    order = ("v_submitted_at", "pk") if sort != "newest" else ("-v_submitted_at", "-pk")
    return qs.order_by(*order), counts_base


def status_counts(qs: QuerySet[Assessment]) -> dict[str, int]:
    rows = qs.order_by().values("status").annotate(n=Count("pk", distinct=True))
    return {row["status"]: row["n"] for row in rows}


def register(*, agency=None, ai_kind: str = "", verdict: str = "", q: str = "") -> QuerySet[Assessment]:
    """The AI register: approved AI uses of every agency, with the approved version's verdict and date."""
    approved = _versions(decision=AssessmentVersion.Decision.APPROVED)
    qs = (
        Assessment.objects.filter(status=Assessment.Status.APPROVED)
        .select_related("agency")
        .only(*LIST_FIELDS)
        .annotate(
            r_version_id=Subquery(approved.values("pk")[:1]),
            r_verdict=Subquery(approved.values("verdict")[:1]),
            r_quadrant=Subquery(approved.values("quadrant")[:1]),
            r_approved_at=Subquery(approved.values("decided_at")[:1]),
        )
    )
    if agency is not None:
        qs = qs.filter(agency=agency)
    if verdict:
        qs = qs.filter(r_verdict=verdict)
    if q:
        qs = qs.filter(title__icontains=q)
    if ai_kind:
        # ai_kind is a list in the answers; its three values are no substrings of one another.
        qs = qs.filter(Exists(approved.filter(answers__ai_kind__icontains=f'"{ai_kind}"')))
    return qs.order_by("-r_approved_at", "-pk")


def ai_kinds(version_ids: list[int]) -> dict[int, list[str]]:
    """`ai_kind` of a page of versions in one query, without loading their whole answers."""
    rows = AssessmentVersion.objects.filter(pk__in=version_ids).values_list("pk", "answers__ai_kind")
    return {pk: (kinds if isinstance(kinds, list) else []) for pk, kinds in rows}


def auditor_search(
    user, *, agency=None, status: str = "", verdict: str = "", q: str = "", date_from=None, date_to=None
) -> QuerySet[Assessment]:
    """Decided assessments the user may see (an auditor's scope applies), with the deciding version and
    its signed report."""
    decided = _versions(
        decision__in=[AssessmentVersion.Decision.APPROVED, AssessmentVersion.Decision.REJECTED]
    )
    report = Report.objects.filter(
        version__assessment=OuterRef("pk"),
        version__decision__in=[AssessmentVersion.Decision.APPROVED, AssessmentVersion.Decision.REJECTED],
        kind=Report.Kind.SIGNED,
        status=Report.Status.READY,
    ).order_by("-version__number")
    qs = (
        visible_assessments(user)
        .filter(status__in=DECIDED)
        .select_related("agency")
        .only(*LIST_FIELDS)
        .annotate(
            d_number=Subquery(decided.values("number")[:1]),
            d_verdict=Subquery(decided.values("verdict")[:1]),
            d_decision=Subquery(decided.values("decision")[:1]),
            d_decided_at=Subquery(decided.values("decided_at")[:1]),
            report_uuid=Subquery(report.values("uuid")[:1]),
            report_sha256=Subquery(report.values("sha256")[:1]),
        )
    )
    if agency is not None:
        qs = qs.filter(agency=agency)
    if status:
        qs = qs.filter(status=status)
    if verdict:
        qs = qs.filter(d_verdict=verdict)
    if q:
        qs = qs.filter(title__icontains=q)
    if date_from:
        qs = qs.filter(d_decided_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(d_decided_at__date__lte=date_to)
    return qs.order_by("-d_decided_at", "-pk")


def overview_points(user, *, agency=None) -> QuerySet[AssessmentVersion]:
    """One row per assessment for the matrix: the latest version's scores, its status and agency.

    Everyone sees the approved AI uses of all agencies (the register); reviewers, auditors and the
    agency's own members also see what else was submitted that they may see."""
    later = AssessmentVersion.objects.filter(assessment=OuterRef("assessment"), number__gt=OuterRef("number"))
    visible = visible_assessments(user).filter(submitted_once=True).values("pk")
    qs = AssessmentVersion.objects.filter(
        Q(assessment__status=Assessment.Status.APPROVED) | Q(assessment__in=visible)
    ).filter(~Exists(later))
    if agency is not None:
        qs = qs.filter(assessment__agency=agency)
    return qs.values_list(
        "assessment__status",
        "assessment__agency_id",
        "assessment__agency__name",
        "quadrant",
        "result__risk__score",
        "result__need__score",
    ).order_by()
