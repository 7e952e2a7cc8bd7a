"""The quick path's pages (hurtigsjekk): the screening form, its result, submitting as *forenklet*, and UKE's
"require the full assessment". The reasoning is the engine's; the writes are in services/quickpath.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments import services
from assessments.choices import ToolStatus
from assessments.engine.loader import as_definition
from assessments.engine.screening import screening_for
from assessments.forms.quickpath import ScreeningForm
from assessments.forms.review import DecisionForm
from assessments.permissions import (
    acts,
    get_assessment,
    is_leader,
    leader_agencies,
    require,
    signed_in,
)
from assessments.presentation.display import localized
from assessments.presentation.quickpath import present_screening
from assessments.queries.catalogue import current_versions
from assessments.services import quickpath
from assessments.views import flash_form_errors
from assessments.views.assessments import sent_twice


@require(is_leader)
def quickpath_new(request):
    questionnaire = quickpath.quick_questionnaire()
    if questionnaire is None:  # the published version has no screening: only the full wizard
        return redirect("assessments:assessment_new")
    screening = screening_for(questionnaire.definition)
    form = ScreeningForm(
        request.POST or None,
        agencies=leader_agencies(request.user),
        screening=screening,
        tools=current_versions(statuses=[ToolStatus.APPROVED]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment, _result = quickpath.screening_start(
                user=request.user,
                title=form.cleaned_data["title"],
                answers=form.answers(),
                tool=form.tool(),
                **form.new_draft(),
            )
        except services.AlreadyCreated as exc:
            return sent_twice(request, exc.assessment, "assessments:quickpath_result")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("assessments:quickpath_result", uuid=assessment.uuid)
    context = {
        "form": form,
        "title": localized(screening, "title") or _("Hurtigsjekk"),
        "intro": localized(screening, "intro"),
    }
    return render(request, "quickpath/screening.html", context, status=400 if form.errors else 200)


@signed_in
def quickpath_result(request, uuid):
    assessment = get_assessment(request, uuid, "lead")
    result = quickpath.screening_result(assessment)
    if result is None:
        return redirect(assessment)
    defn = as_definition(assessment.questionnaire.definition)
    full_required = quickpath.full_required_reasons(assessment)
    context = {
        "assessment": assessment,
        "screen": present_screening(defn, result.to_dict(), assessment.screening_answers),
        "may_submit": quickpath.quick_path_open(assessment),
        "full_required": full_required,
    }
    return render(request, "quickpath/result.html", context)


@acts("POST")
def quickpath_submit(request, uuid):
    assessment = get_assessment(request, uuid, "lead")
    try:
        quickpath.screening_submit(assessment=assessment, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("assessments:quickpath_result", uuid=assessment.uuid)
    messages.success(request, _("Den forenklede vurderingen er sendt til UKE."))
    return redirect(assessment)


@acts("POST")
def quickpath_require_full(request, uuid):
    assessment = get_assessment(request, uuid, "review")
    form = DecisionForm(request.POST, prefix="full")
    detail = reverse("assessments:review_detail", args=[assessment.uuid])
    if form.is_valid():
        try:
            quickpath.screening_require_full(
                assessment=assessment,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version_number=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Virksomheten må gjøre en full vurdering. Svarene er tatt med."))
            return redirect(detail)
    flash_form_errors(request, form)
    return redirect(detail)
