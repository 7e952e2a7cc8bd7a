"""Publishing questionnaire versions: the admin upload and `manage.py publish_questionnaire`."""

import copy
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessments import services
from assessments.engine.loader import read_definition_data
from assessments.engine.validate import validate_definition
from assessments.models import AuditEvent, Questionnaire
from assessments.services import questionnaires
from tests.answers import FIXTURE
from tests.assessment_helpers import make_assessment
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(make_user("admin_user", is_staff=True, is_superuser=True))
    return client


def raw_definition(version: str = "2026.2") -> dict:
    data = copy.deepcopy(read_definition_data(FIXTURE))
    data["version"] = version
    return data


def broken_definition() -> dict:
    data = raw_definition()
    data["sections"][1]["questions"][0]["key"] = "title"  # a duplicate key
    data["rules"][0]["when"] = {"q": "no_such_question", "eq": "yes"}  # a condition on a missing key
    data["sections"][0]["questions"][4]["choices"][0].pop("label")  # a choice without a label
    return data


def yaml_file(version: str) -> bytes:
    text = (
        (FIXTURE / "sections.yaml").read_text(encoding="utf-8")
        + "\n"
        + (FIXTURE / "rules.yaml").read_text(encoding="utf-8")
    )
    return text.replace('version: "2026.1"', f'version: "{version}"').encode()


def add(client, name: str, body: bytes):
    return client.post(reverse("admin:assessments_questionnaire_add"), {"upload": SimpleUploadedFile(name, body)})


# --- admin ---


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("2026.2.yaml", yaml_file("2026.2")),
        ("2026.2.json", json.dumps(raw_definition()).encode()),
    ],
)
def test_an_administrator_publishes_a_version_by_upload(admin_client, name, body):
    response = add(admin_client, name, body)
    assert response.status_code == 302, response.content.decode()[:3000]
    questionnaire = Questionnaire.objects.get(version="2026.2")
    assert questionnaire.title == "KI-veileder – risiko og behov"
    assert len(questionnaire.definition["sections"]) == 13
    assert AuditEvent.objects.filter(action="questionnaire.published", object_id=str(questionnaire.pk)).exists()


