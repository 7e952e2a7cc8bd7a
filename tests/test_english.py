"""The English UI: the language switcher remembers the choice, pages and question texts come out in English,
and locale/en/LC_MESSAGES/django.po translates every UI string of the source as it is now."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessments.engine.loader import as_definition
from tests import review_helpers
from tests.answers import complete
from tests.assessment_helpers import make_assessment
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _english(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_the_language_switcher_remembers_english(db):
    client = Client()
    _english(client)
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600  # remembered, not only for this browser session
    page = client.get(reverse("assessments:login")).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in to KI-veileder" in page and "Skip to main content" in page
    assert "Logg inn i KI-veileder" not in page and "Hopp til hovedinnhold" not in page
    # Back to bokmål.
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    assert "Logg inn i KI-veileder" in client.get(reverse("assessments:login")).content.decode()


def test_each_language_is_offered_in_its_own_name(db):
    client = Client()
    for _ in range(2):
        page = client.get(reverse("assessments:login")).content.decode()
        options = re.findall(r'<option value="(\w+)" lang="(\w+)"(?: selected)?>([^<]+)</option>', page)
        assert options == [("nb", "nb", "Norsk (bokmål)"), ("en", "en", "English")]
        assert "Engelsk" not in page
        _english(client)


def test_after_a_refused_form_the_language_switch_returns_to_the_page_the_form_came_from(world):
    """A form shown again with its errors is at a URL that answers POST; the switch must not lead there."""
    assessment = make_assessment(world, "Språkbytte etter feil", answers=complete(), submit=True)
    client = world.client("reviewer")
    detail = reverse("assessments:review_detail", args=[assessment.uuid])
    comment = reverse("assessments:review_comment", args=[assessment.uuid])
    refused = client.post(comment, {"text": ""}, HTTP_REFERER=f"http://testserver{detail}")
    assert refused.status_code == 400
    assert f'name="next" type="hidden" value="{detail}"' in refused.content.decode()
    switched = client.post(reverse("set_language"), {"language": "en", "next": detail})
    assert switched.status_code == 302 and switched["Location"] == detail
    assert client.get(detail).status_code == 200
    # Without a page of this site to return to: the home page.
    for referer in ({}, {"HTTP_REFERER": "https://example.org" + detail}, {"HTTP_REFERER": "http://testserver//x"}):
        page = client.post(comment, {"text": ""}, **referer).content.decode()
        assert f'name="next" type="hidden" value="{reverse("assessments:home")}"' in page


def test_signed_in_pages_follow_the_choice(world):
    client = world.client("leader_a")
    _english(client)
    page = client.get(reverse("assessments:home")).content.decode()
    assert '<html lang="en">' in page and "Sign out" in page and "Logg ut" not in page
    assert "Privacy in KI-veileder" in client.get(reverse("assessments:privacy")).content.decode()


def test_question_texts_come_from_the_english_fields(world):
    assessment = review_helpers.draft(world)
    defn = as_definition(assessment.questionnaire.definition)
    section = defn.sections[0]
    question = next(q for q in section.questions if q.label_en)
    client = world.client("leader_a")
    url = reverse("assessments:assessment_step", args=[assessment.uuid, section.key])
    norwegian = client.get(url).content.decode()
    _english(client)
    english = client.get(url).content.decode()
    assert question.label in norwegian
    assert question.label_en in english and question.label not in english


def _untranslated(po_file: Path) -> list[str]:
    msgattrib = require_tool("msgattrib")
    found = []
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            [msgattrib, flag, "--no-wrap", str(po_file)], capture_output=True, text=True, check=True
        )
        lines = result.stdout.splitlines()
        found += [line for line in lines if line.startswith("msgid ") and line != 'msgid ""']
    return found


def test_the_po_file_has_no_untranslated_or_fuzzy_entries():
    assert _untranslated(PO) == []
    result = subprocess.run(
        [require_tool("msgfmt"), "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.integration
def test_every_ui_string_of_the_source_is_translated(tmp_path):
    """makemessages on a copy of the tree: any msgid it finds that the .po does not translate fails here."""
    require_tool("xgettext")
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "node_modules", "var", ".git", "__pycache__", "*.mo", ".pytest_cache"),
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--ignore=.venv",
            "--ignore=node_modules",
            "--ignore=var",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "KIV_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.returncode == 0, result.stderr
    missing = _untranslated(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert not missing, (
        f"{len(missing)} UI strings lack an English translation: run `make messages` and "
        f"translate them in {PO.relative_to(ROOT)}: {missing[:10]}"
    )
