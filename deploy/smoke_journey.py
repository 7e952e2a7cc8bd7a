"""The journey deploy/smoke.sh runs through the scaled-out shape (two gunicorns, a worker, beat, moto S3,
the fake OIDC provider). Reads its addresses from the environment smoke.sh sets; exits non-zero on the
first failed check, naming it. Over HTTP: health of both instances, OIDC sign-in that starts on one
instance and returns to the other, the pages, the approval, the report download; through the services
(manage.py shell): creating and submitting the assessment, as the wizard would.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import boto3
import requests

ROOT = Path(__file__).resolve().parent.parent
WEB1, WEB2 = os.environ["SMOKE_WEB1"], os.environ["SMOKE_WEB2"]
LOGS = Path(os.environ["SMOKE_LOGS"])
PYTHON = os.environ.get("KIV_PYTHON", sys.executable)
passed: list[str] = []


def check(name: str, condition: bool, detail: str = "") -> None:
    if not condition:
        print(f"FAILED: {name} {detail}".rstrip(), flush=True)
        print(f"smoke: {len(passed)} passed, 1 failed", flush=True)
        raise SystemExit(1)
    passed.append(name)
    print(f"ok   {name}", flush=True)


def manage_shell(code: str) -> dict:
    result = subprocess.run(  # noqa: S603  (our own interpreter and code)
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"manage.py shell failed: {code.strip().splitlines()[0]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def sign_in(base: str, login_hint: str) -> requests.Session:
    """OIDC sign-in like a browser: app -> provider (approves at once) -> app's callback."""
    session = requests.Session()
    page = session.get(f"{base}/logg-inn/", timeout=10)
    check(f"{login_hint}: sign-in page", page.status_code == 200, str(page.status_code))
    start = csrf_post(session, f"{base}/logg-inn/oidc/", {})
    check(f"{login_hint}: sign-in redirects to the provider", start.status_code == 302, str(start.status_code))
    authorize = start.headers["Location"] + "&" + urlencode({"login_hint": login_hint})
    approved = session.get(authorize, allow_redirects=False, timeout=10)
    check(f"{login_hint}: provider sends back a code", approved.status_code == 302, approved.text[:200])
    callback = approved.headers["Location"]
    landing = session.get(callback, allow_redirects=False, timeout=20)
    check(
        f"{login_hint}: callback signs in",
        landing.status_code == 302 and landing.headers["Location"] == "/",
        f"{landing.status_code} {landing.text[:300]}",
    )
    return session


def csrf_post(session: requests.Session, url: str, data: dict) -> requests.Response:
    token = session.cookies.get("csrftoken")
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        headers={"Referer": url},
        timeout=20,
    )


