"""Answers files: export from what the user may see, import into a new draft, bad files refused whole."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.forms import MAX_ANSWERS_FILE_BYTES
from assessments.models import Assessment, AuditEvent
from tests import answers as A
from tests.assessment_helpers import make_assessment, recalled_and_changed

pytestmark = pytest.mark.django_db


def export(client, assessment):
    return client.get(reverse("assessments:assessment_export", args=[assessment.uuid]))


def upload(client, world, content, *, name="svar.json", title="", **extra):
    body = content if isinstance(content, bytes) else json.dumps(content).encode()
    return client.post(
        reverse("assessments:assessment_import"),
        {
            "agency": world.agency_a.pk,
            "title": title,
            "file": SimpleUploadedFile(name, body, "application/json"),
            **extra,
        },
    )


@pytest.fixture
def leader(world, questionnaire):
    return world.client("leader_a")


# --- export ---


def test_the_leader_exports_the_draft_in_the_design_format(world, leader):
    assessment = make_assessment(world, "Eksport av utkast", answers=A.complete(pd_special="yes"))
    response = export(leader, assessment)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert set(data) == {"questionnaire", "answers", "meta"}
    assert data["questionnaire"] == "2026.1"
    assert data["answers"]["title"] == "Eksport av utkast"
    assert "pd_special" not in data["answers"]  # hidden by pd_any = no: not part of the assessment
    assert data["meta"]["agency"] == world.agency_a.name
    assert data["meta"]["assessment"] == str(assessment.uuid)
    assert data["meta"]["source"] == "draft" and data["meta"]["version"] is None
    assert AuditEvent.objects.filter(action="assessment.exported", object_id=str(assessment.uuid)).exists()


@pytest.mark.parametrize("role", ["reviewer", "auditor", "contributor_a"])
def test_others_export_the_latest_submitted_version_not_the_draft(world, questionnaire, role):
    assessment = recalled_and_changed(world, "Innsendt og hentet tilbake", problem="Hemmelig ny tekst")
    response = export(world.client(role), assessment)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["meta"]["source"] == "version" and data["meta"]["version"] == 1
    assert data["answers"]["problem"] == A.NEED["problem"]
    assert b"Hemmelig ny tekst" not in response.content


@pytest.mark.parametrize("role", ["leader_b", "contributor_a", "reviewer", "auditor"])
def test_a_draft_is_not_exported_to_those_who_cannot_see_it(world, questionnaire, role):
    assessment = make_assessment(world, "Usynlig utkast", answers=A.complete())
    assert export(world.client(role), assessment).status_code == 404


def test_an_exported_file_imports_into_an_equal_new_draft(world, leader):
    original = make_assessment(
        world, "Originalen", answers=A.complete(ai_kind=["integrated", "generative"], **A.GENERATIVE)
    )
    exported = export(leader, original).content
    response = upload(leader, world, exported, title="Kopien")
    assert response.status_code == 302
    copy = Assessment.objects.get(title="Kopien")
    assert response.url == reverse("assessments:assessment_continue", args=[copy.uuid])
    assert copy.answers == {**json.loads(exported)["answers"], "title": "Kopien"}
    assert copy.questionnaire == original.questionnaire
    assert copy.created_by == world.users["leader_a"]
    # Every shown step counts as visited: the summary can be opened straight away.
    assert leader.get(reverse("assessments:assessment_step", args=[copy.uuid, "summary"])).status_code == 200
    event = AuditEvent.objects.get(action="assessment.created", object_id=str(copy.uuid))
    assert event.details["source"] == "import"


def test_the_title_comes_from_the_file_when_none_is_given(world, leader):
    response = upload(leader, world, {"answers": {"title": "Fra filen", "pd_any": "no"}})
    assert response.status_code == 302
    assert Assessment.objects.get(title="Fra filen").answers == {"title": "Fra filen", "pd_any": "no"}


def test_the_import_form_sent_twice_creates_one_draft(world, leader):
    page = leader.get(reverse("assessments:assessment_import")).content.decode()
    token = re.search(r'name="creation_token" value="([0-9a-f-]{36})"', page).group(1)
    content = {"answers": {"title": "Importert to ganger", "pd_any": "no"}}
    first = upload(leader, world, content, creation_token=token)
    again = upload(leader, world, content, creation_token=token)
    assessment = Assessment.objects.get()
    assert first.status_code == again.status_code == 302 and first.url == again.url
    assert again.url == reverse("assessments:assessment_continue", args=[assessment.uuid])
    assert len(AuditEvent.objects.filter(action="assessment.created")) == 1
    upload(leader, world, content)  # a post without a token (an older page) imports as before
    assert Assessment.objects.count() == 2


def test_answers_that_the_file_itself_hides_are_dropped_with_a_warning(world, leader):
    response = upload(leader, world, {"answers": {"title": "Med skjulte svar", "pd_any": "no", "pd_special": "yes"}})
    assert response.status_code == 302
    assert "pd_special" not in Assessment.objects.get(title="Med skjulte svar").answers
    page = leader.get(response.url, follow=True).content.decode()
    assert "pd_special" in page and "ignorert" in page


# --- bad files: refused whole, each offending key named ---

BAD_FILES = [
    ("unknown_key", {"answers": {"title": "x", "favourite_colour": "blue"}}, ["favourite_colour"]),
    ("wrong_type", {"answers": {"title": "x", "benefit": "high"}}, ["benefit"]),
    ("value_outside_list", {"answers": {"title": "x", "role": "sell"}}, ["role"]),
    ("scale_outside_range", {"answers": {"title": "x", "benefit": 7}}, ["benefit"]),
    ("multi_not_a_list", {"answers": {"title": "x", "ai_kind": "generative"}}, ["ai_kind"]),
    ("text_too_long", {"answers": {"title": "x" * 201}}, ["title"]),
    (
        "several_at_once",
        {"answers": {"title": "x", "role": "sell", "pd_any": True, "nope": 1}},
        ["role", "pd_any", "nope"],
    ),
    ("unknown_top_level_key", {"answers": {"title": "x"}, "extra": 1}, ["extra"]),
    ("answers_missing", {"questionnaire": "2026.1"}, ["answers"]),
    ("answers_not_an_object", {"answers": ["title"]}, ["answers"]),
    ("unknown_questionnaire", {"questionnaire": "1999.9", "answers": {"title": "x"}}, ["questionnaire"]),
    ("no_title_anywhere", {"answers": {"pd_any": "no"}}, ["title"]),
]


@pytest.mark.parametrize(("content", "keys"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_naming_each_key_and_nothing_is_stored(world, leader, content, keys):
    response = upload(leader, world, content)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Filen ble ikke importert" in html and "Ingenting fra filen er lagret" in html
    for key in keys:
        assert f"<code>{key}</code>" in html
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.created").exists()


def test_a_file_with_thousands_of_unknown_keys_lists_the_first_fifty_and_counts_the_rest(world, leader):
    content = {"answers": {"title": "x", **{f"k{i}": "x" for i in range(5000)}}}
    response = upload(leader, world, content)
    html = response.content.decode()
    assert response.status_code == 400 and "Filen ble ikke importert: 5000 feil" in html
    assert html.count("<code>k") == 50 and "… og 4950 feil til. Rett de første og prøv igjen." in html
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "ikke gyldig JSON"),
        (b"\xff\xfe\x00garbage", "ikke UTF-8"),
        (b" " * (MAX_ANSWERS_FILE_BYTES + 1), "for stor"),
    ],
)
def test_an_unreadable_or_oversized_file_is_refused(world, leader, body, message):
    response = upload(leader, world, body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_no_file_is_refused_in_the_tasks_own_words(world, leader):
    response = leader.post(reverse("assessments:assessment_import"), {"agency": world.agency_a.pk, "title": ""})
    assert response.status_code == 400
    assert "Velg svarfilen (JSON) du vil importere." in response.content.decode()


def test_import_into_an_agency_the_user_does_not_lead_is_refused(world, leader):
    response = leader.post(
        reverse("assessments:assessment_import"),
        {
            "agency": world.agency_b.pk,
            "file": SimpleUploadedFile("svar.json", b'{"answers": {"title": "Inn i B"}}', "application/json"),
        },
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()


def test_the_service_refuses_a_bad_file_without_the_view(world, questionnaire):
    with pytest.raises(services.AnswersFileError) as caught:
        services.assessment_import(
            agency=world.agency_a, user=world.users["leader_a"], data={"answers": {"title": "x", "role": 3}}
        )
    assert set(caught.value.errors) == {"role"}
    assert not Assessment.objects.exists()


# --- files that name a tool from the tool overview ---


@pytest.fixture
def tool_file(world):
    """A 2026.3 answers file that names version 1 of an approved entry, and the entry."""
    from tests import catalogue_helpers as cat

    cat.published_v3()
    tool = cat.make_tool(world)
    answers = {**cat.unlisted_answers(), "title": "Chat fra fil", "cat_choice": "listed", "cat_ref": tool.ref}
    return {"questionnaire": "2026.3", "answers": answers}, tool


def _import(world, data):
    return services.assessment_import(agency=world.agency_a, user=world.users["leader_a"], data=data)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("finnes-ikke@1", "Verktøyet «finnes-ikke» finnes ikke i verktøyoversikten."),
        ("kommunechat@9", "Versjon 9 av «Kommunechat» finnes ikke i verktøyoversikten (nyeste er kommunechat@1)."),
        ("kommunechat", "«kommunechat» er ikke en henvisning til verktøyoversikten"),
        ("kommunechat@²", "«kommunechat@²» er ikke en henvisning til verktøyoversikten"),  # isdigit() says yes
        (None, "mangler hvilket (cat_ref)"),
    ],
)
def test_a_file_naming_a_tool_or_version_that_does_not_exist_is_refused(world, tool_file, ref, message):
    data, _tool = tool_file
    data["answers"]["cat_ref"] = ref
    if ref is None:
        del data["answers"]["cat_ref"]
    with pytest.raises(services.AnswersFileError) as caught:
        _import(world, data)
    assert list(caught.value.errors) == ["cat_ref"]
    assert message in caught.value.errors["cat_ref"]
    assert not Assessment.objects.exists()


def test_a_file_whose_tool_facts_contradict_the_entry_is_refused_naming_each(world, leader, tool_file):
    data, tool = tool_file
    data["answers"].update(cat_max_class="classified", sec_hosting="outside_eea", cat_name="Kommunechat")
    response = upload(leader, world, data)
    html = response.content.decode()
    assert response.status_code == 400 and "Ingenting fra filen er lagret" in html
    assert "<code>cat_max_class</code>" in html and "<code>sec_hosting</code>" in html
    assert "<code>cat_name</code>" not in html  # what agrees with the entry is no problem
    assert f"stemmer ikke med {tool.ref} i verktøyoversikten, som sier «internal»" in html
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.created").exists()


def test_the_refusal_is_in_the_users_language(world, tool_file):
    from django.utils import translation

    data, _tool = tool_file
    data["answers"]["cat_ref"] = "finnes-ikke@1"
    with translation.override("en"), pytest.raises(services.AnswersFileError) as caught:
        _import(world, data)
    assert caught.value.errors["cat_ref"] == "The tool “finnes-ikke” is not in the tool overview."


def test_a_file_that_agrees_with_its_entry_imports_with_the_missing_facts_filled(world, tool_file):
    data, tool = tool_file
    assessment, _warnings = _import(world, data)
    assert assessment.answers["cat_ref"] == tool.ref
    assert assessment.answers["cat_name"] == "Kommunechat" and assessment.answers["cat_max_class"] == "internal"
    assert assessment.answers["sec_hosting"] == "cloud_eea" and assessment.answers["tool_source"] == "procured"
