"""UKE's review: the queue, the review page with its comments and decisions, and material changes.

Every view asks the permission layer first. Decisions go through the services; a decision on a
version that is no longer the one under review (a second tab, a resubmission meanwhile) raises
StateConflict, which `conflict_is_409` answers with 409; nothing is changed.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import labels, lifecycle, services
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visible_sections
from assessments.forms.plans import ConditionsForm
from assessments.forms.review import (
    CommentForm,
    DecisionForm,
    FlagDismissForm,
    MaterialChangeForm,
    QueueFilterForm,
)
from assessments.models import Assessment, AssessmentVersion, PlanItem, ReviewComment
from assessments.models.officers import officer_advice_for
from assessments.permissions import (
    acts,
    can_edit,
    can_review,
    conflict_is_409,
    get_assessment,
    is_reviewer,
    require,
    roles_for,
    signed_in,
)
from assessments.presentation.display import language, localized
from assessments.presentation.links import uuid_link
from assessments.presentation.result_view import present
from assessments.queries import lists as queries
from assessments.queries import search
from assessments.queries.paging import Count, estimated_count, paginate, querystring_without_page
from assessments.services import MATERIAL_CHANGE_KINDS
from assessments.views.filters import NOTHING

PAGE_SIZE = 25
DECISIONS = ("return", "approve", "reject")


_l = gettext_lazy
QUEUE_COLUMNS = [_l("Tittel"), _l("Virksomhet"), _l("Status"), _l("Versjon"), _l("Konklusjon"), _l("Kvadrant")]
QUEUE_COLUMNS += [_l("Sendt inn")]


@require(is_reviewer)
def review_queue(request):
    data = request.GET.copy()
    data.setdefault("status", Assessment.Status.SUBMITTED)  # what waits for UKE; "status=" shows all
    form = QueueFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": Assessment.Status.SUBMITTED}
    status = filters.get("status") or ""
    qs, counts_base = queries.queue(
        request.user,
        status=status,
        agency=filters.get("agency"),
        verdict=filters.get("verdict") or "",
        quadrant=filters.get("quadrant") or "",
        q=filters.get("q") or "",
        sort=filters.get("sort") or "oldest",
    )
    counts = queries.status_counts(counts_base)
    # Without a verdict, quadrant or title filter the list is as long as the status count says.
    known = None
    if not (filters.get("verdict") or filters.get("quadrant") or filters.get("q")):
        known = counts.get(status, Count(0)) if status else sum(counts.values(), Count(0))
    elif filters.get("q"):  # a title search may match thousands: estimate rather than count them
        known = estimated_count(qs)
    if form.errors:  # an invalid filter lists nothing (views/filters.py); the counts per status stay
        qs, known = qs.none(), NOTHING
    page = paginate(qs, PAGE_SIZE, request.GET.get("page"), known)
    page.object_list = queries.rows(page.object_list)
    detail = uuid_link("assessments:review_detail")
    # Not get_status_display(): Django hashes every translated choice on each call, most of a row's time.
    status_label, verdict_label = labels.for_batch(labels.STATUSES), labels.for_batch(labels.VERDICTS)
    quadrant_label = labels.for_batch(labels.QUADRANTS)
    for item in page.object_list:
        item.url = detail(item.uuid)
        item.status_label = status_label(item.status)
        item.verdict_label = verdict_label(item.v_verdict)
        item.quadrant_label = quadrant_label(item.v_quadrant)
    context = {
        "form": form,
        "page": page,
        "counts": [
            (value, label, counts.get(value, Count(0)))
            for value, label in Assessment.Status.choices
            if value in counts or value == Assessment.Status.SUBMITTED
        ],
        "querystring": querystring_without_page(request),
        "columns": QUEUE_COLUMNS,
        "similar_only": search.similar_only(qs),
    }
    return render(request, "review/queue.html", context)


@signed_in
def review_detail(request, assessment_uuid):
    assessment = get_assessment(request, assessment_uuid, "view")
    return render(request, "review/detail.html", review_context(request, assessment))


def _earlier_version(assessment: Assessment, versions: list[AssessmentVersion]) -> AssessmentVersion | None:
    """What to compare with: the previous version, or for a material change the version it replaces."""
    if len(versions) > 1:
        return versions[-2]
    if assessment.replaces_id:
        return (
            AssessmentVersion.objects.filter(assessment_id=assessment.replaces_id)
            .select_related("questionnaire")
            .order_by("-number")
            .first()
        )
    return None


def _answer_rows(defn, current, earlier, comments) -> tuple[list[dict], list[dict]]:
    """The current answers by section, and the questions whose answers changed since `earlier`."""
    now_by_key, before_by_key = {}, {}
    for comment in comments:
        if comment.question_key:
            target = now_by_key if comment.version_id == current.pk else before_by_key
            target.setdefault(comment.question_key, []).append(comment)
    before = earlier.answers if earlier else None
    sections = [
        _section_rows(section, current.answers, before, now_by_key, before_by_key)
        for section in visible_sections(defn, current.answers)
    ]
    changes = _changes(defn, current.answers, before, before_by_key) if before is not None else []
    return sections, changes


def _section_rows(section, answers: dict, before: dict | None, now_by_key: dict, before_by_key: dict) -> dict:
    lang = language()
    rows = []
    for question in section.questions:
        if question.key not in answers and question.key not in (before or {}):
            continue
        value = answers.get(question.key)
        rows.append(
            {
                "key": question.key,
                "label": localized(question, "label"),
                "value": question.value_label(value, lang),
                "is_text": question.type == "text",
                "changed": before is not None and before.get(question.key) != value,
                "before": question.value_label(before.get(question.key), lang) if before is not None else "",
                "comments": now_by_key.get(question.key, []),
                "earlier_comments": before_by_key.get(question.key, []),
            }
        )
    changed = sum(1 for row in rows if row["changed"])
    commented = sum(1 for row in rows if row["comments"] or row["earlier_comments"])
    return {
        "key": section.key,
        "title": localized(section, "title"),
        "rows": rows,
        "changed": changed,
        "commented": commented,
        # Open what needs reading: everything in a first version, else what changed or has comments.
        "open": before is None or bool(changed or commented),
    }


def _changes(defn, answers: dict, before: dict, before_by_key: dict) -> list[dict]:
    lang = language()
    changes = []
    for key in sorted(set(before) | set(answers), key=lambda k: _order(defn, k)):
        if before.get(key) == answers.get(key):
            continue
        question = defn.questions.get(key)
        if question is None:
            continue  # not a question of this questionnaire: nothing a person could read
        changes.append(
            {
                "key": key,
                "label": localized(question, "label"),
                "before": question.value_label(before[key], lang)
                if key in before
                else _("(ikke besvart eller ikke vist)"),
                "after": question.value_label(answers[key], lang) if key in answers else _("(ikke vist nå)"),
                "earlier_comments": before_by_key.get(key, []),
            }
        )
    return changes


def _order(defn, key: str) -> int:
    question = defn.questions.get(key)
    return question.order if question else 10_000


def _material_change(assessment: Assessment) -> list[str]:
    kinds = assessment.material_change_kinds if assessment.replaces_id else []
    return [str(MATERIAL_CHANGE_KINDS[k]) for k in kinds if k in MATERIAL_CHANGE_KINDS]


def review_context(request, assessment: Assessment, *, forms: dict | None = None, error: str = "") -> dict:
    versions = list(assessment.versions.select_related("questionnaire", "decided_by", "submitted_by"))
    context = {
        "assessment": assessment,
        "versions": versions,
        "error": error,
        "roles": roles_for(request.user),
    }
    if not versions:
        return context
    current = versions[-1]
    earlier = _earlier_version(assessment, versions)
    comments = list(
        ReviewComment.objects.filter(version__assessment=assessment).select_related("author", "version", "replied_by")
    )
    defn = as_definition(current.questionnaire.definition)
    sections, changes = _answer_rows(defn, current, earlier, comments)
    may_decide = (
        can_review(request.user, assessment)
        and assessment.status == Assessment.Status.SUBMITTED
        and not current.decision
    )
    forms = forms or {}
    context["error_list"] = _error_list(forms, error)
    initial = {"version": current.number}
    context.update(
        {
            "current": current,
            "earlier": earlier,
            "sections": sections,
            "changes": changes,
            "general_comments": [c for c in comments if not c.question_key and c.version_id == current.pk],
            "earlier_general_comments": [c for c in comments if not c.question_key and c.version_id != current.pk],
            # The stored result, shown by the wizard's partial as the leader saw it when submitting.
            "result": present(defn, current.result, id_prefix="review-matrix"),
            "material_change": _material_change(assessment),
            "may_decide": may_decide,
            "may_edit": can_edit(request.user, assessment),
            "may_approve": may_decide and current.verdict != lifecycle.STOP_VERDICT,
            "stop_not_approvable": labels.STOP_NOT_APPROVABLE,
            "approve_explanation": _approve_explanation(),
            "comment_max": services.REVIEW_COMMENT_MAX_LENGTH,
            "plan_conditions": PlanItem.conditions_of(current),
            **_review_forms(assessment, forms, initial),
            "conflict_of_interest": roles_for(request.user).is_reviewer and not can_review(request.user, assessment),
            # UKE reads the DPO's and the security officer's advice beside the answers (views/officers.py).
            "officer_advice": officer_advice_for(assessment) if roles_for(request.user).is_reviewer else None,
            "open_replacement": Assessment.objects.filter(
                replaces=assessment,
                status__in=lifecycle.OPEN_STATUSES,
            ).first(),
        }
    )
    return context


def _approve_explanation() -> str:
    return _(
        "Godkjenning lager en signert rapport og setter en frist for ny vurdering (%(months)s måneder, "
        "%(high)s ved høy risiko)."
    ) % {"months": services.REVIEW_MONTHS, "high": services.REVIEW_MONTHS_HIGH_RISK}


def _review_forms(assessment: Assessment, forms: dict, initial: dict) -> dict:
    """The review page's forms: those posted with errors (`forms`), the others empty."""
    return {
        "comment_form": forms.get("comment") or CommentForm(initial=initial),
        "conditions_form": forms.get("conditions") or _conditions_form(assessment),
        "decision_forms": {
            action: forms.get(action) or _decision_form(action, initial=initial) for action in DECISIONS
        },
        # The quick path: UKE may require the full assessment instead (views/quickpath.py).
        "full_form": DecisionForm(initial=initial, prefix="full"),
        # A refused reason for closing a tool overview flag (catalogue/_tool_box.html, views/catalogue.py).
        "flag_dismiss_form": forms.get("flag_dismiss"),
    }


