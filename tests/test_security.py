"""Security as an attacker meets it: other agencies' objects, CSRF, headers and cookies with debug off,
sign-in lockouts, upload limits, and script payloads in every free-text answer.

The cross-agency part extends tests/test_permission_matrix.py (which builds agency A's objects and asks
every role for them) the other way round: agency B owns the objects, so agency A's own leader and
contributor are now the strangers, and an auditor whose scope is agency A only must not see them either.
"""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from assessments.engine.answer_sets import baseline_answers
from assessments.models import Assessment, Membership, MunicipalRole
from tests.assessment_helpers import make_assessment, published_questionnaire
from tests.conftest import IN_CI, PASSWORD, World, make_user, require_tool
from tests.objects import BUILDERS, build_objects
from tests.permission_matrix import MATRIX
from tests.report_helpers import use_test_seal

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
FORMULA_PAYLOADS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"]


def feature(url_name: str, *args) -> str:
    """The URL of a feature that colleagues are building: missing in CI is a failure, elsewhere an
    expected failure naming what is missing (so the proof is visibly not there yet, never faked)."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        message = f"feature not built yet: no URL named {url_name!r}"
        if IN_CI:
            pytest.fail(message)
        pytest.xfail(message)


# --- Objects of another agency ------------------------------------------------------------------


def mirrored(world: World) -> World:
    """The same world seen from the other side: agency B owns the objects the builders make.

    Builders make their objects for `world.agency_a` as `world.users["leader_a"]`, so swapping the
    agencies and their people makes B's objects with B's own leader and contributor."""
    contributor_b = make_user("contributor_b")
    Membership.objects.create(user=contributor_b, agency=world.agency_b, role="contributor")
    users = {
        **world.users,
        "leader_a": world.users["leader_b"],
        "contributor_a": contributor_b,
        "leader_b": world.users["leader_a"],
    }
    return World(world.agency_b, world.agency_a, users)


def scoped_auditor(world: World):
    """An auditor whose scope is agency A only."""
    user = make_user("auditor_scoped")
    role = MunicipalRole.objects.create(user=user, role="auditor")
    role.agencies.add(world.agency_a)
    return user


OBJECT_ROWS = sorted(name for name, row in MATRIX.items() if "args" in row)


def _request(client: Client, row: dict, url: str):
    return getattr(client, row.get("method", "get"))(url)


def _assert_no_secrets(response, secrets: list[str], who: str, url: str) -> None:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    for secret in secrets:
        assert secret not in body, f"{who} sees {secret!r} of another agency's object at {url}"


def test_there_are_object_urls_to_attack():
    """The cross-agency tests below are only as good as the object rows of the matrix."""
    if not OBJECT_ROWS:
        message = "no URL in the permission matrix takes an object yet (assessment pages are missing)"
        if IN_CI:
            pytest.fail(message)
        pytest.xfail(message)
    assert BUILDERS, "tests/objects.py has no builders"


@pytest.mark.parametrize("name", OBJECT_ROWS)
def test_members_of_another_agency_get_nothing_of_its_objects(world, name):
    """Agency A's leader and contributor meet agency B's objects as leader_b meets A's in the matrix."""
    row = MATRIX[name]
    stranger_expects = row["expect"]["leader_b"]
    mirror = mirrored(world)
    objects = build_objects(mirror)
    url = reverse(row.get("sample", name), args=row["args"](mirror, objects))
    assert objects.secrets(), "the builders must give the objects titles to look for"
    for role in ("leader_a", "contributor_a"):
        client = Client()
        client.force_login(world.users[role])
        response = _request(client, row, url)
        if stranger_expects == 404:
            assert response.status_code == 404, f"{role} of A: {url} of agency B must be invisible"
        else:
            assert response.status_code == stranger_expects, f"{role} of A at {url}"
        if response.status_code != 200:
            _assert_no_secrets(response, objects.secrets(), role, url)


