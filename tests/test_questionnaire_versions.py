"""Questionnaires 2026.2 to 2026.15 beside 2026.1: old versions stay as released, answers carry over, drafts move."""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from assessments import services
from assessments.audit.chain import verify_chain
from assessments.demo import seed_questionnaires
from assessments.engine import as_definition, load_definition, score, validate_answers
from assessments.lifecycle import StateConflict
from assessments.models import Assessment, AuditEvent, Questionnaire
from tests.answers import complete

COMPLETE_ANSWERS = complete()

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = [ROOT / "fixtures" / "questionnaire" / f"2026.{minor}" for minor in range(1, 16)]  # oldest first
V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15 = VERSIONS
NEWEST = V15.name

# The released files of each version, by SHA-256. Assessments made on a version keep it, so a change would
# silently change their meaning: a fix comes as a new version, never as an edit of these files.
RELEASED = {
    V1: {
        "rules.yaml": "f244697fa3dd097bf07706a95bfa125f5627e9088c59f76c23321cbf5133bc47",
        "sections.yaml": "2fef3e8c7759bede9a8cdac8e251008a97b1e0b79ed2867d35b03284caa99bde",
    },
    V2: {
        "rules.yaml": "2173939859c582fae9ca281cc8cff201d7924558fa863a7417c9b8caf276ef3f",
        "sections.yaml": "8265ed47bd82ec40ccfb1554ea125ff69aa4016abb726e441a6aaf778c7637f2",
    },
    V3: {
        "rules.yaml": "3181b9442ffc9318075f3a6d08276aa7a8936beb19e7d7048bfe482be0086466",
        "screening.yaml": "20709e7e30d8b1c8772cf80139c0e9a3f08c6fa82c3ea09a5d6369139b62005c",
        "sections.yaml": "cb3130d6f19e078d9f35579bf13c53fc0faff0f474a6c5ef835ea029344ecf1a",
    },
    V4: {
        "rules.yaml": "83fc216015a638e8e9408ee506a22ea362da26746aee11737ec509b05fb9a01d",
        "screening.yaml": "0b77ca2366bda9fcfb1d11995782e807258485410fd3e49d4e91eb9fa3c0b655",
        "sections.yaml": "f2187c2844cae110f5edc7b0c51288adbf5ae82be9dc19d7bfabc18c363858be",
    },
    V5: {
        "rules.yaml": "96eac4f46a4d525339d6e7e3620a40ce16948cb2ba4cbf460532d692e983ef15",
        "screening.yaml": "2c5f3e30dcdfc8f7d4dc0d1e58e0f0cb178f361151d2fb88017699dfac41dab9",
        "sections.yaml": "1e35c64fc61143218c7fe003ad9fc1800f0bca6b667789ef36135be141fb124c",
    },
    V6: {
        "rules.yaml": "052f06ef0d5544f8b22b10340fed402b12548cad1c0e574a4b4b2548cce1bd05",
        "screening.yaml": "8f10b7d85e4c41793f45a39d339cb96fbf937952310911ac94502fe2dcacbf3a",
        "sections.yaml": "ee495d048cffcaf1fddf9f9863b949d6bebbe400e0abef87c14e311d56f3de4d",
    },
    V7: {
        "rules.yaml": "73dffc155789ed3ffde88f44ed30bf52865092c61eefa15bb8aa26d6b8f3cf32",
        "screening.yaml": "06f24ddc74b0a3cf24e3d8e246984af7a4b7d888e384a50fb36b9d975a45a2a7",
        "sections.yaml": "6809d9ddff6da94de8ec067d501bee0b194ae8f70f8882642e1fe5d6676119d3",
    },
    V8: {
        "rules.yaml": "e6b2d15ac273ee2bb764fe2632dbc19f84cb2d1495c8d53c7bf6d0c4ca95b083",
        "screening.yaml": "02d0de4bfcc217c0b70ec2137d93081e5c305944287d417f54477567dc2431b9",
        "sections.yaml": "ef189b493485535f4c360c7c9bd9e93b96b185c83de7f36d32926a1eee0f5769",
    },
    V9: {
        "rules.yaml": "fc694fa1611b0cf9919ef395d2658b73c8dc1809e0a67acdca783c893c94f993",
        "screening.yaml": "f452193842e7a0645b2dc9baef8ede5b6922ce5a156caf4ab9da007090784f31",
        "sections.yaml": "583a1aa00824a601e42d5681e8b0237a2450474eec50fab86519143a88d8ee52",
    },
    V10: {
        "rules.yaml": "ec3f64e23515c2636c7feff5935ac348ae3edc7c211cc4897bba3ecba0b938b5",
        "screening.yaml": "d60828e0d9536cf22b07109e0a4734714fa94925b45d8f7685ec8818fa1a0829",
        "sections.yaml": "c626523699b68e5d2bb0efd46fc9c0abd032fef02b2fee8aee8de283031ed595",
    },
    V11: {
        "rules.yaml": "289bbdf2071fc80749c933a83f0967ad2b42cdb90c93712fc82f1320e2caf1b7",
        "screening.yaml": "98a9e850cd74acf5a975f10f48a3f31bd49dbcf0b3abb17bbf3a39c1f977eaec",
        "sections.yaml": "a6226ebbe2cdd0794f0687e61b2d43b8d1eb6bd90f7cea669cc88b158273ec2b",
    },
    V12: {
        "rules.yaml": "e461a5f9536ab95779e748345b37025877ef38ae1bfbe82dc85937da96700b25",
        "screening.yaml": "1b709713aefd63037718cea1760c40f822ff00dd4f3bcd4938d8a619a8005851",
        "sections.yaml": "60770db51e03e1af0b4b0da65c7115e9268db0b5bc88d3385df0489eb5c8b367",
    },
    V13: {
        "rules.yaml": "0a2868be7958da82a4602fd26f57088895a00a53d96ffe301afc4ed15dcd1301",
        "screening.yaml": "dc405f48c222148fec6e9be3682abfca352e72b7a2e0f9c6a3964201a10759c6",
        "sections.yaml": "b1798676d44714158738675545e6146142927d321367ff3fdbd5d52a29f85736",
    },
    V14: {
        "rules.yaml": "2113ffd24c0ab185b926304b487a43f61cebcf97b5b4925e94afc31a7651cb0e",
        "screening.yaml": "1961fa6e7df98add1800dc26b7f4ba260bf5347217a85660f667df5dd8126df1",
        "sections.yaml": "32292286eaeff0ae4e44f8a04eea3852e17ec9d7475b56b9daf71a1a469f5cbf",
    },
}


