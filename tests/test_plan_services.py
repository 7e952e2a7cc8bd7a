"""services/plans.py: items from a submission, resubmission, UKE's conditions, the go-live gate, closing,
carrying over on a material change, evidence (type by content, size cap) and the item history."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from assessments import services
from assessments.engine import as_definition, score, validate_answers
from assessments.lifecycle import StateConflict
from assessments.models import AssessmentVersion, AuditEvent, Evidence, PlanItem
from assessments.services import plan_wanted, plans
from tests.answers import DEFINITION, complete, section_of
from tests.assessment_helpers import (
    PDF,
    QUESTIONNAIRES,
    fixture_definition,
    make_assessment,
    published_questionnaire,
    upload,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_submission_makes_one_item_per_obligation_with_history_and_audit(submitted):
    items = list(submitted.plan_items.all())
    codes = {o["code"] for o in submitted.latest_version().result["obligations"]}
    assert {i.key for i in items} >= {f"obligation:{c}" for c in codes}
    assert all(i.status == "not_started" and i.required for i in items)
    assert all(i.history.count() == 1 for i in items)
    assert AuditEvent.objects.filter(action="plan.item_created").count() == len(items)


def second_version(version, result: dict) -> AssessmentVersion:
    """Version 2 of the assessment: version 1's answers with `result` as if scored anew."""
    return AssessmentVersion.objects.create(
        assessment=version.assessment, number=2, questionnaire=version.questionnaire, answers=version.answers,
        result=result, verdict=version.verdict, quadrant=version.quadrant,
    )  # fmt: skip


def test_resubmission_keeps_items_and_marks_dropped_ones_not_required(submitted, leader, world):
    item = submitted.plan_items.first()
    plans.item_update(item=item, user=leader, status="in_progress")
    version = submitted.latest_version()
    result = dict(version.result)
    result["obligations"] = [o for o in result["obligations"] if f"obligation:{o['code']}" != item.key]
    newer = second_version(version, result)
    plans.on_submitted(leader, submitted, newer)
    item.refresh_from_db()
    assert item.required is False and item.status == "in_progress"  # kept, not deleted
    plans.on_submitted(leader, submitted, version)
    item.refresh_from_db()
    assert item.required is True


def test_a_deadline_condition_needs_a_date(submitted, world):
    item = submitted.plan_items.first()
    with pytest.raises(ValidationError):
        services.assessment_approve(
            assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [], "deadline": [item.pk]}
        )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"  # nothing was decided


def test_a_condition_on_another_plans_item_is_refused(submitted, world):
    other = make_assessment(world, "Annen", answers=complete(), submit=True)
    foreign = other.plan_items.first()
    with pytest.raises(ValidationError):
        services.assessment_approve(
            assessment=submitted, user=world.users["reviewer"], conditions={"before_use": [foreign.pk]}
        )


def test_rejection_closes_the_plan(submitted, leader, world):
    services.assessment_reject(assessment=submitted, user=world.users["reviewer"], reason="Nei.")
    with pytest.raises(StateConflict):
        plans.item_update(item=submitted.plan_items.first(), user=leader, status="done")
    assert AuditEvent.objects.filter(action="plan.closed").exists()


def test_withdrawal_closes_the_plan(submitted, leader):
    services.assessment_withdraw(assessment=submitted, user=leader)
    with pytest.raises(StateConflict):
        plans.item_update(item=submitted.plan_items.first(), user=leader, status="done")


def test_a_material_change_carries_open_items_over_with_their_history(submitted, leader, world):
    done, open_ = submitted.plan_items.order_by("pk")[:2]
    plans.item_update(item=done, user=leader, status="done")
    plans.item_update(item=open_, user=leader, status="in_progress", comment="Godt i gang")
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"])
    new = services.assessment_report_material_change(assessment=submitted, user=leader, kinds=["vendor"])
    keys = set(new.plan_items.values_list("key", flat=True))
    assert open_.key in keys and done.key not in keys
    copy = new.plan_items.get(key=open_.key)
    assert copy.carried_from == open_ and copy.status == "in_progress"
    assert copy.history.filter(comment="Godt i gang").exists()