@pytest.mark.parametrize("name", OBJECT_ROWS)
def test_an_auditor_scoped_to_one_agency_gets_nothing_of_another(world, name):
    row = MATRIX[name]
    mirror = mirrored(world)
    objects = build_objects(mirror)  # objects of agency B
    url = reverse(row.get("sample", name), args=row["args"](mirror, objects))
    client = Client()
    client.force_login(scoped_auditor(world))
    response = _request(client, row, url)
    if row["expect"]["leader_b"] == 404:
        assert response.status_code == 404, f"auditor scoped to A: {url} of agency B must be invisible"
    if response.status_code != 200:
        _assert_no_secrets(response, objects.secrets(), "auditor scoped to A", url)


@pytest.mark.parametrize("name", OBJECT_ROWS)
def test_every_refusal_of_agency_a_objects_keeps_their_data_out(world, name):
    """The matrix checks the body of 404s; a 403 or a redirect must not carry the object's data either."""
    row = MATRIX[name]
    objects = build_objects(world)
    url = reverse(row.get("sample", name), args=row["args"](world, objects))
    for role, expected in row["expect"].items():
        if expected in (403, 404, 405):
            response = _request(world.client(role), row, url)
            assert response.status_code == expected
            _assert_no_secrets(response, objects.secrets(), role, url)


# --- CSRF ----------------------------------------------------------------------------------------

CSRF_CASES = sorted(MATRIX)


def _allowed_role(row: dict) -> str:
    """A role that gets past the permission layer for this URL (so a 403 can only be CSRF's)."""
    for role in ("leader_a", "reviewer", "auditor", "contributor_a", "leader_b", "anonymous"):
        if row["expect"].get(role) in (200, 302, 405):
            return role
    return "leader_a"


@pytest.mark.parametrize("name", CSRF_CASES)
def test_a_post_without_a_csrf_token_is_refused(world, name):
    row = MATRIX[name]
    args = row["args"](world, build_objects(world)) if "args" in row else []
    url = reverse(row.get("sample", name), args=args)
    role = _allowed_role(row)
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    response = client.post(url, {"title": "forged"})
    assert response.status_code == 403, f"{role} POST {url} without a CSRF token: {response.status_code}"
    assert b"CSRF" in response.content


def test_sign_in_itself_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # With the token from the form it works: the 403 above was the missing token, nothing else.
    client.get("/logg-inn/")
    token = client.cookies["csrftoken"].value
    data = {"username": "leader_a", "password": PASSWORD, "csrfmiddlewaretoken": token}
    response = client.post("/logg-inn/", data)
    assert response.status_code == 302


def test_a_csrf_failure_is_shown_in_the_layout_with_the_way_back(world):
    """A stale page's form: the app's own page (templates/403_csrf.html), not Django's bare one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["leader_a"])
    privacy, logout = reverse("assessments:privacy"), reverse("assessments:logout")
    response = client.post(logout, {}, HTTP_REFERER=f"http://testserver{privacy}?a=1")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Siden var utløpt" in page and "ingenting ble lagret" in page and 'class="site-header"' in page
    assert f'href="{privacy}?a=1">Åpne siden på nytt' in page and "Til forsiden" in page
    # The language switch on it goes back to that page too, not to the URL that answers POST only.
    assert f'name="next" type="hidden" value="{privacy}?a=1"' in page
    # A page of another site is no way back: only the home page is offered.
    elsewhere = client.post(logout, {}, HTTP_REFERER="https://example.org/x").content.decode()
    assert "Åpne siden på nytt" not in elsewhere and "example.org" not in elsewhere
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(logout, {}).content.decode()
    assert "The page had expired" in english and "nothing was saved" in english and "Siden var utløpt" not in english


# --- Headers and cookies with debug off --------------------------------------------------------

_PROBE = r"""
import json, django
from django.conf import settings
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
if not get_user_model().objects.filter(username="probe").exists():
    get_user_model().objects.create_user("probe", password="probe-password-2026")
client = Client(HTTP_HOST="kiv.example.org")
plain = client.get("/logg-inn/")
page = client.get("/logg-inn/", secure=True)
token = page.cookies["csrftoken"].value
signed = client.post("/logg-inn/", {"username": "probe", "password": "probe-password-2026",
                                     "csrfmiddlewaretoken": token}, secure=True,
                     HTTP_REFERER="https://kiv.example.org/logg-inn/")