def main() -> None:
    # 1. Both instances answer the load balancer, with the database and Redis behind them.
    for base in (WEB1, WEB2):
        health = requests.get(f"{base}/healthz", headers={"X-Request-ID": "smoke-health"}, timeout=10)
        body = health.json()
        check(
            f"healthz {base}",
            # Anonymous callers learn ok/fail per component only, never hosts or vendors.
            health.status_code == 200
            and body["checks"]["broker"] == {"ok": True}
            and body["checks"]["database"] == {"ok": True},
            health.text[:300],
        )

    # 2. Sign-in through the fake Entra ID: it starts on web1, the provider returns to web2 (the redirect
    # URI), and the session then works on web1 too — sessions live in PostgreSQL, not in a process.
    leader = sign_in(WEB1, "lene")
    callback_host = urlsplit(os.environ["KIV_OIDC_REDIRECT_URI"]).netloc
    check("the callback went to the other instance", callback_host == urlsplit(WEB2).netloc)
    home = leader.get(f"{WEB1}/", timeout=10)
    check("leader's home page on web1", home.status_code == 200 and "Lene" in home.text, str(home.status_code))
    reviewer = sign_in(WEB2, "ulrik")

    roles = manage_shell("""
import json
from django.contrib.auth import get_user_model
from assessments.permissions import roles_for
users = {u.first_name: u for u in get_user_model().objects.filter(socialaccount__isnull=False)}
lene, ulrik = roles_for(users["Lene"]), roles_for(users["Ulrik"])
print(json.dumps({"lene_leader": sorted(lene.leader_of), "ulrik_reviewer": ulrik.is_reviewer,
                  "lene_password": users["Lene"].has_usable_password()}))
""")
    check("group claims mapped to roles", len(roles["lene_leader"]) == 1 and roles["ulrik_reviewer"], str(roles))
    check("OIDC users have no password", roles["lene_password"] is False)

    # 3. The leader's assessment, made and submitted through the services the wizard calls.
    made = manage_shell("""
import json
from django.contrib.auth import get_user_model
from assessments import services
from assessments.models import Agency, Assessment
from assessments.permissions import roles_for
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visible_answers
from assessments.demo.drafts import with_tool_choice
lene = get_user_model().objects.get(socialaccount__isnull=False, first_name="Lene")
agency = Agency.objects.get(pk=next(iter(roles_for(lene).leader_of)))
assessment = services.assessment_create(agency=agency, user=lene, title="Røyktest: søk i rutiner på intranettet")
defn = as_definition(assessment.questionnaire.definition)
# A plainly approvable use from the scenario suite (fixtures/scenarios/), on the newest questionnaire.
with open("fixtures/scenarios/intranet_procedure_search.json", encoding="utf-8") as handle:
    answers = json.load(handle)["answers"]
answers["title"] = assessment.title
# The questions newer versions added, answered as the demo answers them (no tool from the overview, no camera).
answers = with_tool_choice(assessment.questionnaire.definition, answers)
Assessment.objects.filter(pk=assessment.pk).update(answers=visible_answers(defn, answers))
assessment.refresh_from_db()
version = services.assessment_submit(assessment=assessment, user=lene)
print(json.dumps({"uuid": str(assessment.uuid), "version": version.number, "verdict": version.verdict,
                  "agency": agency.slug}))
""")
    uuid = made["uuid"]
    check("assessment submitted", made["version"] == 1, str(made))
    detail = leader.get(f"{WEB2}/vurderinger/{uuid}/", timeout=10)
    check(
        "leader sees the assessment on web2",
        detail.status_code == 200 and "Røyktest" in detail.text,
        str(detail.status_code),
    )

    # 4. UKE approves over HTTP (the review page sets the CSRF cookie), on web1.
    review_url = f"{WEB1}/vurderinger/{uuid}/behandling/"
    page = reviewer.get(review_url, timeout=10)
    check("reviewer opens the review page", page.status_code == 200, str(page.status_code))
    approved = csrf_post(
        reviewer, f"{review_url}godkjenn/", {"approve-version": "1", "approve-reason": "", "confirmed": "1"}
    )
    check("reviewer approves", approved.status_code == 302, f"{approved.status_code} {approved.text[:300]}")

    # 5. The worker makes and seals the report and stores it in the (moto) S3 bucket.
    report = {}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        report = manage_shell(f"""
import json
from assessments.models import Report
r = Report.objects.filter(assessment__uuid="{uuid}", kind="signed").first()
fields = ("status", "uuid", "storage_name", "sha256", "error")
print(json.dumps({{f: (str(getattr(r, f)) if r else None) for f in fields}}))
""")
        if report["status"] in ("ready", "failed"):
            break
        time.sleep(2)
    check("the worker made the signed report", report.get("status") == "ready", str(report))
    check(
        "same key layout as on disk",
        report["storage_name"].startswith(f"reports/{made['agency']}/{uuid}/"),
        report["storage_name"],
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["KIV_S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["KIV_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=Path(os.environ["KIV_S3_SECRET_ACCESS_KEY_FILE"]).read_text().strip(),
        region_name=os.environ["KIV_S3_REGION"],
    )
    stored = s3.get_object(Bucket=os.environ["KIV_S3_BUCKET"], Key=report["storage_name"])["Body"].read()
    check(
        "the report is in the S3 bucket",
        stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == report["sha256"],
    )

    # 6. Downloads go through the app (permission checked), from either instance, byte for byte.
    download = leader.get(f"{WEB1}/vurderinger/{uuid}/rapport/{report['uuid']}/last-ned/", timeout=30)
    check(
        "leader downloads the report through the app",
        download.status_code == 200 and download.content == stored,
        str(download.status_code),
    )
    stranger = requests.get(
        f"{WEB2}/vurderinger/{uuid}/rapport/{report['uuid']}/last-ned/", allow_redirects=False, timeout=10
    )
    check("no download without signing in", stranger.status_code == 302)

    # 7. JSON log lines from both gunicorns, with the request id the client sent.
    for name in ("web1", "web2"):
        lines = [line for line in (LOGS / f"{name}.log").read_text().splitlines() if line.startswith("{")]
        parsed = [json.loads(line) for line in lines]
        check(f"{name} logs JSON", len(parsed) > 0 and all("request_id" in p for p in parsed))
        check(
            f"{name} access log carries the request id",
            any(p.get("path") == "/healthz" and p.get("request_id") == "smoke-health" for p in parsed),
        )
    worker_log = (LOGS / "worker.log").read_text()
    check("the worker logged the task", re.search(r"render|report", worker_log, re.I) is not None)

    audit = manage_shell("""
import json
from assessments.audit.chain import verify_chain
from assessments.models import AuditEvent
logins = AuditEvent.objects.filter(action="auth.oidc_login").count()
print(json.dumps({"ok": verify_chain().ok, "oidc": logins}))
""")
    check("audit chain verifies, OIDC sign-ins recorded", audit["ok"] and audit["oidc"] >= 2, str(audit))
    print(f"smoke journey: {len(passed)} passed, 0 failed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except requests.RequestException as exc:
        print(f"FAILED: HTTP error {exc}", flush=True)
        raise SystemExit(1) from None