def test_the_old_plan_is_read_only_from_the_moment_the_replacement_exists(submitted, leader, world):
    item = submitted.plan_items.order_by("pk").first()
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"])
    assert plans.replacement_of(submitted) is None
    new = services.assessment_report_material_change(assessment=submitted, user=leader, kinds=["vendor"])
    submitted.refresh_from_db()
    assert submitted.status == "approved"  # not superseded yet, and still handed over
    assert plans.replacement_of(submitted) == new
    for change in (
        lambda: plans.item_update(item=item, user=leader, status="done"),
        lambda: plans.evidence_add(item=item, user=leader, url="https://arkiv.example/dpia"),
    ):
        with pytest.raises(StateConflict, match="flyttet til den nye vurderingen"):
            change()
    item.refresh_from_db()
    assert item.status == "not_started" and not item.evidence.exists()
    copy = plans.carried_copies(new, [item])[item.pk]
    plans.item_update(item=copy, user=leader, status="in_progress")  # the new plan is where work goes on


def test_a_withdrawn_replacement_hands_the_plan_back(submitted, leader, world):
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"])
    new = services.assessment_report_material_change(assessment=submitted, user=leader, kinds=["vendor"])
    services.assessment_withdraw(assessment=new, user=leader)
    assert plans.replacement_of(submitted) is None
    plans.item_update(item=submitted.plan_items.first(), user=leader, status="in_progress")


def test_a_contributor_edits_and_another_agency_may_not(submitted, world):
    item = submitted.plan_items.first()
    plans.item_update(item=item, user=world.users["contributor_a"], status="in_progress")
    with pytest.raises(PermissionDenied):
        plans.item_update(item=item, user=world.users["leader_b"], status="done")
    with pytest.raises(PermissionDenied):
        plans.item_update(item=item, user=world.users["reviewer"], status="done")


def test_not_relevant_needs_a_reason(submitted, leader):
    with pytest.raises(ValidationError):
        plans.item_update(item=submitted.plan_items.first(), user=leader, status="not_relevant")


def test_the_owner_must_belong_to_the_agency(submitted, leader, world):
    with pytest.raises(ValidationError):
        plans.item_update(item=submitted.plan_items.first(), user=leader, status="done", owner=world.users["leader_b"])


def test_evidence_is_stored_under_the_agency_and_audited(submitted, leader, world):
    item = submitted.plan_items.first()
    evidence = plans.evidence_add(item=item, user=leader, upload=upload("dpia.pdf", PDF))
    assert evidence.storage_name.startswith(f"evidence/{world.agency_a.slug}/{submitted.uuid}/")
    assert default_storage.open(evidence.storage_name).read() == PDF
    assert evidence.content_type == "application/pdf" and len(evidence.sha256) == 64
    plans.evidence_remove(evidence=evidence, user=leader)
    evidence.refresh_from_db()
    assert evidence.removed_at is not None and default_storage.exists(evidence.storage_name)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"plan.evidence_added", "plan.evidence_removed"} <= actions


@pytest.mark.parametrize(
    ("name", "data"),
    [("bilde.pdf", PNG), ("notat.docx", PDF), ("script.pdf", b"#!/bin/sh\necho hi\n"), ("tom.pdf", b"")],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_stored(submitted, leader, name, data):
    item = submitted.plan_items.first()
    with pytest.raises(ValidationError):
        plans.evidence_add(item=item, user=leader, upload=upload(name, data))
    assert not Evidence.objects.exists()
    assert not default_storage.exists(f"evidence/{submitted.agency.slug}")


def test_a_file_over_the_cap_is_refused(submitted, leader, settings):
    settings.KIV_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="for stor"):
        plans.evidence_add(item=submitted.plan_items.first(), user=leader, upload=upload("stor.pdf", PDF * 100))
    assert not Evidence.objects.exists()


def test_a_link_is_evidence_too(submitted, leader):
    evidence = plans.evidence_add(item=submitted.plan_items.first(), user=leader, url="https://arkiv.example/dpia/1")
    assert evidence.url and not evidence.storage_name


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://arkiv.example/dpia", "arkiv"])
def test_a_link_that_is_not_a_web_address_is_refused_by_the_service_too(submitted, leader, url):
    item = submitted.plan_items.first()
    with pytest.raises(ValidationError) as refused:
        plans.evidence_add(item=item, user=leader, url=url)
    assert "https://" in refused.value.message_dict["url"][0]
    assert not Evidence.objects.filter(item=item).exists()