def test_an_invalid_definition_lists_every_problem_and_stores_nothing(admin_client):
    data = broken_definition()
    problems = validate_definition(data)
    assert len(problems) >= 3
    response = add(admin_client, "broken.json", json.dumps(data).encode())
    html = response.content.decode()
    assert response.status_code == 200
    for problem in problems:
        assert escape(problem) in html
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("definisjon.txt", b"version: x", "yaml, .yml eller .json"),
        ("ugyldig.json", b"{not json", "kan ikke leses"),
        ("ugyldig.yaml", b"sections: [unclosed", "kan ikke leses"),
        ("dyp.json", b"[" * 100_000 + b"]" * 100_000, "nestet for dypt"),
        ("dyp.yaml", b"[" * 100_000 + b"]" * 100_000, "kan ikke leses"),
    ],
)
def test_an_unreadable_upload_is_refused(admin_client, name, body, message):
    response = add(admin_client, name, body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_no_file_is_refused_naming_the_file_to_choose(admin_client):
    response = admin_client.post(reverse("admin:assessments_questionnaire_add"), {})
    assert response.status_code == 200 and "Velg filen med definisjonen (YAML eller JSON)." in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_version_number_cannot_be_published_twice(admin_client, questionnaire):
    response = add(admin_client, "igjen.json", json.dumps(raw_definition("2026.1")).encode())
    assert response.status_code == 200
    assert "finnes allerede" in response.content.decode()
    assert Questionnaire.objects.count() == 1


def test_a_version_in_use_is_read_only_and_cannot_be_deleted(admin_client, world, questionnaire):
    make_assessment(world, "Bruker versjonen")
    change_url = reverse("admin:assessments_questionnaire_change", args=[questionnaire.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="upload"' not in page.content.decode()
    before = copy.deepcopy(questionnaire.definition)
    response = admin_client.post(
        change_url, {"upload": SimpleUploadedFile("ny.json", json.dumps(raw_definition("2026.1")).encode())}
    )
    assert response.status_code == 403
    delete = admin_client.post(
        reverse("admin:assessments_questionnaire_delete", args=[questionnaire.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    questionnaire.refresh_from_db()
    assert questionnaire.definition == before


def test_a_version_nobody_uses_yet_can_be_replaced(admin_client, questionnaire):
    data = raw_definition("2026.1")
    data["title"] = "Rettet tittel"
    change_url = reverse("admin:assessments_questionnaire_change", args=[questionnaire.pk])
    response = admin_client.post(change_url, {"upload": SimpleUploadedFile("rettet.json", json.dumps(data).encode())})
    assert response.status_code == 302, response.content.decode()[:3000]
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Rettet tittel"
    assert AuditEvent.objects.filter(action="questionnaire.replaced").exists()


def test_only_staff_reach_the_admin(world, questionnaire):
    response = world.client("leader_a").get(reverse("admin:assessments_questionnaire_changelist"))
    assert response.status_code == 302


# --- the command ---


def test_the_command_publishes_a_folder_and_prints_json(db):
    out = io.StringIO()
    call_command("publish_questionnaire", str(FIXTURE), stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["version"] == "2026.1" and summary["sections"] == 13
    from assessments.engine.loader import as_definition

    stored = Questionnaire.objects.get(version="2026.1")
    assert summary["questions"] == len(as_definition(stored.definition).questions) > 90
    assert Questionnaire.objects.filter(version="2026.1").exists()


def test_the_command_publishes_a_single_file(db, tmp_path):
    path = tmp_path / "2026.3.json"
    path.write_text(json.dumps(raw_definition("2026.3")), encoding="utf-8")
    out = io.StringIO()
    call_command("publish_questionnaire", str(path), stdout=out)
    assert json.loads(out.getvalue())["version"] == "2026.3"


def test_the_command_lists_every_problem_and_exits_2(db, tmp_path):
    data = broken_definition()
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("publish_questionnaire", str(path), stderr=err)
    assert caught.value.returncode == 2
    for problem in validate_definition(data):
        assert problem in err.getvalue()
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize("path", ["/nonexistent/definition.yaml", "/nonexistent/folder"])
def test_the_command_exits_2_for_a_missing_path(db, path):
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("publish_questionnaire", path, stderr=err)
    assert caught.value.returncode == 2 and err.getvalue().strip()


def test_the_command_refuses_a_published_version(questionnaire):
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("publish_questionnaire", str(FIXTURE), stderr=err)
    assert caught.value.returncode == 2 and "allerede publisert" in err.getvalue()
    assert Questionnaire.objects.count() == 1


def test_the_command_publishes_the_released_versions_the_database_lacks(questionnaire):
    folders = [path.name for path in FIXTURE.parent.iterdir() if path.is_dir()]
    released = sorted(folders, key=questionnaires.version_order)
    out = io.StringIO()
    call_command("publish_questionnaire", "--released", stdout=out)
    assert json.loads(out.getvalue()) == {"published": [v for v in released if v != "2026.1"]}  # 2026.1 was there
    assert set(Questionnaire.objects.values_list("version", flat=True)) == set(released)
    out = io.StringIO()
    call_command("publish_questionnaire", "--released", stdout=out)
    assert json.loads(out.getvalue()) == {"published": []}


@pytest.mark.parametrize("args", [[], ["--released", "/some/folder"]])
def test_the_command_wants_a_path_or_released(db, args):
    with pytest.raises(CommandError, match="PATH or --released"):
        call_command("publish_questionnaire", *args)


def test_the_released_versions_are_published_in_version_order(db, tmp_path):
    """2026.10 comes after 2026.9 (not after 2026.1, as the folder names sort): the last published is the newest."""
    for version in ("2026.9", "2026.10", "2026.2"):
        folder = tmp_path / version
        folder.mkdir()
        (folder / "sections.yaml").write_text(json.dumps(raw_definition(version)), encoding="utf-8")  # JSON is YAML
    assert services.publish_released(tmp_path) == ["2026.2", "2026.9", "2026.10"]
    assert Questionnaire.latest().version == "2026.10"


def _released_folder(tmp_path, *versions):
    for version in versions:
        folder = tmp_path / version
        folder.mkdir()
        (folder / "sections.yaml").write_text(json.dumps(raw_definition(version)), encoding="utf-8")
    return tmp_path


def test_an_older_released_version_published_late_does_not_become_the_newest(db, tmp_path):
    """A database where 2026.9 was published by hand lacks 2026.2: publishing it must not give new drafts 2026.2."""
    services.questionnaire_publish(definition=raw_definition("2026.9"), actor=None)
    assert services.publish_released(_released_folder(tmp_path, "2026.2", "2026.9")) == ["2026.2"]
    assert Questionnaire.latest().version == "2026.9"
    by_date = Questionnaire.objects.order_by("published_at").values_list("version", flat=True)
    assert list(by_date) == ["2026.2", "2026.9"]


def test_an_invalid_released_folder_is_named_without_a_traceback(db, tmp_path, monkeypatch):
    monkeypatch.setattr(questionnaires, "RELEASED", _released_folder(tmp_path, "2026.2"))
    broken = tmp_path / "2026.3"
    broken.mkdir()
    (broken / "sections.yaml").write_text("sections: [unclosed", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("publish_questionnaire", "--released", stderr=err)
    assert caught.value.returncode == 2
    assert "2026.3" in err.getvalue() and "ugyldig YAML" in err.getvalue()
    assert list(Questionnaire.objects.values_list("version", flat=True)) == ["2026.2"]  # kept, run again once fixed
