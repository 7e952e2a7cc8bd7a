"""The pages around an assessment: start one, its page, contributors, recall/withdraw, export and import.

Each view asks the permission layer first (404 when the assessment is invisible, 403 when the action is not
allowed) and leaves every write to a service.
"""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from assessments import labels, lifecycle, services
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import visible_answers
from assessments.forms import ContributorForm, ImportForm, NewAssessmentForm, ReportLanguageForm
from assessments.models import Assessment, Membership, Questionnaire
from assessments.permissions import (
    acts,
    can_see_draft,
    conflict_is_409,
    get_assessment,
    is_leader,
    is_leader_of,
    leader_agencies,
    require,
    signed_in,
)
from assessments.presentation.actions import available_actions
from assessments.presentation.result_view import answer_sections, present, question_label
from assessments.presentation.return_notes import return_notes
from assessments.services.quickpath import full_required_reasons, quick_path_open, quick_questionnaire
from assessments.text import whole_number
from assessments.views import flash_form_errors


def _shown(assessment: Assessment, user) -> dict:
    """The result the page shows: the live draft for its editors, else the latest submitted version."""
    versions = list(assessment.versions.select_related("questionnaire", "submitted_by", "decided_by"))
    for version in versions:
        version.verdict_label = labels.label(labels.VERDICTS, version.verdict)
    latest = versions[-1] if versions else None
    if can_see_draft(user, assessment) and (assessment.is_editable or latest is None):
        defn = as_definition(assessment.questionnaire.definition)
        answers = visible_answers(defn, assessment.answers)
        result = score(defn, answers).to_dict()
        source = "draft"
    elif latest is not None:
        defn = as_definition(latest.questionnaire.definition)
        answers, result, source = latest.answers, latest.result, "version"
    else:  # pragma: no cover - can_view() never lets anyone else see an assessment without versions
        raise PermissionDenied
    return {
        "versions": versions,
        "latest": latest,
        "source": source,
        "result": present(defn, result),
        "sections": answer_sections(defn, answers, missing=set(result.get("missing", []))),
    }


@signed_in
def assessment_detail(request, uuid):
    assessment = get_assessment(request, uuid, "view")
    context = {"assessment": assessment, **_shown(assessment, request.user)}
    latest = context["latest"]
    actions = available_actions(request.user, assessment, undecided=latest is not None and not latest.decision)
    defn = as_definition(assessment.questionnaire.definition)
    context.update(
        {
            "actions": actions,
            "returned": return_notes(assessment, defn),
            "full_required": full_required_reasons(assessment) if assessment.is_editable else [],
            "newer_questionnaire": services.newer_questionnaire(assessment)
            if is_leader_of(request.user, assessment)
            else None,
            # A draft the quick check let through keeps its way back there (its answers also fill the full form).
            "quick_path_open": is_leader_of(request.user, assessment) and quick_path_open(assessment),
            "language_form": ReportLanguageForm(initial={"language": assessment.language}),
            "contributors": assessment.contributors.order_by("first_name", "username")
            if can_see_draft(request.user, assessment)
            else [],
        }
    )
    return render(request, "assessments/assessment_detail.html", context)