def test_a_resubmission_with_a_changed_answer_refreshes_the_items_reasons_without_history(submitted, leader, world):
    item = submitted.plan_items.get(key="obligation:inform_employee_reps")
    assert item.why.endswith("«Hvem kan bli berørt av løsningen?»: Ansatte.")
    services.assessment_return(assessment=submitted, user=world.users["reviewer"], reason="Flere berøres.")
    submitted.refresh_from_db()
    changed = section_of("intro", complete(affected=["employees", "residents"]))
    services.assessment_save_step(
        assessment=submitted, section="intro", values=changed, expected_revision=submitted.revision, user=leader
    )
    services.assessment_submit(assessment=submitted, user=leader)
    item.refresh_from_db()
    assert item.why.endswith("«Hvem kan bli berørt av løsningen?»: Ansatte, Innbyggere og brukere av tjenestene.")
    assert item.why_en.endswith("“Who may be affected by the solution?”: Employees, Residents and service users.")
    assert item.history.count() == 1  # the texts are no state change


def test_a_refreshed_title_is_written_to_the_history_the_status_report_reads(submitted, leader):
    item = submitted.plan_items.get(key="obligation:inform_employee_reps")
    version = submitted.latest_version()
    result = dict(version.result)
    result["obligations"] = [
        {**o, "title_en": "Talk to the unions"} if o["code"] == "inform_employee_reps" else o
        for o in result["obligations"]
    ]
    newer = second_version(version, result)
    plans.on_submitted(leader, submitted, newer)
    item.refresh_from_db()
    assert item.title_en == "Talk to the unions"
    latest = item.history.order_by("at", "id").last()
    assert latest.change == "item_texts_updated" and latest.state["title_en"] == "Talk to the unions"


def test_an_english_text_filled_in_for_the_first_time_writes_no_history_row(submitted, leader):
    """Items made before there was English get it at the next submission; that is no change to record."""
    item = submitted.plan_items.get(key="obligation:inform_employee_reps")
    PlanItem.objects.filter(pk=item.pk).update(title_en="", source_en="")
    before = item.history.count()
    version = submitted.latest_version()
    plans.on_submitted(leader, submitted, second_version(version, dict(version.result)))
    item.refresh_from_db()
    assert item.title_en and item.history.count() == before


def test_a_measure_gets_its_english_title_from_the_definition_and_its_why_from_the_english_note(submitted):
    version = submitted.latest_version()
    question = DEFINITION.questions["pd_any"]
    version.result = {
        **version.result,
        "what_if": {
            "possible": True,
            "changes": [{"key": "pd_any", "label": question.label, "to": "no", "to_label": "Nei"}],
            "note": "Med «Nei» blir risikoen lav.",
            "note_en": "With «No» the risk becomes low.",
        },
    }
    fields = plan_wanted.wanted_items(version)["measure:pd_any"]
    # A task: the answer to reach, then the question.
    assert fields["title"] == f"Sørg for at svaret blir «Nei»: {question.label}"
    assert (
        fields["title_en"] == f"Make sure the answer becomes “{question.value_label('no', 'en')}”: {question.label_en}"
    )
    assert fields["why_en"] == "With “No” the risk becomes low."
    assert fields["source_en"] == plan_wanted.WHAT_IF_SOURCE_EN


# --- An obligation done by a measure (2026.7, `measure:` in the questionnaire) -----------------------------------


# The what-if names pd_dpia and gen_management_decision, the measures of the obligations dpia and management_decision.
DICTATION = QUESTIONNAIRES.parent / "scenarios" / "v2026_7" / "case_note_dictation_building_permits.json"


def dictation_result() -> dict:
    definition = as_definition(fixture_definition("2026.7"))
    answers = json.loads(DICTATION.read_text(encoding="utf-8"))["answers"]
    return score(definition, validate_answers(definition, answers)[0]).to_dict()


def on_2026_7(version: AssessmentVersion, result: dict | None = None) -> AssessmentVersion:
    """Version 2 of the assessment, submitted on 2026.7 with the dictation scenario's result (or `result`)."""
    newer = second_version(version, result or dictation_result())
    newer.questionnaire = published_questionnaire("2026.7")
    newer.save(update_fields=["questionnaire"])
    return newer