def morsel(response, name):
    m = response.cookies.get(name)
    return None if m is None else {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                                   "samesite": m["samesite"]}
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "headers": dict(page.headers), "signed_status": signed.status_code,
    "csrf_cookie": morsel(page, "csrftoken"), "session_cookie": morsel(signed, "sessionid"),
}))
"""


def _probe(tmp_path, **env_overrides) -> dict:
    """Run _PROBE with debug off; `tmp_path` holds its SQLite database (migrated by the first probe)."""
    app_prefixes = ("DJANGO_", "KIV_", "DATABASE_", "CELERY_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(app_prefixes)}
    env.update(
        {
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": "s" * 20 + "Kx7!q" * 8,
            "KIV_AUDIT_KEY": "a" * 64,
            "DJANGO_ALLOWED_HOSTS": "kiv.example.org",
            "DJANGO_SETTINGS_MODULE": "kiveileder.settings",
            "KIV_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
            **env_overrides,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("probe")


@pytest.fixture(scope="module")
def debug_off(probe_dir):
    return _probe(probe_dir)


def test_debug_off_sends_plain_http_to_https(debug_off):
    assert debug_off["plain_status"] == 301
    assert debug_off["plain_location"].startswith("https://kiv.example.org/")


def test_debug_off_sends_the_security_headers(debug_off):
    headers = {k.lower(): v for k, v in debug_off["headers"].items()}
    csp = headers.get("content-security-policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ):
        assert directive in csp, f"CSP lacks {directive!r}: {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    hsts = headers.get("strict-transport-security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert "includeSubDomains" in hsts
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")


def test_debug_off_cookies_are_secure(debug_off):
    assert debug_off["signed_status"] == 302, "the probe user could not sign in"
    session, csrf = debug_off["session_cookie"], debug_off["csrf_cookie"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert csrf["secure"] is True and csrf["samesite"] in ("Lax", "Strict")
    # The CSRF cookie is HttpOnly too: forms carry the token in a hidden field, no script reads it.
    assert csrf["httponly"] is True


def test_the_named_opt_out_allows_plain_http_on_loopback(debug_off, probe_dir):
    result = _probe(probe_dir, KIV_ALLOW_HTTP="True")
    assert result["plain_status"] == 200
    assert result["session_cookie"]["secure"] is False and result["session_cookie"]["httponly"] is True
    headers = {k.lower(): v for k, v in result["headers"].items()}
    assert "strict-transport-security" not in headers
    assert "content-security-policy" in headers and headers.get("x-frame-options") == "DENY"


def test_error_pages_carry_the_headers_too(world):
    response = world.client("leader_b").get("/finnes-ikke/")
    assert response.status_code == 404
    assert "content-security-policy" in {k.lower() for k in response.headers}
    assert response["X-Frame-Options"] == "DENY"


# --- Sign-in lockouts (django-axes; more in tests/test_lockout.py) ------------------------------------


def _fail(client: Client, username: str, n: int, address: str = "10.0.0.1") -> None:
    for _ in range(n):
        client.post("/logg-inn/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def _sign_in(client: Client, address: str):
    return client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD}, REMOTE_ADDR=address)


def test_lockout_ignores_the_case_of_the_username(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 3
    client = Client()
    _fail(client, "LEADER_A", 2)
    _fail(client, "Leader_A", 1)
    response = _sign_in(client, "10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_does_not_lock_out_the_same_user_elsewhere(world, settings):
    """The guesser's address is blocked; the real user at their own address still gets in."""
    settings.KIV_LOGIN_MAX_FAILURES = 3
    _fail(Client(), "leader_a", 3, address="10.0.0.66")
    client = Client()
    response = _sign_in(client, "10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["leader_a"].pk)


def test_a_successful_sign_in_resets_the_count(world, settings):
    settings.KIV_LOGIN_MAX_FAILURES = 3
    client = Client()
    _fail(client, "leader_a", 2)
    ok = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302
    client.post("/logg-ut/")
    _fail(client, "leader_a", 2)
    again = client.post("/logg-inn/", {"username": "leader_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert again.status_code == 302


def test_the_lockout_ends_after_its_time(world, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.db.models import F

    settings.KIV_LOGIN_MAX_FAILURES = 2
    settings.KIV_LOGIN_LOCKOUT_SECONDS = 60
    client = Client()
    _fail(client, "leader_a", 2)
    assert _sign_in(client, "10.0.0.1").status_code == 429
    # The failures are counted in the database with their time: let the lockout's time pass for them.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=61))
    assert _sign_in(client, "10.0.0.1").status_code == 302


# --- Uploads: size and type ---------------------------------------------------------------------


def test_form_bodies_are_capped(world):
    """Django refuses a form body over DATA_UPLOAD_MAX_MEMORY_SIZE before any view reads it (files are
    streamed to disk instead and capped per form; nginx caps whole bodies, see deploy/nginx)."""
    from django.conf import settings as live

    padding = "x" * (live.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = world.client("leader_a").post("/vurderinger/ny/", {"title": padding})
    assert response.status_code == 400
    assert live.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024


def _pdf_upload_url() -> str:
    return feature("assessments:report_verify")


def _upload_field(response) -> str:
    """The name of the file input on an upload page."""
    import re

    match = re.search(r'<input[^>]*type="file"[^>]*name="([^"]+)"', response.content.decode()) or re.search(
        r'<input[^>]*name="([^"]+)"[^>]*type="file"', response.content.decode()
    )
    assert match, "the upload page has no file input"
    return match.group(1)


def _verified_events() -> int:
    from assessments.models import AuditEvent

    return AuditEvent.objects.filter(action="report.verified").count()


def test_the_verification_upload_refuses_what_is_not_a_pdf(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = _pdf_upload_url()
    client = world.client("auditor")
    field = _upload_field(client.get(url))
    fake = SimpleUploadedFile("rapport.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    response = client.post(url, {field: fake})
    assert response.status_code == 400
    body = response.content.decode()
    assert "ikke en PDF" in body and "<script>alert(1)</script>" not in body
    assert _verified_events() == 0, "a refused file must not be recorded as verified"


def test_the_verification_upload_refuses_a_file_over_the_limit(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.KIV_MAX_UPLOAD_BYTES = 2048
    url = _pdf_upload_url()
    client = world.client("auditor")
    field = _upload_field(client.get(url))
    big = SimpleUploadedFile("stor.pdf", b"%PDF-1.7\n" + b"0" * 4096, "application/pdf")
    response = client.post(url, {field: big})
    assert response.status_code == 400
    assert "for stor" in response.content.decode()
    assert _verified_events() == 0


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "too large"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not text"),
        (b"<html><script>alert(1)</script></html>", "not JSON"),
    ],
)
def test_the_answers_import_refuses_bad_files_and_stores_nothing(world, content, why):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.forms import MAX_ANSWERS_FILE_BYTES
    from assessments.models import Assessment

    published_questionnaire()
    if content is None:
        padding = "x" * (MAX_ANSWERS_FILE_BYTES + 1)
        content = json.dumps({"answers": {"title": "Stor fil", "description": padding}}).encode()
    url = feature("assessments:assessment_import")
    client = world.client("leader_a")
    field = _upload_field(client.get(url))
    before = Assessment.objects.count()
    response = client.post(
        url, {field: SimpleUploadedFile("svar.json", content, "application/json"), "agency": world.agency_a.pk}
    )
    assert response.status_code in (200, 400, 413), why
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert 'role="alert"' in body, f"a {why} file must be refused with an announced error"
    assert Assessment.objects.count() == before, f"a {why} file stored something"


# --- Script payloads in every free-text answer -----------------------------------------------

RAW_MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_keys(definition: dict) -> list[str]:
    from assessments.engine.loader import as_definition

    return [key for key, question in as_definition(definition).questions.items() if question.type == "text"]


def hostile_answers(definition: dict) -> dict:
    """Complete answers that show every section, with a formula start and both script payloads in
    every free-text answer."""
    answers = baseline_answers(
        "integrated_low_risk",
        ai_kind=["integrated", "self_developed", "generative"],
        pd_any="yes",
        decision_role="decision_support",
        hr_area=["education"],
        role="buy_modify",
    )
    for number, key in enumerate(_text_keys(definition)):
        start = FORMULA_PAYLOADS[number % len(FORMULA_PAYLOADS)]
        answers[key] = f"{start} {key} {' '.join(SCRIPT_PAYLOADS)}"
    return answers


def make_hostile_draft(world):
    from assessments.engine.loader import as_definition
    from assessments.engine.visibility import visible_section_keys

    definition = published_questionnaire().definition
    answers = hostile_answers(definition)
    assessment = make_assessment(world, answers["title"], answers=answers)
    assessment.visited_steps = visible_section_keys(as_definition(definition), answers)
    assessment.save(update_fields=["visited_steps"])
    assert set(_text_keys(definition)) <= set(assessment.answers), "not every text question is answered"
    return assessment


@pytest.fixture
def hostile(world, settings, tmp_path_factory, django_capture_on_commit_callbacks):
    """A hostile assessment of agency A: submitted, commented on, approved, its signed report made."""
    use_test_seal(settings, tmp_path_factory)
    from assessments import services
    from assessments.models import Report

    assessment = make_hostile_draft(world)
    services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    services.review_comment_add(
        assessment=assessment,
        user=world.users["reviewer"],
        question_key="goals",
        text=f"=HYPERLINK(1) {' '.join(SCRIPT_PAYLOADS)}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_approve(
            assessment=assessment, user=world.users["reviewer"], comment=f"@approve {' '.join(SCRIPT_PAYLOADS)}"
        )
    assessment.refresh_from_db()
    report = Report.objects.get(assessment=assessment, kind=Report.Kind.SIGNED)
    assert report.status == Report.Status.READY, report.error
    return assessment


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig", errors="replace")
    return response.content.decode("utf-8-sig", errors="replace")


def _assert_inert_html(response, where: str, *, shows_title: bool) -> None:
    assert response.status_code == 200, f"{where}: {response.status_code}"
    body = _body(response)
    for markup in RAW_MARKUP:
        assert markup not in body, f"{where} carries live markup {markup!r}"
    if shows_title:
        assert ESCAPED_SCRIPT in body, f"{where} does not show the (escaped) text at all"


def test_the_wizard_shows_every_text_answer_inert(world):
    draft = make_hostile_draft(world)
    client = world.client("leader_a")
    for step in [*draft.visited_steps, "summary"]:
        url = reverse("assessments:assessment_step", args=[draft.uuid, step])
        response = client.get(url)
        has_text = step in ("intro", "need", "self_developed", "fria", "summary")
        _assert_inert_html(response, url, shows_title=has_text)


def test_every_page_shows_text_answers_inert(world, hostile):
    pages = [
        ("assessments:assessment_detail", [hostile.uuid], ("leader_a", "contributor_a", "reviewer", "auditor"), True),
        ("assessments:review_detail", [hostile.uuid], ("leader_a", "reviewer", "auditor"), True),
        ("assessments:report_status", [hostile.uuid], ("leader_a", "auditor"), False),
        ("assessments:register", [], ("leader_b", "auditor"), True),
        ("assessments:register_overview", [], ("leader_b",), False),
        ("assessments:auditor_search", [], ("auditor", "reviewer"), True),
        ("assessments:audit_log", [], ("auditor",), False),
        ("assessments:review_queue", [], ("reviewer",), False),
        ("assessments:home", [], ("leader_a", "auditor"), True),
    ]
    for name, args, roles, shows_title in pages:
        url = reverse(name, args=args)
        for role in roles:
            _assert_inert_html(world.client(role).get(url), f"{url} as {role}", shows_title=shows_title)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response))))


CSV_EXPORTS = [
    # name, role, whether the export lists the assessment itself (the audit log lists ids and actions)
    ("assessments:register_csv", "leader_b", True),
    ("assessments:auditor_export", "auditor", True),
    ("assessments:audit_log_export", "auditor", False),
    ("assessments:public_register_csv", "anonymous", True),
]


def test_every_export_carries_text_answers_inert(world, hostile, settings, tmp_path):
    """One hostile assessment (its report takes a while to make), every export of it: CSV, JSON, PDF."""
    settings.KIV_PUBLIC_REGISTER = True
    for name, role, has_title in CSV_EXPORTS:
        _assert_csv_inert(world.client(role).get(reverse(name)), name, hostile.title if has_title else None)
    for name, role in (
        ("assessments:register_json", "leader_b"),
        ("assessments:public_register_json", "anonymous"),
        ("assessments:assessment_export", "leader_a"),
    ):
        args = [hostile.uuid] if name == "assessments:assessment_export" else []
        response = world.client(role).get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/json"), name
        assert response["X-Content-Type-Options"] == "nosniff"
        assert SCRIPT_PAYLOADS[0] in json.dumps(json.loads(_body(response)), ensure_ascii=False), name
    _assert_report_prints_text(hostile, tmp_path)


def _assert_csv_inert(response, name: str, title: str | None) -> None:
    assert response.status_code == 200, name
    assert response["Content-Type"].startswith("text/csv"), name
    cells = [cell for row in read_csv(response) for cell in row]
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS), f"{name}: a spreadsheet would run {cell[:60]!r}"
    if title:
        assert any(title in cell for cell in cells), f"{name} does not export the assessment"
        assert any(cell.startswith("'=") for cell in cells), f"{name}: the title's '=' was not neutralised"


def _assert_report_prints_text(hostile, tmp_path) -> None:
    """The signed report shows every text answer, markup included, as plain text."""
    from django.core.files.storage import default_storage

    from assessments.models import Report

    pdftotext = require_tool("pdftotext")
    report = Report.objects.get(assessment=hostile, kind=Report.Kind.SIGNED)
    pdf = tmp_path / "rapport.pdf"
    with default_storage.open(report.storage_name, "rb") as handle:
        pdf.write_bytes(handle.read())
    result = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    )
    text = " ".join(result.stdout.split())
    for key in _text_keys(hostile.questionnaire.definition):
        assert key in text, f"the answer to {key} is not in the report"
    for markup in RAW_MARKUP:
        assert markup in text, f"{markup!r} is not printed as plain text in the report"