@require(is_leader)
def assessment_new(request):
    form = NewAssessmentForm(request.POST or None, agencies=leader_agencies(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                user=request.user, title=form.cleaned_data["title"], **form.new_draft()
            )
        except services.AlreadyCreated as exc:
            return sent_twice(request, exc.assessment, "assessments:assessment_continue")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # No flash message: the first step says itself that the draft is created and saved per step.
            return redirect("assessments:assessment_continue", uuid=assessment.uuid)
    quick = quick_questionnaire() is not None and not request.GET.get("full")
    context = {"form": form, "quick_path": quick}
    return render(request, "assessments/assessment_new.html", context, status=400 if form.errors else 200)


@signed_in
def assessment_contributors(request, uuid):
    """The leader invites contributors of the same agency to edit the draft, or removes them."""
    assessment = get_assessment(request, uuid, "lead")
    User = get_user_model()
    members = Membership.objects.filter(agency_id=assessment.agency_id, role=Membership.Role.CONTRIBUTOR)
    candidates = (
        User.objects.filter(pk__in=members.values("user_id"))
        .exclude(pk__in=assessment.contributors.values("pk"))
        .order_by("first_name", "username")
    )
    form = ContributorForm(candidates=candidates)
    if request.method == "POST":
        if "remove" in request.POST:
            contributor = get_object_or_404(assessment.contributors, pk=whole_number(request.POST["remove"]) or 0)
            services.assessment_remove_contributor(assessment=assessment, user=request.user, contributor=contributor)
            messages.success(
                request,
                _("%(name)s kan ikke lenger redigere utkastet.")
                % {"name": contributor.get_full_name() or contributor.username},
            )
            return redirect("assessments:assessment_contributors", uuid=assessment.uuid)
        form = ContributorForm(request.POST, candidates=candidates)
        if form.is_valid():
            contributor = form.cleaned_data["contributor"]
            services.assessment_invite_contributor(assessment=assessment, user=request.user, contributor=contributor)
            messages.success(
                request,
                _("%(name)s kan nå redigere utkastet.") % {"name": contributor.get_full_name() or contributor.username},
            )
            return redirect("assessments:assessment_contributors", uuid=assessment.uuid)
    return render(
        request,
        "assessments/assessment_contributors.html",
        {
            "assessment": assessment,
            "form": form,
            "contributors": assessment.contributors.order_by("first_name", "username"),
            "has_candidates": candidates.exists(),
        },
    )


@acts("POST")
def assessment_recall(request, uuid):
    assessment = get_assessment(request, uuid, "lead")
    services.assessment_recall(assessment=assessment, user=request.user)
    recalled = _(
        "Vurderingen er hentet tilbake og er et utkast igjen. UKE ser den ikke i køen før du sender den inn på nytt."
    )
    messages.success(request, recalled)
    return redirect(assessment)


@acts("POST")
def assessment_language(request, uuid):
    """The leader changes the language of the report and the e-mails while the assessment is a draft."""
    assessment = get_assessment(request, uuid, "lead")
    form = ReportLanguageForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("assessments:assessment_detail", uuid=assessment.uuid)
    changed = services.assessment_set_language(
        assessment=assessment, user=request.user, language=form.cleaned_data["language"]
    )
    messages.success(
        request,
        _("Språket i rapporten og e-postene er nå: %(language)s.") % {"language": changed.get_language_display()},
    )
    return redirect("assessments:assessment_detail", uuid=assessment.uuid)


@acts("POST")
def assessment_move_questionnaire(request, uuid):
    """Move a draft to the newest questionnaire version; the answers carry over, new questions start empty."""
    assessment = get_assessment(request, uuid, "lead")
    try:
        moved, added = services.assessment_move_questionnaire(assessment=assessment, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(assessment)
    messages.success(
        request,
        ngettext(
            "Utkastet bruker nå versjon %(version)s. Svarene dine er tatt med; %(count)d nytt spørsmål er ubesvart.",
            "Utkastet bruker nå versjon %(version)s. Svarene dine er tatt med; %(count)d nye spørsmål er ubesvart.",
            len(added),
        )
        % {"version": moved.questionnaire.version, "count": len(added)},
    )
    return redirect("assessments:assessment_continue", uuid=moved.uuid)


@signed_in
@conflict_is_409
def assessment_withdraw(request, uuid):
    """A confirmation page, then the terminal withdrawal (kept for the record)."""
    assessment = get_assessment(request, uuid, "lead")
    if request.method == "POST":
        services.assessment_withdraw(assessment=assessment, user=request.user)
        messages.success(request, _("Vurderingen er trukket. Den er tatt vare på, men kan ikke endres."))
        return redirect(assessment)
    return render(
        request,
        "assessments/assessment_withdraw.html",
        {
            "assessment": assessment,
            "allowed": lifecycle.allowed("withdraw", assessment.status),
        },
    )


@signed_in
def assessment_export(request, uuid):
    """The answers file: the draft for its editors, the latest submitted version for everyone else."""
    assessment = get_assessment(request, uuid, "view")
    has_versions = assessment.versions.exists()
    draft = can_see_draft(request.user, assessment) and (assessment.is_editable or not has_versions)
    data = services.assessment_export(assessment=assessment, user=request.user, draft=draft)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"{pgettext('file name', 'svar')}-{assessment.uuid}-" + (
        pgettext("file name", "utkast") if draft else f"v{data['meta']['version']}"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require(is_leader)
def assessment_import(request):
    """A new draft from an answers file: validated in full, nothing stored from a rejected file."""
    form = ImportForm(request.POST or None, request.FILES or None, agencies=leader_agencies(request.user))
    file_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            assessment, warnings = services.assessment_import(
                user=request.user, data=form.cleaned_data["file"], title=form.cleaned_data["title"], **form.new_draft()
            )
        except services.AlreadyCreated as exc:
            return sent_twice(request, exc.assessment, "assessments:assessment_continue")
        except services.AnswersFileError as exc:
            file_errors = _named_errors(form.cleaned_data["file"], exc.errors)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Svarene er importert til et nytt utkast. Se over dem før du sender inn."))
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("assessments:assessment_continue", uuid=assessment.uuid)
    return render(
        request,
        "assessments/assessment_import.html",
        {
            "form": form,
            "file_errors": file_errors,
        },
        status=400 if file_errors or form.errors else 200,
    )


def sent_twice(request, assessment, url_name: str) -> HttpResponse:
    """A form that creates a draft, sent again (services.AlreadyCreated): to the draft the first one made."""
    messages.info(request, _("Skjemaet ble sendt mer enn én gang. Utkastet ble bare opprettet én gang, og her er det."))
    return redirect(url_name, uuid=assessment.uuid)


def _named_errors(data, errors: dict[str, str]) -> list[dict[str, str]]:
    """Each offending key with its question text when the key is known."""
    version = data.get("questionnaire") if isinstance(data, dict) else None
    questionnaire = (
        Questionnaire.objects.filter(version=version).first() if isinstance(version, str) else None
    ) or Questionnaire.latest()
    defn = as_definition(questionnaire.definition) if questionnaire else None
    return [
        {"key": key, "label": question_label(defn, key) if defn and key in defn.questions else "", "message": message}
        for key, message in errors.items()
    ]