def test_an_obligation_done_by_a_measure_the_what_if_names_is_one_item_carrying_the_measure(submitted):
    fields = plan_wanted.wanted_items(on_2026_7(submitted.latest_version()))
    assert "measure:pd_dpia" not in fields and "measure:gen_management_decision" not in fields
    dpia = fields["obligation:dpia"]
    assert (dpia["kind"], dpia["measure_key"], dpia["measure_value"]) == ("obligation", "pd_dpia", "done_acceptable")
    assert dpia["title"] == "Vurdering av personvernkonsekvenser (DPIA)" and dpia["source"].startswith("GDPR art. 35")
    # The reason is the obligation's, then which answer lowers the risk, in each language.
    assert dpia["why"].startswith("Behandlingen gir sannsynlig høy risiko")
    task = "Sørg for at svaret blir «Gjennomført – restrisikoen er akseptabel»"
    assert f"Dette er også et tiltak fra hva om-analysen: {task}" in dpia["why"]
    assert dpia["why"].endswith("og risikoen blir lav i matrisen.")
    assert dpia["why_en"].startswith("The processing is likely to result in a high risk")
    assert "This is also a measure from the what-if analysis: Make sure the answer becomes “" in dpia["why_en"]
    assert "«" not in dpia["why_en"]
    # An obligation whose measure the what-if does not name stays a plain obligation.
    assert fields["obligation:data_processing_agreement"]["measure_key"] == ""


def test_a_measure_whose_obligation_does_not_apply_is_an_item_of_its_own(submitted):
    result = dictation_result()
    result["obligations"] = [o for o in result["obligations"] if o["code"] != "dpia"]
    fields = plan_wanted.wanted_items(on_2026_7(submitted.latest_version(), result))
    assert "obligation:dpia" not in fields
    assert (fields["measure:pd_dpia"]["kind"], fields["measure:pd_dpia"]["measure_key"]) == ("measure", "pd_dpia")


def test_a_resubmission_on_2026_7_makes_the_old_separate_measure_not_required(submitted, leader):
    """A plan made before 2026.7 had both items: the obligation's item takes the measure over, the measure's item
    is kept (with its history and evidence) as no longer required."""
    old = PlanItem.objects.create(
        assessment=submitted, key="measure:pd_dpia", kind="measure", title="DPIA", measure_value="done_acceptable",
        measure_key="pd_dpia",
    )  # fmt: skip
    PlanItem.objects.get_or_create(assessment=submitted, key="obligation:dpia", defaults={"kind": "obligation"})
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    old.refresh_from_db()
    dpia = submitted.plan_items.get(key="obligation:dpia")
    assert old.required is False and old.history.last().change == "item_no_longer_required"
    assert (dpia.required, dpia.kind, dpia.measure_key) == (True, "obligation", "pd_dpia")
    assert dpia.measure_value == "done_acceptable"
    assert not submitted.plan_items.filter(key__startswith="measure:", required=True).exists()
    assert dpia.kind_label == "Plikt og tiltak for lavere risiko" and old.kind_label == "Tiltak"


def test_a_material_change_carries_the_measure_of_an_obligation_over(submitted, leader, world):
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    services.assessment_approve(assessment=submitted, user=world.users["reviewer"])
    new = services.assessment_report_material_change(assessment=submitted, user=leader, kinds=["vendor"])
    copy = new.plan_items.get(key="obligation:dpia")
    assert (copy.measure_key, copy.measure_value) == ("pd_dpia", "done_acceptable")


def moved_from(item: PlanItem) -> str:
    """The key the item had before the latest submission moved its task (from the audit event of the change)."""
    event = AuditEvent.objects.filter(action__startswith="plan.item_", details__item=item.pk).latest("id")
    return event.details.get("previous_key", "")


