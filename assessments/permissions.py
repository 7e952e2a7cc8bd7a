"""The one place for access rules. Every view calls into this module before it does anything.

The visibility table is in docs/permissions.md. Invisible objects are 404 (we do not reveal
that they exist); visible objects the user may not act on are 403.
"""

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.lifecycle import StateConflict
from assessments.models import Agency, Assessment, AssessmentVersion, Membership, MunicipalRole


@dataclass(frozen=True)
class Roles:
    """What one user may do, computed once per request."""

    user_id: int | None
    is_superuser: bool = False
    leader_of: frozenset[int] = field(default_factory=frozenset)
    contributor_of: frozenset[int] = field(default_factory=frozenset)
    is_reviewer: bool = False
    # None: not an auditor. Empty frozenset: auditor of every agency. Otherwise the agency ids in scope.
    auditor_scope: frozenset[int] | None = None
    # The data protection officer and the security officer read and advise, across agencies (officers.py).
    is_dpo: bool = False
    is_security_officer: bool = False

    @property
    def is_officer(self) -> bool:
        return self.is_dpo or self.is_security_officer

    @property
    def member_of(self) -> frozenset[int]:
        return self.leader_of | self.contributor_of

    @property
    def is_auditor(self) -> bool:
        return self.auditor_scope is not None

    @property
    def is_leader(self) -> bool:
        return bool(self.leader_of)

    def audits(self, agency_id: int) -> bool:
        return self.auditor_scope is not None and (not self.auditor_scope or agency_id in self.auditor_scope)

    def sees_submitted_of(self, agency_id: int) -> bool:
        """Whether what this agency submitted is visible: the one-agency form of submitted_scope()."""
        return self.is_reviewer or self.audits(agency_id) or agency_id in self.member_of

    @property
    def start_role(self) -> str:
        if self.is_reviewer:
            return "reviewer"
        if self.leader_of:
            return "leader"
        if self.contributor_of:
            return "contributor"
        if self.is_auditor:
            return "auditor"
        if self.is_officer:
            return "officer"
        if self.is_superuser:
            return "admin"
        return "none"


ANONYMOUS = Roles(user_id=None)


def roles_for(user) -> Roles:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_kiv_roles", None)
    if cached is not None:
        return cached
    leader, contributor = set(), set()
    for agency_id, role in Membership.objects.filter(user=user).values_list("agency_id", "role"):
        (leader if role == Membership.Role.LEADER else contributor).add(agency_id)
    is_reviewer = False
    auditor_scope = None
    municipal_roles = set()
    for municipal in MunicipalRole.objects.filter(user=user).prefetch_related("agencies"):
        municipal_roles.add(municipal.role)
        if municipal.role == MunicipalRole.Role.REVIEWER:
            is_reviewer = True
        elif municipal.role == MunicipalRole.Role.AUDITOR:
            auditor_scope = frozenset(a.pk for a in municipal.agencies.all())
    roles = Roles(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        leader_of=frozenset(leader),
        contributor_of=frozenset(contributor),
        is_reviewer=is_reviewer,
        auditor_scope=auditor_scope,
        is_dpo=MunicipalRole.Role.DPO in municipal_roles,
        is_security_officer=MunicipalRole.Role.SECURITY_OFFICER in municipal_roles,
    )
    user._kiv_roles = roles
    return roles


# --- Assessments ---------------------------------------------------------------------------------


def _has_versions() -> Exists:
    return Exists(AssessmentVersion.objects.filter(assessment=OuterRef("pk")))


def submitted_scope(user, prefix: str = "") -> Q:
    """Which once-submitted assessments (prefix "") or their versions (prefix "assessment__") the user may
    see: the agency's own members, reviewers, and auditors within their scope. The list pages filter
    versions with it directly; visible_assessments builds on it."""
    roles = roles_for(user)
    if roles.user_id is None:
        return Q(pk__in=[])
    if roles.is_reviewer or (roles.is_auditor and not roles.auditor_scope):
        return Q(pk__isnull=False)  # everything (an empty Q would vanish when OR-ed with another)
    return Q(**{f"{prefix}agency_id__in": set(roles.member_of) | set(roles.auditor_scope or ())})


def visible_assessments(user) -> QuerySet[Assessment]:
    """Every assessment the user may see at all. Drafts stay inside the agency (its leader, and the
    contributors invited to them); what was submitted once follows submitted_scope."""
    roles = roles_for(user)
    qs = Assessment.objects.all()
    if roles.user_id is None:
        return qs.none()
    own_drafts = Q(agency_id__in=roles.leader_of) | Q(agency_id__in=roles.contributor_of, contributors=user)
    submitted = Q(submitted_once=True) & submitted_scope(user)
    return qs.annotate(submitted_once=_has_versions()).filter(own_drafts | submitted).distinct()


def can_view(user, assessment: Assessment) -> bool:
    roles = roles_for(user)
    if roles.user_id is None:
        return False
    if can_see_draft(user, assessment):
        return True
    return roles.sees_submitted_of(assessment.agency_id) and assessment.versions.exists()