@pytest.mark.parametrize(
    ("folder", "name"),
    [(folder, name) for folder, files in RELEASED.items() for name in sorted(files)],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_the_released_files_are_unchanged(folder, name):
    assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == RELEASED[folder][name]


@pytest.mark.parametrize(
    ("older", "newer"),
    [(older, newer) for i, newer in enumerate(VERSIONS) for older in VERSIONS[:i] if newer not in (V1, V2)],
    ids=lambda value: value.name,
)
def test_a_newer_version_keeps_every_key_and_value_of_the_older_versions(older, newer):
    old, new = as_definition(load_definition(older)), as_definition(load_definition(newer))
    assert [s.key for s in old.sections] == [s.key for s in new.sections]
    for key, question in old.questions.items():
        assert key in new.questions, key
        assert (question.type, new.questions[key].type) in SAME_OR_WIDER, key
        assert set(question.values) <= set(new.questions[key].values), key
        assert new.questions[key].section == question.section, key


# A type stays the same, except that a yes/no question may gain "don't know" (2026.11, 2026.15): its values are a
# superset, so an older answer stays valid and keeps its meaning (docs/questionnaire-format.md). No other change is
# allowed.
SAME_OR_WIDER = {(t, t) for t in ("yes_no", "yes_no_unknown", "choice", "multi", "scale", "text")} | {
    ("yes_no", "yes_no_unknown")
}


def test_only_five_questions_are_widened_four_in_2026_11_and_one_in_2026_15():
    questions = {folder.name: as_definition(load_definition(folder)).questions for folder in VERSIONS}
    widened = {
        (newer.name, key)
        for older, newer in zip(VERSIONS, VERSIONS[1:], strict=False)
        for key, question in questions[older.name].items()
        if question.type != questions[newer.name][key].type
    }
    assert widened == {
        ("2026.11", key) for key in ("pd_dpa", "int_dpa_covers", "gen_enterprise_agreement", "eq_universal_design")
    } | {("2026.15", "fv_basis_auto")}


def test_2026_2_keeps_every_key_and_value_of_2026_1():
    old, new = as_definition(load_definition(V1)), as_definition(load_definition(V2))
    for key, question in old.questions.items():
        assert key in new.questions, key
        assert new.questions[key].type == question.type, key
        assert set(question.values) <= set(new.questions[key].values), key


def test_an_answers_file_made_for_2026_1_is_valid_on_2026_2():
    new = as_definition(load_definition(V2))
    answers, errors, _warnings = validate_answers(new, COMPLETE_ANSWERS)
    assert errors == {}
    result = score(new, answers)
    assert result.questionnaire == "2026.2"
    # The new questions are unanswered, and an unanswered question fires nothing.
    assert {"generates_content", "citizen_free_text", "bio_recognition", "sec_credentials_input"} <= set(result.missing)


@pytest.mark.parametrize(
    ("made_on", "name", "newer"),
    [
        ("v2026_3", "copilot_listed_within_class.json", V4),
        ("v2026_4", "automated_transport_card_health_data.json", V5),
    ],
)
def test_an_answers_file_is_valid_on_the_next_version(made_on, name, newer):
    path = ROOT / "fixtures" / "scenarios" / made_on / name
    new = as_definition(load_definition(newer))
    answers, errors, warnings = validate_answers(new, json.loads(path.read_text(encoding="utf-8"))["answers"])
    assert errors == {} and warnings == []
    assert score(new, answers).questionnaire == newer.name


@pytest.fixture
def both_versions(db):
    seed_questionnaires()
    return Questionnaire.objects.get(version="2026.1"), Questionnaire.objects.get(version=NEWEST)


def test_a_draft_on_2026_1_moves_to_the_newest_with_its_answers(world, both_versions):
    old, new = both_versions
    leader = world.users["leader_a"]
    draft = services.assessment_create(agency=world.agency_a, user=leader, title="Chatbot", questionnaire=old)
    draft.answers = {**COMPLETE_ANSWERS, "title": "Chatbot"}
    draft.save(update_fields=["answers"])
    assert services.newer_questionnaire(draft) == new

    moved, added = services.assessment_move_questionnaire(assessment=draft, user=leader)

    assert moved.questionnaire == new
    assert moved.answers == {**COMPLETE_ANSWERS, "title": "Chatbot"}
    assert {"generates_content", "citizen_free_text", "bio_recognition", "sec_credentials_input"} <= set(added)
    assert "cat_choice" in added and "cat_ref" not in added  # the facts only show for a tool from the overview
    event = AuditEvent.objects.filter(action="assessment.questionnaire_moved").get()
    assert event.details["from"] == "2026.1" and event.details["to"] == NEWEST
    assert verify_chain().ok
    assert services.newer_questionnaire(moved) is None


def test_a_submitted_assessment_keeps_its_questionnaire(world, both_versions):
    old, _new = both_versions
    leader = world.users["leader_a"]
    assessment = services.assessment_create(agency=world.agency_a, user=leader, title="Sendt", questionnaire=old)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    assessment.refresh_from_db()
    assert services.newer_questionnaire(assessment) is None
    with pytest.raises(StateConflict):
        services.assessment_move_questionnaire(assessment=assessment, user=leader)


def test_only_the_leader_moves_a_draft(world, both_versions):
    old, _new = both_versions
    draft = services.assessment_create(
        agency=world.agency_a, user=world.users["leader_a"], title="X", questionnaire=old
    )
    with pytest.raises(PermissionDenied):
        services.assessment_move_questionnaire(assessment=draft, user=world.users["contributor_a"])


def test_the_draft_page_offers_the_move_and_the_move_lands_in_the_wizard(world, both_versions):
    old, _new = both_versions
    draft = services.assessment_create(
        agency=world.agency_a, user=world.users["leader_a"], title="Y", questionnaire=old
    )
    client = world.client("leader_a")
    page = client.get(f"/vurderinger/{draft.uuid}/").content.decode()
    assert f"Flytt utkastet til versjon {NEWEST}" in page
    response = client.post(f"/vurderinger/{draft.uuid}/ny-versjon/")
    assert response.status_code == 302
    assert response["Location"] == f"/vurderinger/{draft.uuid}/steg/"
    draft.refresh_from_db()
    assert draft.questionnaire.version == NEWEST
    assert "Flytt utkastet" not in client.get(f"/vurderinger/{draft.uuid}/").content.decode()


def test_a_new_assessment_is_made_on_the_newest_version(world, both_versions):
    draft = services.assessment_create(agency=world.agency_a, user=world.users["leader_a"], title="Ny")
    assert draft.questionnaire.version == NEWEST


def test_score_answers_without_a_version_scores_a_2026_1_file_on_the_newest(both_versions, tmp_path):
    path = tmp_path / "svar.json"
    path.write_text(json.dumps({"answers": COMPLETE_ANSWERS}), encoding="utf-8")
    out = io.StringIO()
    call_command("score_answers", str(path), stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["questionnaire"] == NEWEST