def test_a_measure_whose_obligation_now_carries_it_moves_to_the_obligations_key_with_its_work(submitted, leader):
    """Only the measure's item held the task (made before 2026.7): it becomes the obligation's item, so its owner,
    status and history stay with the task instead of a fresh item starting at "not started"."""
    submitted.plan_items.filter(key="obligation:dpia").delete()
    old = PlanItem.objects.create(
        assessment=submitted, key="measure:pd_dpia", kind="measure", title="DPIA", measure_value="done_acceptable",
        measure_key="pd_dpia", status="in_progress", owner=leader,
    )  # fmt: skip
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    old.refresh_from_db()
    assert (old.key, old.kind, old.status, old.owner, old.required) == (
        "obligation:dpia", "obligation", "in_progress", leader, True)  # fmt: skip
    assert old.title == "Vurdering av personvernkonsekvenser (DPIA)"
    assert moved_from(old) == "measure:pd_dpia"
    assert not submitted.plan_items.filter(key="measure:pd_dpia").exists()


def test_an_obligation_that_no_longer_applies_hands_its_measure_and_its_work_back(submitted, leader):
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    dpia = submitted.plan_items.get(key="obligation:dpia")
    plans.item_update(item=dpia, user=leader, status="in_progress")
    result = dictation_result()
    result["obligations"] = [o for o in result["obligations"] if o["code"] != "dpia"]
    second = submitted.latest_version()
    third = AssessmentVersion.objects.create(
        assessment=submitted, number=3, questionnaire=second.questionnaire, answers=second.answers, result=result,
        verdict=second.verdict, quadrant=second.quadrant,
    )  # fmt: skip
    plans.on_submitted(leader, submitted, third)
    dpia.refresh_from_db()
    assert (dpia.key, dpia.kind, dpia.status, dpia.required) == ("measure:pd_dpia", "measure", "in_progress", True)
    assert moved_from(dpia) == "obligation:dpia"
    assert not submitted.plan_items.filter(key="obligation:dpia").exists()


def dpia_item(assessment) -> PlanItem:
    """The DPIA obligation's item (the complete answers on 2026.1 do not ask for one)."""
    item, _created = PlanItem.objects.get_or_create(assessment=assessment, key="obligation:dpia", kind="obligation")
    return item


def test_the_work_on_an_old_separate_measure_comes_to_the_obligation_that_now_carries_it(submitted, leader):
    """A plan made before 2026.7 with both items, the measure done and documented, the obligation not started: after
    the resubmission the obligation's item has the files, the owner and the status, and the log says where from."""
    dpia = dpia_item(submitted)
    old = PlanItem.objects.create(
        assessment=submitted, key="measure:pd_dpia", kind="measure", title="DPIA gjennomført", measure_key="pd_dpia",
        measure_value="done_acceptable", owner=leader,
    )  # fmt: skip
    plans.evidence_add(item=old, user=leader, upload=upload("dpia.pdf", PDF))
    plans.evidence_add(item=old, user=leader, url="https://arkiv.example.org/dpia")
    plans.item_update(item=old, user=leader, owner=leader, status="done")
    plans.evidence_add(item=dpia, user=leader, url="https://arkiv.example.org/dpia")  # already there: not twice

    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    dpia.refresh_from_db()
    old.refresh_from_db()
    assert (dpia.status, dpia.owner, dpia.required) == ("done", leader, True)
    files = dpia.evidence.filter(removed_at__isnull=True)
    assert sorted((e.file_name, e.url) for e in files) == [("", "https://arkiv.example.org/dpia"), ("dpia.pdf", "")]
    assert files.get(file_name="dpia.pdf").storage_name == old.evidence.get(file_name="dpia.pdf").storage_name
    assert old.required is False and old.evidence.filter(removed_at__isnull=True).count() == 2  # kept as it was
    merged = dpia.history.get(change="item_merged")
    assert merged.state["status"] == "done"
    event = AuditEvent.objects.get(action="plan.item_merged")
    assert (event.details["from_key"], event.details["evidence_copied"]) == ("measure:pd_dpia", 1)
    assert old.key == f"merged:{old.pk}:measure:pd_dpia"  # no later version finds the emptied item under its key


def old_measure_item(assessment, **fields) -> PlanItem:
    """A separate DPIA measure item as plans made before 2026.7 had it beside the obligation's."""
    return PlanItem.objects.create(
        assessment=assessment, key="measure:pd_dpia", kind="measure", title="DPIA", measure_key="pd_dpia",
        measure_value="done_acceptable", **fields,
    )  # fmt: skip