def can_see_draft(user, assessment: Assessment) -> bool:
    """The live draft answers belong to the agency: its leader and invited contributors."""
    roles = roles_for(user)
    if assessment.agency_id in roles.leader_of:
        return True
    return assessment.agency_id in roles.contributor_of and assessment.contributors.filter(pk=user.pk).exists()


def can_edit(user, assessment: Assessment) -> bool:
    return assessment.is_editable and can_see_draft(user, assessment)


def can_edit_plan(user, assessment: Assessment) -> bool:
    """The action plan: the agency's leader and contributors, once the assessment was submitted."""
    return assessment.agency_id in roles_for(user).member_of


def can_make_status_report(user, assessment: Assessment) -> bool:
    """The sealed status report of the action plan (make and download it): the agency's leader and
    contributors (their own proof), UKE's reviewers, auditors in scope (it is their evidence of what stood
    when) and administrators. Named roles, not reading: an officer who may read an assessment to advise on
    it (the DPO, the security officer) asks the agency or an auditor for the sealed copy."""
    roles = roles_for(user)
    agency_id = assessment.agency_id
    allowed = agency_id in roles.member_of or roles.is_reviewer or roles.audits(agency_id) or roles.is_superuser
    return allowed and can_view(user, assessment)


def is_leader_of(user, assessment: Assessment) -> bool:
    return assessment.agency_id in roles_for(user).leader_of


def can_review(user, assessment: Assessment) -> bool:
    """UKE reviewers act on any agency's submission, except where they are members themselves."""
    roles = roles_for(user)
    return roles.is_reviewer and assessment.agency_id not in roles.member_of


def can_manage_exemptions(user, assessment: Assessment) -> bool:
    """Public access: UKE (reviewers) and administrators mark what is exempt and make innsyn copies, once the
    assessment was submitted (a draft is the agency's own and in no register)."""
    return may_manage_exemptions(roles_for(user)) and assessment.versions.exists()


ACTIONS = {
    "view": can_view,
    "view_draft": can_see_draft,
    "edit": can_edit,
    "lead": is_leader_of,
    "review": can_review,
    "download": can_view,
    "edit_plan": can_edit_plan,
    "exempt": can_manage_exemptions,
    "status_report": can_make_status_report,
    # An officer's advice, in that officer role's reading scope (officer_assessments, further down).
    "advise_dpo": lambda user, assessment: _officer_reads(user, assessment, MunicipalRole.Role.DPO),
    "advise_security_officer": lambda user, assessment: _officer_reads(
        user, assessment, MunicipalRole.Role.SECURITY_OFFICER
    ),
}


def authorize(user, assessment: Assessment, action: str) -> None:
    """The check every service makes before it acts for a user: PermissionDenied unless `action` (a key of
    ACTIONS) is allowed. Views ask first too (`get_assessment`), so pages answer 403/404 before any work;
    this one holds whoever calls the service (a view, a task, a command, a test). An action not in ACTIONS (an
    officer role that does not exist, say) is refused too."""
    check = ACTIONS.get(action)
    if check is None or not check(user, assessment):
        raise PermissionDenied(_("Bare virksomhetslederen kan gjøre dette.") if action == "lead" else "")


def _assessment_or_404(assessment_uuid) -> Assessment:
    try:
        return Assessment.objects.select_related("agency", "questionnaire").get(uuid=assessment_uuid)
    except (Assessment.DoesNotExist, ValueError):
        raise Http404 from None


def get_assessment(request, assessment_uuid, action: str = "view") -> Assessment:
    """Fetch an assessment for an action: 404 when invisible, 403 when visible but not allowed."""
    assessment = _assessment_or_404(assessment_uuid)
    if not can_view(request.user, assessment):
        raise Http404
    check = ACTIONS[action]
    if action != "view" and not check(request.user, assessment):
        raise PermissionDenied
    return assessment


def get_assessment_for_exemptions(request, assessment_uuid) -> Assessment:
    """Fetch an assessment for public-access work: like get_assessment(..., "exempt"), but administrators, who
    read no assessments otherwise, see the submitted ones here (404 for a draft, 403 for a reader)."""
    if roles_for(request.user).is_superuser:
        assessment = _assessment_or_404(assessment_uuid)
        if not can_manage_exemptions(request.user, assessment):
            raise Http404
        return assessment
    return get_assessment(request, assessment_uuid, "exempt")


# --- Agency-level and municipal pages ------------------------------------------------------------


def leader_agencies(user) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=roles_for(user).leader_of)


def may_read_audit_log(roles: Roles) -> bool:
    """Reviewers and auditors read the log (auditors within scope); leaders read their agency's events."""
    return roles.is_reviewer or roles.is_auditor or roles.is_leader or roles.is_superuser


