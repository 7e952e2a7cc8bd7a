"""The tool overview's services: versions, flags on a stricter entry, the daily expiry, and step 1 of the wizard.

A chosen entry's facts become ordinary answers on every step; answers it filled stay locked; an old assessment
keeps the version it was answered with; withdrawing an approval flags every approved or submitted assessment that
uses the tool, with its leaders told through the outbox.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import services
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import missing_required, visible_answers
from assessments.models import AuditEvent, OutboxMessage
from assessments.models.catalogue import CatalogueFlag, ToolEntryVersion
from assessments.notifications import outbox
from assessments.services import catalogue
from tests.catalogue_helpers import approved_with, make_tool, pick, v3_assessment, v3_definition

pytestmark = pytest.mark.django_db


def test_a_change_is_a_new_version_and_the_old_one_never_changes(world):
    first = make_tool(world)
    second = catalogue.tool_change(
        entry=first.entry, data={"max_class": "open"}, actor=world.users["reviewer"], change_note="Strengere"
    )
    assert (first.number, second.number) == (1, 2)
    assert ToolEntryVersion.objects.get(pk=first.pk).max_class == "internal"
    assert second.name == first.name and second.max_class == "open"
    with pytest.raises(ValueError):
        first.save()
    actions = list(AuditEvent.objects.filter(action__startswith="catalogue.").values_list("action", flat=True))
    assert actions == ["catalogue.created", "catalogue.changed"]


def test_only_uke_and_administrators_change_the_catalogue(world):
    with pytest.raises(PermissionDenied):
        catalogue.tool_create(slug="x", data={}, actor=world.users["leader_a"])


def test_picking_an_approved_tool_fills_answers_on_other_steps_and_leaves_fewer_questions(world):
    version = make_tool(world, personal_data_allowed=True)
    assessment = v3_assessment(world)
    defn = as_definition(v3_definition())
    before = missing_required(defn, visible_answers(defn, assessment.answers))
    assessment = pick(world, assessment, version.ref)
    answers = assessment.answers
    assert answers["cat_ref"] == "kommunechat@1" and answers["cat_name"] == "Kommunechat"
    assert answers["sec_hosting"] == "cloud_eea" and answers["pd_dpa"] == "yes" and answers["pd_vendor_train"] == "no"
    after = missing_required(defn, visible_answers(defn, answers))
    assert "sec_hosting" in before and "sec_hosting" not in after
    assert len(after) < len(before)


def test_input_above_the_tools_approval_stops_naming_the_tool(world):
    version = make_tool(world, personal_data_allowed=True)
    assessment = pick(world, v3_assessment(world), version.ref)
    defn = as_definition(v3_definition())
    answers = {**assessment.answers, "sec_classification": "confidential"}
    result = score(defn, visible_answers(defn, answers))
    stop = next(rule for rule in result.hard_rules if rule["id"] == "catalogue_class_exceeded")
    assert "Kommunechat" in stop["title"]
    assert result.verdict == "stop"


def test_locked_answers_keep_the_entrys_value_on_later_steps(world):
    version = make_tool(world, personal_data_allowed=True)
    assessment = pick(world, v3_assessment(world), version.ref)
    section = v3_definition_section_of("sec_hosting")
    values = {q.key: assessment.answers.get(q.key) for q in section.questions}
    values["sec_hosting"] = "outside_eea"
    saved = services.assessment_save_step(
        assessment=assessment,
        section=section.key,
        values=values,
        expected_revision=assessment.revision,
        user=world.users["leader_a"],
    )
    assert saved.assessment.answers["sec_hosting"] == "cloud_eea"


def v3_definition_section_of(key: str):
    defn = as_definition(v3_definition())
    return defn.section(defn.questions[key].section)


def test_not_in_the_overview_clears_what_the_entry_filled(world):
    version = make_tool(world, personal_data_allowed=True)
    assessment = pick(world, v3_assessment(world), version.ref, cat_deviation="Egen avtale")
    assert assessment.answers["cat_deviation"] == "Egen avtale"
    assessment = pick(world, assessment, None)
    assert assessment.answers["cat_choice"] == "not_listed"
    for key in ("cat_ref", "cat_name", "sec_hosting", "pd_dpa", "cat_deviation"):
        assert key not in assessment.answers


def test_an_old_version_cannot_be_picked_and_the_stored_one_is_refreshed_on_save(world):
    version = make_tool(world, personal_data_allowed=True)
    assessment = pick(world, v3_assessment(world), version.ref)
    catalogue.tool_change(entry=version.entry, data={"max_class": "open"}, actor=world.users["reviewer"])
    # The draft's form still posts the version it was drawn with: the save brings it up to the current one...
    assessment = pick(world, assessment, version.ref)
    assert assessment.answers["cat_ref"] == "kommunechat@2" and assessment.answers["cat_max_class"] == "open"
    # ...but a draft that never had it cannot pick it.
    other = v3_assessment(world, title="Annen")
    with pytest.raises(ValidationError):
        pick(world, other, version.ref)
    assert pick(world, other, "kommunechat@2").answers["cat_max_class"] == "open"


def test_withdrawing_flags_every_approved_or_submitted_assessment_and_tells_its_leader(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    submitted = pick(world, v3_assessment(world, title="Innsendt chat"), version.ref)
    services.assessment_submit(assessment=submitted, user=world.users["leader_a"])
    draft = pick(world, v3_assessment(world, title="Utkast chat"), version.ref)
    mail.outbox.clear()

    withdrawn = catalogue.tool_withdraw(entry=version.entry, actor=world.users["reviewer"], note="Avtalen er sagt opp")
    outbox.deliver_due()

    flagged = set(CatalogueFlag.objects.values_list("assessment_id", flat=True))
    assert flagged == {approved.pk, submitted.pk}
    assert draft.pk not in flagged
    flag = CatalogueFlag.objects.get(assessment=approved)
    assert flag.used_ref == "kommunechat@1" and flag.new_version == withdrawn and flag.reasons == ["status"]
    messages = OutboxMessage.objects.filter(kind="catalogue_changed")
    assert messages.count() == 2 and {m.to for m in messages} == {"leader_a@example.org"}
    assert any("Godkjent chat" in m.subject for m in mail.outbox)
    assert AuditEvent.objects.filter(action="assessment.catalogue_flagged").count() == 2
    # The approved assessment keeps the version it was answered with.
    assert approved.latest_version().answers["cat_ref"] == "kommunechat@1"


def test_a_looser_change_flags_nothing(world):
    version = make_tool(world, personal_data_allowed=True)
    approved_with(world, version)
    catalogue.tool_change(entry=version.entry, data={"max_class": "confidential"}, actor=world.users["reviewer"])
    assert not CatalogueFlag.objects.exists()


def test_the_daily_check_ends_an_expired_agreement_once(world):
    version = make_tool(world, personal_data_allowed=True, dpa_valid_until=dt.date(2026, 6, 1))
    approved = approved_with(world, version)
    assert catalogue.expire_due(dt.date(2026, 6, 2)) == {"approvals": 0, "agreements": 1}
    assert catalogue.expire_due(dt.date(2026, 6, 3)) == {"approvals": 0, "agreements": 0}
    current = version.entry.current()
    assert current.number == 2 and current.dpa is False
    assert CatalogueFlag.objects.get(assessment=approved).reasons == ["dpa"]


def test_an_expired_approval_is_withdrawn(world):
    version = make_tool(world, approved_until=dt.date(2026, 6, 1))
    catalogue.expire_due(dt.date(2026, 7, 1))
    assert version.entry.current().status == "withdrawn"


def test_api_tokens_are_stored_hashed_and_revocable(world, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    token, raw = catalogue.api_token_issue(name="Sak", actor=admin)
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert catalogue.api_token_check(raw) == token
    catalogue.api_token_revoke(token=token, actor=admin)
    assert catalogue.api_token_check(raw) is None
    with pytest.raises(PermissionDenied):
        catalogue.api_token_issue(name="Nei", actor=world.users["reviewer"])


def test_the_queue_the_register_and_the_review_page_show_the_flag(world):
    version = make_tool(world, personal_data_allowed=True)
    approved = approved_with(world, version)
    catalogue.tool_withdraw(entry=version.entry, actor=world.users["reviewer"])
    reviewer = world.client("reviewer")
    queue = reviewer.get(reverse("assessments:review_queue")).content.decode()
    assert "Må vurderes på nytt" in queue and "Godkjent chat" in queue
    register = world.client("leader_b").get(reverse("assessments:register")).content.decode()
    assert "Kommunechat" in register and "må vurderes på nytt: verktøyet er endret" in register
    make_tool(world, slug="annet", name="Annet verktøy")
    filtered = world.client("leader_b").get(reverse("assessments:register"), {"tool": "annet"})
    assert filtered.status_code == 200 and "Godkjent chat" not in filtered.content.decode()
    detail = reviewer.get(reverse("assessments:review_detail", args=[approved.uuid])).content.decode()
    assert "kommunechat@1" in detail and "kommunechat@1 → kommunechat@2" in detail


def test_a_step_one_question_the_entry_does_not_fill_keeps_the_leaders_answer(world):
    # Where the tool comes from (`tool_source`) is the leader's answer in 2026.3, with or without an entry: the
    # step saves it beside the entry's facts, and changing the tool keeps it.
    assessment = pick(world, v3_assessment(world), None, tool_source="not_decided")
    assert assessment.answers["tool_source"] == "not_decided"
    version = make_tool(world, personal_data_allowed=True)
    assessment = pick(world, assessment, version.ref, tool_source="employee_initiative")
    assert assessment.answers["tool_source"] == "employee_initiative"
    assessment = pick(world, assessment, None, tool_source="procured")
    assert assessment.answers["tool_source"] == "procured"