def without_the_dpia_duty(assessment) -> AssessmentVersion:
    """The next version, where the DPIA duty no longer applies but the what-if still names pd_dpia."""
    result = dictation_result()
    result["obligations"] = [o for o in result["obligations"] if o["code"] != "dpia"]
    latest = assessment.latest_version()
    return AssessmentVersion.objects.create(
        assessment=assessment, number=latest.number + 1, questionnaire=latest.questionnaire, answers=latest.answers,
        result=result, verdict=latest.verdict, quadrant=latest.quadrant,
    )  # fmt: skip


def test_after_a_merge_a_version_that_wants_the_measure_alone_keeps_the_obligations_item_and_its_work(
    submitted, leader
):
    dpia = dpia_item(submitted)
    old_measure_item(submitted)
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    dpia.refresh_from_db()
    plans.evidence_add(item=dpia, user=leader, url="https://arkiv.example.org/dpia")
    plans.item_update(item=dpia, user=leader, status="done")
    plans.on_submitted(leader, submitted, without_the_dpia_duty(submitted))
    task = submitted.plan_items.get(key="measure:pd_dpia")
    assert (task.pk, task.status, task.required, task.evidence.count()) == (dpia.pk, "done", True, 1)
    emptied = submitted.plan_items.get(key__startswith="merged:")
    assert (emptied.required, emptied.measure_key) == (False, "")  # no longer the task's item


def test_a_merge_copies_each_file_once_and_not_what_the_target_removed_or_the_scan_held_back(submitted, leader):
    dpia = dpia_item(submitted)
    old = old_measure_item(submitted)
    for url in ("https://arkiv.example.org/a", "https://arkiv.example.org/a", "https://arkiv.example.org/b"):
        plans.evidence_add(item=old, user=leader, url=url)
    held = plans.evidence_add(item=old, user=leader, upload=upload("ros.pdf", PDF))
    Evidence.objects.filter(pk=held.pk).update(scan_status=Evidence.Scan.QUARANTINED)
    removed = plans.evidence_add(item=dpia, user=leader, url="https://arkiv.example.org/b")
    plans.evidence_remove(evidence=removed, user=leader)
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    kept = dpia.evidence.filter(removed_at__isnull=True)
    assert list(kept.values_list("url", flat=True)) == ["https://arkiv.example.org/a"]


def test_a_merge_takes_the_due_date_and_only_an_owner_still_in_the_agency(submitted, leader, world):
    dpia = dpia_item(submitted)
    due = dt.date(2027, 3, 1)
    old_measure_item(submitted, owner=world.users["leader_b"], due_date=due)  # leader_b is of agency B
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    dpia.refresh_from_db()
    assert (dpia.owner, dpia.due_date) == (None, due)


def test_a_merge_never_sets_an_item_back(submitted, leader):
    dpia = dpia_item(submitted)
    plans.evidence_add(item=dpia, user=leader, url="https://arkiv.example.org/dpia")
    plans.item_update(item=dpia, user=leader, status="done")
    old_measure_item(submitted, status="in_progress")
    second = on_2026_7(submitted.latest_version())
    plans.on_submitted(leader, submitted, second)
    plans.on_submitted(leader, submitted, second)  # submitted once more
    dpia.refresh_from_db()
    assert dpia.status == "done"
    assert not dpia.history.filter(change="item_merged").exists()  # nothing came over, and nothing twice


def test_a_merge_leaves_an_obligation_that_went_further_or_was_judged_not_relevant_as_it_is(submitted, leader):
    dpia = dpia_item(submitted)
    plans.item_update(item=dpia, user=leader, status="not_relevant", status_reason="Dekket av felles DPIA")
    old_measure_item(submitted, status="in_progress")
    plans.on_submitted(leader, submitted, on_2026_7(submitted.latest_version()))
    dpia.refresh_from_db()
    assert (dpia.status, dpia.status_reason) == ("not_relevant", "Dekket av felles DPIA")
    assert not dpia.history.filter(change="item_merged").exists()


def test_item_update_says_whether_it_saved_and_an_empty_save_writes_no_history(submitted, leader):
    item = submitted.plan_items.first()
    rows = item.history.count()
    assert plans.item_update(item=item, user=leader, status=item.status) is False
    assert item.history.count() == rows
    assert plans.item_update(item=item, user=leader, status=item.status, comment="Sjekket") is True
    assert plans.item_update(item=item, user=leader, status="in_progress") is True
    assert item.history.count() == rows + 2