def audit_agency_scope(user) -> frozenset[int] | None:
    """Agencies whose audit events the user may read; None means all."""
    roles = roles_for(user)
    if roles.is_reviewer or roles.is_superuser or (roles.is_auditor and not roles.auditor_scope):
        return None
    scope = set(roles.leader_of)
    if roles.auditor_scope:
        scope |= roles.auditor_scope
    return frozenset(scope)


def signed_in(view):
    """Require sign-in: anonymous users are sent to the sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.kiv_guarded = True  # read by tests/test_view_guards.py: every URL is guarded or marked @public
    return wrapper


def require(predicate):
    """Require sign-in and a role predicate over Roles (403 when it fails)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(roles_for(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.kiv_guarded = True
        return wrapper

    return decorator


def conflict_is_409(view):
    """The one place a state conflict becomes a response: 409 with the reason and a link to the assessment
    as it is now. A service raises StateConflict before it changes anything, so nothing is lost."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except StateConflict as exc:
            context = {"message": str(exc), "assessment": exc.assessment}
            return render(request, "409.html", context, status=409)

    return wrapper


def acts(*methods: str):
    """The guard of a view that acts: sign-in first (`signed_in`), then only the HTTP methods named (405 for
    any other), and a state conflict answered 409 (`conflict_is_409`). `@acts("POST")` for a button;
    `@acts("GET", "POST")` for a form whose GET shows the page or leads back to it. The view still asks
    for its object with the action it needs (`get_assessment`) before it does anything."""

    def decorator(view):
        return signed_in(require_http_methods(list(methods))(conflict_is_409(view)))

    return decorator


# --- The data protection officer and the security officer ---------------------------------------

# Answers to this question say whether personal data are processed; "unknown" brings up the data protection
# section too, so the DPO reads those as well.
PERSONAL_DATA_QUESTION = "pd_any"
PERSONAL_DATA_VALUES = ("yes", "unknown")
# The sections the security officer reads, in every questionnaire version so far.
SECURITY_SECTIONS = frozenset({"security"})


def _with_personal_data() -> Exists:
    lookup = {f"answers__{PERSONAL_DATA_QUESTION}__in": PERSONAL_DATA_VALUES}
    return Exists(AssessmentVersion.objects.filter(assessment=OuterRef("pk"), **lookup))


def officer_roles_for(user) -> tuple[str, ...]:
    """The officer roles ("dpo", "security_officer") this user holds."""
    roles = roles_for(user)
    held = []
    if roles.is_dpo:
        held.append(MunicipalRole.Role.DPO.value)
    if roles.is_security_officer:
        held.append(MunicipalRole.Role.SECURITY_OFFICER.value)
    return tuple(held)


def officer_assessments(user, role: str) -> QuerySet[Assessment]:
    """What one officer role reads: for the DPO, every submitted assessment with personal data; for the
    security officer, every submitted assessment (its security sections only). Drafts never."""
    if role not in officer_roles_for(user):
        return Assessment.objects.none()
    qs = Assessment.objects.annotate(submitted_once=_has_versions()).filter(submitted_once=True)
    if role == MunicipalRole.Role.DPO:
        qs = qs.annotate(personal_data=_with_personal_data()).filter(personal_data=True)
    return qs


def _officer_reads(user, assessment: Assessment, role: str) -> bool:
    return officer_assessments(user, role).filter(pk=assessment.pk).exists()


def get_assessment_as_officer(request, assessment_uuid, role: str) -> Assessment:
    """Fetch an assessment for an officer role: 404 unless it is in that role's reading scope."""
    try:
        return officer_assessments(request.user, role).select_related("agency").get(uuid=assessment_uuid)
    except (Assessment.DoesNotExist, ValueError):
        raise Http404 from None


def is_officer(roles: Roles) -> bool:
    return roles.is_officer


def is_reviewer(roles: Roles) -> bool:
    return roles.is_reviewer


def is_auditor_or_reviewer(roles: Roles) -> bool:
    return roles.is_auditor or roles.is_reviewer


def is_leader(roles: Roles) -> bool:
    return roles.is_leader


def may_edit_catalogue(roles: Roles) -> bool:
    """The tool overview is kept by UKE (reviewers) and administrators; everyone signed in reads it."""
    return roles.is_reviewer or roles.is_superuser


def may_manage_exemptions(roles: Roles) -> bool:
    """Public access (offentleglova): UKE (reviewers) and administrators; the list of submitted assessments to
    work on (views/public_access.py), and with can_manage_exemptions each assessment's page."""
    return roles.is_reviewer or roles.is_superuser


def is_superuser(roles: Roles) -> bool:
    return roles.is_superuser


def can_verify(roles: Roles) -> bool:
    return roles.is_auditor or roles.is_reviewer or roles.is_leader


def public(view):
    """Mark a view as deliberately open to anonymous users (sign-in page, health, public register). The mark is
    what tests/test_view_guards.py accepts in place of `signed_in` or `require`, so an open view is a choice."""
    view.kiv_public = True
    return view