def test_csv_cells_cannot_become_formulas():
    from assessments.exports import Column, csv_lines

    rows = [[payload, f"ok {payload}", 3] for payload in [*FORMULA_PAYLOADS, "\tx", "\rx"]]
    columns = [Column("a", "a"), Column("b", "b"), Column("n", "n", "int")]
    parsed = list(csv.reader(io.StringIO("".join(csv_lines(columns, rows)).lstrip("\ufeff"))))
    for cells in parsed[1:]:
        assert cells[0].startswith("'"), cells
        assert cells[1].startswith("ok ")
        assert cells[2] == "3"


# --- Private responses and invisible characters ------------------------------------------------------------


def test_every_signed_in_response_and_every_download_is_no_store(world):
    from tests import review_helpers as h

    h.approved(world, "Caching")
    client = world.client("reviewer")
    for name in (
        "assessments:home",
        "assessments:register",
        "assessments:review_queue",
        "assessments:register_csv",
        "assessments:register_xlsx",
        "assessments:audit_log_export",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name
    public = Client().get(reverse("assessments:login"))
    assert "no-store" in public["Cache-Control"]  # the sign-in page is never cached either (never_cache)


def test_bidi_overrides_and_zero_width_characters_never_reach_a_page_or_the_pdf(world):
    from assessments.reports import render as reports
    from tests import review_helpers as h

    hostile = "abc\u202egnp.exe\u2066x\u2069\u200b\ufeffend"
    assessment = h.approved(world, "Vanlig tittel")
    # Stored before the normaliser existed (straight into the database): outputs still strip it.
    type(assessment).objects.filter(pk=assessment.pk).update(title=hostile)
    html = world.client("reviewer").get(reverse("assessments:register")).content.decode()
    assert "abcgnp.exexend" in html
    for char in "\u202e\u2066\u2069\u200b\ufeff":
        assert char not in html
    assert "\u202e" not in reports.render_html({"title": hostile, "lang": "nb"})
    # Typed into a form: stored without them.
    response = world.client("leader_a").post(
        reverse("assessments:assessment_new"), {"agency": world.agency_a.pk, "title": "Ny\u202e tittel\u200b"}
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(title="Ny tittel").exists()
