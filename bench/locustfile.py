"""Load scenario for KI-veileder (run by bench/load.py; loopback only).

Leaders fill in wizards step by step and submit them, UKE reviewers browse the queue and open assessments,
auditors search, download signed reports and read the audit log, and one probe asks /healthz every second,
so the run carries its own baseline. Users start signed in: bench/load.py writes one Django session per
simulated user to the file named by KIV_BENCH_SESSIONS ({"leader": [...], "reviewer": [...], ...}).
Signing in is left out on purpose: it happens once in an 8-hour session, and its deliberate password
hashing cost would say nothing about the pages.

Request names group URLs by endpoint ("wizard step [POST]"), so the figures are per endpoint.
"""

import itertools
import json
import os
import random
import re
import sys
from pathlib import Path

from locust import HttpUser, between, constant, task

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessments.engine.answer_sets import baseline_answers  # noqa: E402
from tests.answers import PREFIX  # noqa: E402

SESSIONS = json.loads(Path(os.environ["KIV_BENCH_SESSIONS"]).read_text())
_NEXT = {role: itertools.count() for role in SESSIONS}

# Every section answered (the tests' baseline `integrated_low_risk`, fixtures/answers/); the intro turns
# branches on or off per assessment (see LeaderUser.new_answers).
BASELINE = "integrated_low_risk"
TITLES = [
    "Chatbot for byggesaker",
    "Copilot i Word",
    "Oversetting av brev",
    "Referatskriver for møter",
    "Sortering av innkommende post",
    "Talegjenkjenning i hjemmetjenesten",
]

STEP = re.compile(r"/vurderinger/([0-9a-f-]{36})/steg/([a-z_]+)/")
REVISION = re.compile(r'name="revision" value="(\d+)"')
QUEUE_LINK = re.compile(r'href="(/vurderinger/[0-9a-f-]{36}/behandling/)"')
PDF_LINK = re.compile(r'href="(/vurderinger/[0-9a-f-]{36}/rapport/[0-9a-f-]{36}/last-ned/)"')


class SignedInUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self):
        sessions = SESSIONS[self.role]
        self.client.cookies.set("sessionid", sessions[next(_NEXT[self.role]) % len(sessions)])

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def get(self, url: str, name: str, expect: str = ""):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            elif expect and expect not in response.text:
                response.failure(f"{url} lacks {expect!r}")
            return response


class LeaderUser(SignedInUser):
    """Starts an assessment, fills it in one step per task, submits it, starts the next."""

    role = "leader"
    weight = 6

    def on_start(self):
        super().on_start()
        self.step_url = None

    def new_answers(self) -> dict:
        kinds = random.choice([["integrated"], ["generative"], ["integrated", "generative"]])
        return baseline_answers(
            BASELINE, ai_kind=kinds, pd_any=random.choice(["yes", "no"]), title=random.choice(TITLES)
        )

    def start_assessment(self) -> None:
        self.get("/vurderinger/ny/", "new assessment [GET]")
        self.answers = self.new_answers()
        with self.client.post(
            "/vurderinger/ny/",
            name="new assessment [POST]",
            catch_response=True,
            allow_redirects=False,
            data={"csrfmiddlewaretoken": self.csrf(), "title": self.answers["title"], "agency": self.agency},
        ) as response:
            if response.status_code != 302:
                response.failure(f"no assessment made: {response.status_code}")
                return
        # The new assessment opens at its first open step (through the "continue" redirect).
        continuing = self.client.get(response.headers["Location"], name="continue [GET]", allow_redirects=False)
        self.step_url = continuing.headers.get("Location")

    @property
    def agency(self) -> str:
        if not hasattr(self, "_agency"):
            page = self.client.get("/vurderinger/ny/", name="new assessment [GET]").text
            match = re.search(r'<option value="(\d+)"[^>]*selected', page) or re.search(r'<option value="(\d+)"', page)
            self._agency = match.group(1) if match else ""
        return self._agency

    @task
    def next_step(self):
        if not self.step_url:
            self.start_assessment()
            return
        match = STEP.search(self.step_url)
        if not match:
            self.step_url = None
            return
        step = match.group(2)
        page = self.get(self.step_url, "wizard summary [GET]" if step == "summary" else "wizard step [GET]")
        revision = REVISION.search(page.text or "")
        if page.status_code != 200 or not revision:
            self.step_url = None
            return
        data = {"csrfmiddlewaretoken": self.csrf(), f"{PREFIX}-current_step": step, "revision": revision.group(1)}
        if step == "summary":
            data["action"] = "submit"
            name = "submit [POST]"
        else:
            data["action"] = "next"
            name = "wizard step [POST]"
            for key in set(re.findall(rf'name="{step}-([a-z0-9_]+)"', page.text)):
                value = self.answers.get(key)
                if value is not None:
                    data[f"{step}-{key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
        with self.client.post(
            self.step_url, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name} on {step} was not accepted: {response.status_code}")
                self.step_url = None
                return
        self.step_url = None if step == "summary" else response.headers["Location"]


class ReviewerUser(SignedInUser):
    """UKE: the queue (filtered, paged), an assessment under review, the register."""

    role = "reviewer"
    weight = 2

    @task(3)
    def queue(self):
        page = self.get("/behandling/", "review queue", expect="<table")
        links = QUEUE_LINK.findall(page.text or "")
        if links:
            self.get(random.choice(links), "review detail")

    @task(2)
    def filtered_queue(self):
        status = random.choice(["submitted", "approved", "returned"])
        self.get(f"/behandling/?status={status}&sort=oldest&page={random.randint(1, 3)}", "review queue (filtered)")

    @task(1)
    def register(self):
        self.get("/register/", "assessments:register")


class AuditorUser(SignedInUser):
    """Auditors: search decided assessments, download a signed report, read the audit log."""

    role = "auditor"
    weight = 2

    @task(3)
    def search_and_download(self):
        query = random.choice(["", "Copilot", "chat", "a"])
        page = self.get(f"/revisjon/?q={query}", "auditor search")
        links = PDF_LINK.findall(page.text or "")
        if links:
            with self.client.get(
                random.choice(links), name="report download", catch_response=True, stream=False
            ) as response:
                if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
                    response.failure(f"not a PDF: {response.status_code}")

    @task(1)
    def audit_log(self):
        self.get("/revisjonslogg/", "audit log")

    @task(1)
    def verify_page(self):
        self.get("/verifiser/", "verify page")


class HealthProbe(HttpUser):
    """The baseline measured in the same run: the cheapest request the app serves."""

    fixed_count = 1
    wait_time = constant(1)

    @task
    def healthz(self):
        with self.client.get("/healthz", name="/healthz", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"unhealthy: {response.status_code} {response.text[:200]}")
