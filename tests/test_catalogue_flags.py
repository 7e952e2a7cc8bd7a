"""After an entry changes: flags closed by a re-assessment or by UKE (and kept as history), drafts told and
refreshed on their next save (services/catalogue_flags.py)."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessments import services
from assessments.models import AuditEvent, OutboxMessage
from assessments.models.catalogue import CatalogueFlag
from assessments.queries.catalogue import open_flags
from assessments.services import catalogue, catalogue_flags
from tests.catalogue_helpers import approved_with, make_tool, pick, v3_assessment
from tests.conftest import make_user
from tests.responses import forms_left_to_the_browser

pytestmark = pytest.mark.django_db


def _stricter(world, version):
    return catalogue.tool_change(
        entry=version.entry, data={"vendor_trains_on_inputs": True}, actor=world.users["reviewer"]
    )


def _save_intro(world, assessment):
    """Save step 1 as the form shows it (the stored tool version posted back)."""
    return pick(world, assessment, assessment.answers["cat_ref"])


def test_a_re_assessment_with_the_current_version_closes_the_flag_when_approved(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    new = services.assessment_report_material_change(assessment=approved, user=world.users["leader_a"], kinds=["tool"])
    new = _save_intro(world, new)
    assert new.answers["cat_ref"] == "kommunechat@2"
    services.assessment_submit(assessment=new, user=world.users["leader_a"])
    flag.refresh_from_db()
    assert flag.closed_at is None  # the old assessment is still in force until the new one is approved
    services.assessment_approve(assessment=new, user=world.users["reviewer"])
    flag.refresh_from_db()
    assert flag.closed_how == "reassessed" and flag.closed_at is not None
    assert str(new.uuid) in flag.close_note
    assert not open_flags().filter(pk=flag.pk).exists()
    event = AuditEvent.objects.get(action="assessment.catalogue_flag_closed")
    assert event.details["by_assessment"] == str(new.uuid) and event.details["uses"] == "kommunechat@2"


def test_a_flagged_submission_sent_in_again_with_the_current_version_closes_its_flag(world):
    version = make_tool(world, personal_data_allowed=True)
    submitted = pick(world, v3_assessment(world, title="Innsendt chat"), version.ref)
    services.assessment_submit(assessment=submitted, user=world.users["leader_a"])
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=submitted)
    services.assessment_recall(assessment=submitted, user=world.users["leader_a"])
    submitted.refresh_from_db()
    submitted = _save_intro(world, submitted)
    services.assessment_submit(assessment=submitted, user=world.users["leader_a"])
    flag.refresh_from_db()
    assert flag.closed_how == "reassessed"


def test_an_answer_set_still_on_the_old_version_resolves_nothing(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    assert not catalogue_flags.resolves(flag, {"cat_ref": "kommunechat@1"})
    assert catalogue_flags.resolves(flag, {"cat_ref": "kommunechat@2"})
    assert catalogue_flags.resolves(flag, {"cat_choice": "not_listed"})  # the tool is no longer used


def test_uke_dismisses_a_flag_with_a_reason_and_it_shows_as_history(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    reviewer = world.client("reviewer")
    url = reverse("assessments:catalogue_flag_dismiss", args=[flag.pk])
    detail = reverse("assessments:review_detail", args=[approved.uuid])
    response = reviewer.get(detail)
    page = response.content.decode()
    assert url in page and "Avslutt flagget" in page
    assert forms_left_to_the_browser(response) == []  # an empty reason is refused by the app, in its words

    refused = reviewer.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "Skriv hvorfor flagget avsluttes." in refused.content.decode()
    unstorable = reviewer.post(url, {"reason": "Ikke\x00 relevant"})
    assert unstorable.status_code == 400 and "tegn som ikke kan lagres" in unstorable.content.decode()
    assert CatalogueFlag.objects.get(pk=flag.pk).closed_at is None

    response = reviewer.post(url, {"reason": "Bydelen bruker bare åpen informasjon <b>her</b>."})
    assert response.status_code == 302 and response.url == detail
    flag.refresh_from_db()
    assert flag.closed_how == "dismissed" and flag.closed_by == world.users["reviewer"]
    event = AuditEvent.objects.get(action="assessment.catalogue_flag_dismissed")
    assert event.details["reason"].startswith("Bydelen bruker") and event.details["ref"] == "kommunechat@2"

    page = reviewer.get(detail).content.decode()
    assert "Vurderingen må vurderes på nytt som en vesentlig endring" not in page
    assert "1 avsluttet flagg" in page and "Avsluttet av UKE" in page
    assert "&lt;b&gt;her&lt;/b&gt;" in page  # free text escaped
    register = world.client("leader_b").get(reverse("assessments:register")).content.decode()
    assert "må vurderes på nytt: verktøyet er endret" not in register
    with pytest.raises(ValidationError):
        catalogue_flags.flag_dismiss(flag=flag, actor=world.users["reviewer"], reason="Igjen")


def test_a_refused_reason_is_shown_at_its_field_on_the_review_page_with_the_text_kept(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    url = reverse("assessments:catalogue_flag_dismiss", args=[flag.pk])
    too_long = "Bydelen <i>bruker</i> " + "x" * catalogue_flags.DISMISS_REASON_MAX

    response = world.client("reviewer").post(url, {"reason": too_long})
    assert response.status_code == 400
    assert response.templates[0].name == "review/detail.html"
    page = response.content.decode()
    field = f"flag-reason-{flag.pk}"
    summary = page[page.index("data-error-summary") : page.index("</div>", page.index("data-error-summary"))]
    assert f'href="#{field}"' in summary and "Avslutt flagget – Begrunnelsen kan ha høyst 2000 tegn" in summary
    assert f'<p class="error-text" id="{field}_error">Begrunnelsen kan ha høyst 2000 tegn' in page
    textarea = re.search(rf'<textarea [^>]*id="{field}"[^>]*>(.*?)</textarea>', page, re.S)
    assert 'aria-invalid="true"' in textarea.group(0) and 'name="reason"' in textarea.group(0)
    assert textarea.group(1).strip() == escape(too_long)  # what was typed is kept, escaped
    assert forms_left_to_the_browser(response) == []
    assert CatalogueFlag.objects.get(pk=flag.pk).closed_at is None

    english = world.client("reviewer")
    english.cookies["django_language"] = "en"
    page = english.post(url, {"reason": ""}).content.decode()
    assert "Write why the flag is closed." in page


def test_a_flag_closed_meanwhile_is_said_so_on_the_review_page(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    catalogue_flags.flag_dismiss(flag=flag, actor=world.users["reviewer"], reason="I en annen fane")
    url = reverse("assessments:catalogue_flag_dismiss", args=[flag.pk])
    response = world.client("reviewer").post(url, {"reason": "Igjen"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:review_detail", args=[approved.uuid])
    assert "Flagget er allerede avsluttet" in response.content.decode()


def test_only_uke_and_administrators_dismiss_flags(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    with pytest.raises(PermissionDenied):
        catalogue_flags.flag_dismiss(flag=flag, actor=world.users["leader_a"], reason="Min egen")
    page = world.client("leader_a").get(reverse("assessments:review_detail", args=[approved.uuid])).content.decode()
    assert "Avslutt flagget" not in page


def test_an_administrator_who_closes_a_flag_lands_on_the_tools_page_not_a_missing_review_page(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    _stricter(world, version)
    flag = CatalogueFlag.objects.get(assessment=approved)
    admin = Client()
    admin.force_login(make_user("admin_f", is_superuser=True, is_staff=True))
    url = reverse("assessments:catalogue_flag_dismiss", args=[flag.pk])
    tool_page = reverse("assessments:catalogue_detail", args=[version.entry.slug])
    refused = admin.post(url, {"reason": ""}, follow=True)
    assert refused.redirect_chain[-1][0] == tool_page and refused.status_code == 200
    closed = admin.post(url, {"reason": "Endringen gjelder ikke denne bruken."}, follow=True)
    assert closed.redirect_chain[-1][0] == tool_page and closed.status_code == 200
    flag.refresh_from_db()
    assert flag.closed_at is not None


def test_a_draft_on_a_changed_entry_is_told_and_refreshed_on_its_next_save(world):
    version = make_tool(world, personal_data_allowed=True)
    draft = pick(world, v3_assessment(world, title="Utkast chat"), version.ref, cat_deviation="Bare internt.")
    catalogue.tool_change(
        entry=version.entry, data={"max_class": "open", "hosting": "outside_eea"}, actor=world.users["reviewer"]
    )
    assert not CatalogueFlag.objects.filter(assessment=draft).exists()
    told = OutboxMessage.objects.filter(kind="catalogue_changed_draft")
    assert told.count() == 1 and "Utkast chat" in told.get().subject
    assert draft.get_absolute_url() in told.get().body
    assert AuditEvent.objects.filter(action="assessment.catalogue_draft_told").count() == 1
    leader = world.client("leader_a")
    summary = leader.get(reverse("assessments:assessment_step", args=[draft.uuid, "summary"])).content.decode()
    assert "kommunechat@1 → kommunechat@2" in summary and "neste gang du lagrer et steg" in summary

    with pytest.raises(ValidationError, match="Lagre et steg"):
        services.assessment_submit(assessment=draft, user=world.users["leader_a"])

    draft.refresh_from_db()
    # The save brings the facts up to date, the hosting answered on another step as well.
    answers = _save_intro(world, draft).answers
    assert answers["cat_ref"] == "kommunechat@2" and answers["cat_max_class"] == "open"
    assert answers["sec_hosting"] == "outside_eea"
    assert answers["cat_deviation"] == "Bare internt."  # the leader's note is kept
    summary = leader.get(reverse("assessments:assessment_step", args=[draft.uuid, "summary"])).content.decode()
    assert "neste gang du lagrer et steg" not in summary