DECISION_TITLES = {
    "return": gettext_lazy("Returner for endring"),
    "approve": gettext_lazy("Godkjenn"),
    "reject": gettext_lazy("Avvis"),
}


def _error_list(forms: dict, error: str) -> list[dict[str, str]]:
    """Every problem of a refused form on the page, each linked to its field (the error summary)."""
    problems = [{"label": "", "anchor": "", "message": error}] if error else []
    comment = forms.get("comment")
    if comment is not None and comment.errors:
        key = comment.data.get("question_key") or "general"
        for message in [*comment.errors.get("text", []), *comment.non_field_errors()]:
            problems.append({"label": _("Kommentar"), "anchor": f"c-{key}", "message": message})
    for action, title in DECISION_TITLES.items():
        form = forms.get(action)
        if form is None or not form.errors:
            continue
        for name, messages_ in form.errors.items():
            anchor = form["reason"].auto_id if name in ("reason", "__all__") else ""
            for message in messages_:
                problems.append({"label": str(title), "anchor": anchor, "message": message})
    flag_form: FlagDismissForm | None = forms.get("flag_dismiss")
    if flag_form is not None:
        for message in [*flag_form.errors.get("reason", []), *flag_form.non_field_errors()]:
            problems.append({"label": _("Avslutt flagget"), "anchor": flag_form["reason"].auto_id, "message": message})
    conditions = forms.get("conditions")
    if conditions is not None and conditions.errors:
        for name, messages_ in conditions.errors.items():
            anchor = conditions[name].auto_id if name == "deadline_date" else "approval-conditions"
            for message in messages_:
                problems.append({"label": str(DECISION_TITLES["approve"]), "anchor": anchor, "message": message})
    return problems


def rerender(request, assessment, *, status: int, forms: dict | None = None, error: str = "") -> HttpResponse:
    """The review page again with a refused form's errors at its fields (also for the tool box's flag form,
    views/catalogue.py)."""
    assessment.refresh_from_db()  # after a refused action, show the state as it is now
    context = review_context(request, assessment, forms=forms, error=error)
    return render(request, "review/detail.html", context, status=status)


def _detail_url(assessment, anchor: str = "") -> str:
    return reverse("assessments:review_detail", args=[assessment.uuid]) + (f"#{anchor}" if anchor else "")


@acts("GET", "POST")
def review_comment(request, assessment_uuid):
    """A refused comment is shown at this URL, so a GET here (a reload) opens the case."""
    assessment = get_assessment(request, assessment_uuid, "review")
    if request.method == "GET":
        return redirect(_detail_url(assessment, "general-comments"))
    form = CommentForm(request.POST)
    if not form.is_valid():
        return rerender(request, assessment, status=400, forms={"comment": form})
    key = form.cleaned_data["question_key"]
    try:
        services.review_comment_add(
            assessment=assessment,
            user=request.user,
            text=form.cleaned_data["text"],
            question_key=key,
            version_number=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return rerender(request, assessment, status=400, forms={"comment": form})
    messages.success(request, _("Kommentaren er lagret."))
    return redirect(_detail_url(assessment, f"q-{key}" if key else "general-comments"))


def _conditions_form(assessment, data=None) -> ConditionsForm:
    """UKE's conditions on approval: which items of the action plan come before use or within a deadline."""
    return ConditionsForm(data, prefix="conditions", items=assessment.plan_items.filter(required=True))


def _decision_form(action: str, data=None, initial=None) -> DecisionForm:
    """Returning and rejecting need a reason; approving takes an optional comment."""
    return DecisionForm(data, initial=initial, prefix=action, reason_required=action != "approve")


# Approval and rejection seal a report at once and cannot be undone, so they are confirmed on a page of their own
# (as the leader's submission is); a return can be answered by resubmitting and is not.
SEALING_DECISIONS = ("approve", "reject")


def _confirm_decision(request, assessment, action: str, form: DecisionForm, conditions) -> HttpResponse:
    """What the decision will say, with the posted fields carried as hidden inputs to confirm or to go back."""
    carried = [(name, value) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"
               for value in values]  # fmt: skip
    context = {
        "assessment": assessment,
        "action": action,
        "reason": form.cleaned_data["reason"],
        "chosen": conditions.chosen_titles() if conditions is not None else None,
        "deadline_date": conditions.cleaned_data.get("deadline_date") if conditions is not None else None,
        "carried": carried,
    }
    return render(request, "review/decide_confirm.html", context)


@acts("GET", "POST")
def review_decide(request, assessment_uuid, action: str) -> HttpResponse:
    """Return, approve or reject (the URL names the action). A refused decision is shown at this URL, so a GET
    here (a reload) opens the case."""
    assessment = get_assessment(request, assessment_uuid, "review")
    if request.method == "GET":
        return redirect(_detail_url(assessment))
    form = _decision_form(action, request.POST)
    conditions = _conditions_form(assessment, request.POST) if action == "approve" else None
    if not form.is_valid() or (conditions is not None and not conditions.is_valid()):
        return rerender(request, assessment, status=400, forms={action: form, "conditions": conditions})
    if action in SEALING_DECISIONS and request.POST.get("confirmed") != "1":
        if "edit" in request.POST:  # back from the confirmation, with what was written and ticked
            return rerender(request, assessment, status=200, forms={action: form, "conditions": conditions})
        return _confirm_decision(request, assessment, action, form, conditions)
    data = form.cleaned_data
    service = {
        "return": services.assessment_return,
        "approve": services.assessment_approve,
        "reject": services.assessment_reject,
    }[action]
    text = {"comment": data["reason"]} if action == "approve" else {"reason": data["reason"]}
    if conditions is not None:
        text["conditions"] = conditions.conditions()
    try:
        service(assessment=assessment, user=request.user, version_number=data["version"], **text)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return rerender(request, assessment, status=400, forms={action: form})
    done = {
        "return": _("Vurderingen er returnert til virksomheten."),
        "approve": _("Vurderingen er godkjent. Den signerte rapporten lages nå."),
        "reject": _("Vurderingen er avvist. Den signerte rapporten lages nå."),
    }
    messages.success(request, done[action])
    return redirect(_detail_url(assessment))


def _assessment_url(assessment: Assessment) -> str:
    try:
        return assessment.get_absolute_url()
    except NoReverseMatch:  # the wizard's page is not there (yet): the review page shows the versions
        return _detail_url(assessment)


@signed_in
@conflict_is_409
def material_change(request, assessment_uuid):
    """The leader reports a new vendor, purpose, data or model: a new draft, prefilled from the approved."""
    assessment = get_assessment(request, assessment_uuid, "lead")
    form = MaterialChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new = services.assessment_report_material_change(
            assessment=assessment, user=request.user, kinds=form.cleaned_data["kinds"]
        )
        messages.success(
            request,
            _(
                "En ny vurdering er åpnet med svarene fra den godkjente. Gå gjennom "
                "svarene, endre det som er nytt, og send den inn."
            ),
        )
        return redirect(_assessment_url(new))
    status = 400 if request.method == "POST" else 200
    context = {
        "assessment": assessment,
        "form": form,
        "open": assessment.status == Assessment.Status.APPROVED,
    }
    return render(request, "review/material_change.html", context, status=status)
