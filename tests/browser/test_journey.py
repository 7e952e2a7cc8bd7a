"""The whole journey in a real browser, as the people who use KI-veileder meet it.

A leader starts an assessment, walks the wizard with both branches on (generative AI, personal data),
goes back and changes an earlier answer (a new step appears), and submits; a UKE reviewer returns it with
a comment; the leader revises and resubmits; the reviewer sees the change and approves; a real Celery
worker on Redis makes the signed report; an auditor downloads it and verifies it on the verification page.
The approval sets one before-use condition on the action plan: the leader cannot record "in use" until the
item has evidence and is done; then the register shows it, and the auditor verifies the sealed status report.
Every page on the way is checked with axe-core (WCAG 2.1 A/AA: zero violations) and for console errors.

The worker needs a database it can share with the live server: PostgreSQL (CI runs it). On SQLite the
journey stops before the approval, failing in CI and skipping elsewhere.
"""

import re
import time
from contextlib import ExitStack

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import assert_error_is_announced_and_linked, check_page
from tests.browser.wizard_steps import (
    ANSWERS,
    answer_question,
    answer_step,
    click_and_wait,
    current_step,
    progress_titles,
    save_and_continue,
    step_count,
)
from tests.conftest import require_service, require_tool
from tests.integration.processes import (
    ThrowawayRedis,
    app_env,
    celery_broker,
    database_url,
    start_worker,
)

pytestmark = [pytest.mark.browser]

GENERATIVE = "Generativ KI"
PERSONAL_DATA = "Personopplysninger og DPIA"
DECISIONS = "Forvaltningsrett og avgjørelser"
RETURN_REASON = "Beskriv hvordan dere måler gevinsten før dere sender inn igjen."
COMMENT = "Hvordan skal tiden til første svar måles, og fra hvilket utgangspunkt?"
REVISED_GOALS = "Halvere tiden til første svar, fra 14 til 7 dager; måles månedlig i sakssystemet."
REPLY = "Vi måler fra mottatt henvendelse til første svar, hver måned i sakssystemet."


@pytest.fixture
def report_worker(settings, tmp_path):
    """Starts, when asked, a real Celery worker on a throwaway Redis that shares the live server's
    database and data folder, and points the live server's enqueueing at it."""
    stack = ExitStack()

    def start():
        require_service(
            connection.vendor == "postgresql",
            "PostgreSQL for the journey's report worker (DATABASE_URL=postgres://...)",
        )
        require_tool("redis-server")
        settings.DATA_DIR = tmp_path
        settings.MEDIA_ROOT = tmp_path / "media"
        redis = stack.enter_context(ThrowawayRedis(tmp_path))
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = redis.url
        env = app_env(data_dir=tmp_path, database=database_url(connection.settings_dict), broker=redis.url)
        worker = start_worker(env, tmp_path)
        stack.callback(worker.stop)
        stack.enter_context(celery_broker(redis.url))
        return worker

    with stack:
        yield start


# --- the leader --------------------------------------------------------------------------------


def start_assessment(page) -> str:
    """From the start page to the wizard's first step; returns the assessment's UUID."""
    page.goto("/")
    check_page(page)
    click_and_wait(page, page.get_by_role("link", name="Ny vurdering"))
    check_page(page)

    # A mistake first: no title. The error must be announced and tied to its field.
    click_and_wait(page, page.get_by_role("button", name="Start vurderingen"))
    assert_error_is_announced_and_linked(page, page.get_by_label("Hva heter tiltaket?"))
    check_page(page)

    page.get_by_label("Hva heter tiltaket?").fill(ANSWERS["title"])
    click_and_wait(page, page.get_by_role("button", name="Start vurderingen"))
    assert current_step(page) == "intro", page.url
    return re.search(r"/vurderinger/([0-9a-f-]{36})/", page.url).group(1)


def walk_wizard_first_time(page) -> None:
    """Intro with both branches on, then on to the summary, with one mistake on the way."""
    check_page(page)
    answer_step(page)
    save_and_continue(page)
    titles = progress_titles(page)
    assert GENERATIVE in titles and PERSONAL_DATA in titles, titles
    assert DECISIONS not in titles, titles

    while current_step(page) != "summary":
        check_page(page)
        step = current_step(page)
        if step == "high_risk":
            make_a_mistake_on_high_risk(page)
        answer_step(page)
        save_and_continue(page)
    check_page(page)


def make_a_mistake_on_high_risk(page) -> None:
    """ "None of these" together with an area is refused: announced, linked, and the input kept."""
    answer_step(page)
    answer_question(page, "high_risk", "hr_area", ["none", "education"])
    click_and_wait(page, page.get_by_role("button", name="Lagre og fortsett"))
    assert current_step(page) == "high_risk"
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert target and target.startswith("#") and page.locator(target).count() == 1, target
    fieldset = page.locator("#q-hr_area fieldset")
    error_id = fieldset.get_attribute("aria-describedby")
    assert error_id and page.locator(f"#{error_id}").inner_text().strip(), "the error is not linked"
    assert page.locator('input[name="high_risk-hr_area"][value="education"]').is_checked(), "input lost"
    check_page(page)


def change_an_earlier_answer(page) -> None:
    """Back to the first step from the summary; a decision-support role adds the decisions step."""
    before = step_count(page)
    first_step = page.locator(".wizard-progress li").first.locator("a, button")
    expect(first_step).to_contain_text("Om tiltaket")
    click_and_wait(page, first_step)
    assert current_step(page) == "intro"
    assert page.locator('input[name="intro-decision_role"][value="none"]').is_checked(), "the answer was lost"
    answer_question(page, "intro", "decision_role", "decision_support")
    save_and_continue(page)
    titles = progress_titles(page)
    assert DECISIONS in titles, titles
    assert step_count(page) == before + 1
    # Answered steps keep their answers; walk on to the new step and answer it.
    while current_step(page) != "decisions":
        assert page.locator("input:checked, textarea:not(:empty)").count() > 0, "earlier answers are gone"
        save_and_continue(page)
    check_page(page)
    answer_step(page)
    save_and_continue(page)
    while current_step(page) != "summary":
        save_and_continue(page)
    check_page(page)


def submit(page) -> None:
    """Submitting asks first, saying what happens next; the second press submits."""
    click_and_wait(page, page.get_by_role("button", name="Send inn til UKE"))
    expect(page.locator("h1")).to_contain_text("Send vurderingen inn til UKE?")
    expect(page.locator("main")).to_contain_text("Saksbehandlerne i UKE")
    check_page(page)
    click_and_wait(page, page.get_by_role("button", name="Bekreft og send inn"))
    expect(page.locator(".status")).to_contain_text("Sendt inn")
    check_page(page)


def no_conclusion_while_answers_are_missing(page, uuid: str) -> None:
    """A draft with required answers missing shows no conclusion: a count with links instead."""
    back = page.url
    page.goto(f"/vurderinger/{uuid}/")
    check_page(page)
    expect(page.locator(".verdict")).to_have_count(0)
    provisional = page.locator(".provisional")
    expect(provisional).to_contain_text("Ingen konklusjon ennå")
    expect(provisional).to_contain_text("påkrevde spørsmål mangler svar")
    assert provisional.locator("a").count() > 0, "the missing answers are not linked"
    expect(page.locator("#result-title")).to_contain_text("Foreløpig resultat")
    page.goto(back)


# --- the reviewer ------------------------------------------------------------------------------


def open_in_queue(page, title: str) -> None:
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="Kø", exact=True))
    check_page(page)
    click_and_wait(page, page.get_by_role("link", name=title))
    check_page(page)


def return_with_a_comment(page) -> None:
    answer = page.locator("#q-goals")
    answer.locator("summary").click()
    answer.get_by_label("Kommentar til svaret").fill(COMMENT)
    click_and_wait(page, answer.get_by_role("button", name="Lagre kommentar"))
    expect(page.locator("#q-goals")).to_contain_text(COMMENT)
    check_page(page)
    decision = page.locator('form[action$="/behandling/returner/"]')
    decision.locator("textarea").fill(RETURN_REASON)
    click_and_wait(page, decision.get_by_role("button", name="Returner"))
    expect(page.locator(".status").first).to_contain_text("Returnert")
    check_page(page)


def approve_after_seeing_the_change(page) -> None:
    changes = page.locator("#changes")
    expect(changes).to_be_visible()
    expect(changes).to_contain_text(REVISED_GOALS)
    expect(changes).to_contain_text(COMMENT)  # the earlier comment beside the change
    expect(changes).to_contain_text(REPLY)  # and the leader's reply to it
    decision = page.locator('form[action$="/behandling/godkjenn/"]')
    conditions_fit_at_double_zoom(page, decision)
    # One condition: the first item of the action plan must be done before the AI is taken into use.
    condition = decision.locator('input[name="conditions-before_use"]').first
    condition.check()
    title = decision.locator("tbody tr th").first.inner_text()
    click_and_wait(page, decision.get_by_role("button", name="Godkjenn"))
    # The confirmation names the condition; going back keeps the box ticked; confirming seals.
    check_page(page)
    expect(page.locator("main")).to_contain_text(title)
    click_and_wait(page, page.get_by_role("button", name="Tilbake og endre"))
    expect(decision.locator('input[name="conditions-before_use"]').first).to_be_checked()
    click_and_wait(page, decision.get_by_role("button", name="Godkjenn"))
    click_and_wait(page, page.get_by_role("button", name="Bekreft og godkjenn"))
    expect(page.locator(".status").first).to_contain_text("Godkjent")
    check_page(page)


def conditions_fit_at_double_zoom(page, decision) -> None:
    """At 200 % zoom (640 CSS px) every column of the conditions table shows without scrolling it sideways:
    in a grid of two columns the last column of boxes fell outside the frame."""
    wide = page.viewport_size
    page.set_viewport_size({"width": 640, "height": wide["height"]})
    try:
        table = decision.locator(".table-scroll")
        assert table.evaluate("e => e.scrollWidth <= e.clientWidth"), "the conditions table scrolls at 640 px"
    finally:
        page.set_viewport_size(wide)


# --- the leader again ---------------------------------------------------------------------------


def go_to_step(page, title: str) -> None:
    """Jump with the progress list (a link, or in a step's form a button that saves first)."""
    target = page.locator(".wizard-progress li", has_text=title).locator("a, button")
    expect(target).to_have_count(1)
    click_and_wait(page, target)


def revise_and_resubmit(page, uuid: str) -> None:
    """UKE's reason and comment meet the leader where the answers are fixed: "Rett svarene" opens the
    commented step, the banner links the commented question, and the comment stands at its question."""
    page.goto("/")
    section = page.locator("section", has=page.get_by_role("heading", name="Din virksomhet"))
    click_and_wait(page, section.get_by_role("link", name=ANSWERS["title"]))
    check_page(page)
    expect(page.locator("body")).to_contain_text(RETURN_REASON)
    click_and_wait(page, page.get_by_role("link", name="Rett svarene"))
    check_page(page)
    assert current_step(page) == "need", "«Rett svarene» must open the first commented step"
    banner = page.locator(".returned-banner")
    expect(banner).to_contain_text(RETURN_REASON)
    expect(banner.locator('a[href$="#q-goals"]')).to_have_count(1)
    expect(page.locator("#q-goals .uke-comment")).to_contain_text(COMMENT)
    # "Last saved by" names whoever saved answers, never the reviewer who returned it.
    expect(page.locator(".saved-info")).to_contain_text("Leader Test")
    page.locator('[name="need-goals"]').fill(REVISED_GOALS)
    page.locator("#q-goals").get_by_label("Svar til UKE (valgfritt)").fill(REPLY)
    save_and_continue(page)
    # The save is announced: the status region was in the page before the message was put into it.
    expect(page.locator("[data-live-messages][role=status]")).to_contain_text("Lagret kl.")
    go_to_step(page, "Behov og gevinst")
    expect(page.locator("#q-goals .comment-reply")).to_contain_text(REPLY)
    save_and_continue(page)
    go_to_step(page, "Oppsummering")
    assert current_step(page) == "summary"
    submit(page)


# --- the report and the auditor ------------------------------------------------------------------


def wait_for_the_signed_report(page, uuid: str) -> None:
    """The report panel polls with htmx until the worker is done: no reload by the user."""
    page.goto(f"/vurderinger/{uuid}/rapport/")
    check_page(page)
    link = page.get_by_role("link", name=re.compile("Last ned signert rapport"))
    expect(link).to_be_visible(timeout=90_000)
    check_page(page)


def download_and_verify(page, title: str, tmp_path) -> None:
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="Avgjorte vurderinger", exact=True))
    check_page(page)
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    expect(row).to_have_count(1)
    download_link = row.get_by_role("link", name=re.compile("Last ned PDF"))
    expect(download_link).to_have_count(1)
    with page.expect_download() as info:
        download_link.click()
    pdf = tmp_path / "rapport.pdf"
    info.value.save_as(pdf)
    assert_pdf_has_title_and_language(pdf.read_bytes())

    click_and_wait(page, page.get_by_role("link", name="Verifiser"))
    check_page(page)
    page.get_by_label("PDF-rapport").set_input_files(str(pdf))
    click_and_wait(page, page.get_by_role("button", name="Kontroller"))
    verdict = "Seglet er gyldig, og filen er identisk med en lagret rapport"
    expect(page.locator(".verify-result").get_by_role("status")).to_contain_text(verdict)
    expect(page.locator(".verify-result")).to_contain_text(title)
    check_page(page)


# --- the action plan: the go-live gate and the sealed status report -----------------------------------


def go_live_after_the_condition_is_done(page, uuid: str, tmp_path) -> None:
    """ "In use" is refused while the before-use item is open; evidence and "done" open the gate."""
    page.goto(f"/vurderinger/{uuid}/tiltak/")
    check_page(page)
    click_and_wait(page, page.get_by_role("button", name="Registrer tatt i bruk"))
    expect(page.locator(".error-summary")).to_contain_text("må være ferdige før løsningen tas i bruk")
    check_page(page)
    row = page.locator("#plan-items tr", has_text="Krav før bruk")
    click_and_wait(page, row.get_by_role("link").first)
    check_page(page)
    evidence = tmp_path / "dpia.pdf"
    evidence.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")
    page.get_by_label("Fil", exact=True).set_input_files(str(evidence))
    click_and_wait(page, page.get_by_role("button", name="Legg til dokumentasjon"))
    expect(page.locator("#evidence")).to_contain_text("dpia.pdf")
    page.get_by_label("Status", exact=True).select_option("done")
    click_and_wait(page, page.get_by_role("button", name="Lagre"))
    check_page(page)
    click_and_wait(page, page.get_by_role("button", name="Registrer tatt i bruk"))
    expect(page.locator("#in-use")).not_to_contain_text("Ikke registrert")
    check_page(page)
    page.goto("/register/")
    expect(page.locator("tr", has_text=ANSWERS["title"])).to_contain_text("i bruk fra")
    check_page(page)
    page.goto("/register/oversikt/")  # the matrix overview: the figure, and the table that says the same
    expect(page.locator("table").first).to_be_visible()
    check_page(page)


def status_report_verifies(page, uuid: str, tmp_path) -> None:
    """Asked for on the plan page, made by the worker: the page says it is being made and polls (htmx) until
    the download link is there, without a reload."""
    page.goto(f"/vurderinger/{uuid}/tiltak/")
    check_page(page)
    click_and_wait(page, page.get_by_role("button", name="Lag forseglet statusrapport (PDF)"))
    assert page.url.endswith("/tiltak/#status-reports"), page.url
    check_page(page)  # usually still being made (the worker takes a few seconds)
    link = page.locator("#plan-report-status").get_by_role("link", name=re.compile("Statusrapport per"))
    expect(link).to_be_visible(timeout=90_000)
    check_page(page)
    with page.expect_download() as info:
        link.click()
    pdf = tmp_path / "statusrapport.pdf"
    info.value.save_as(pdf)
    page.goto("/verifiser/")
    page.get_by_label("PDF-rapport").set_input_files(str(pdf))
    click_and_wait(page, page.get_by_role("button", name="Kontroller"))
    verdict = "Seglet er gyldig, og filen er identisk med en lagret rapport"
    expect(page.locator(".verify-result").get_by_role("status")).to_contain_text(verdict)
    expect(page.locator(".verify-result")).to_contain_text("statusrapport for tiltaksplanen")
    check_page(page)


def assert_pdf_has_title_and_language(data: bytes) -> None:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert reader.embedded_signatures, "the downloaded report is not signed"
    lang = str(reader.root.get("/Lang", ""))
    assert lang.startswith("nb") or lang.startswith("no"), f"PDF /Lang is {lang!r}"
    info = reader.trailer_view.get("/Info")
    title = str(info.get_object().get("/Title", "")) if info is not None else ""
    assert ANSWERS["title"] in title, f"PDF title is {title!r}"


def test_the_whole_journey(session, world, report_worker, tmp_path):
    from assessments import demo

    demo.seed_questionnaires()
    leader = session.signed_in("leader_a")
    with session.step("leader starts an assessment"):
        uuid = start_assessment(leader)
    with session.step("a draft with answers missing shows no conclusion"):
        no_conclusion_while_answers_are_missing(leader, uuid)
    with session.step("leader walks the wizard"):
        walk_wizard_first_time(leader)
    with session.step("leader changes an earlier answer"):
        change_an_earlier_answer(leader)
    with session.step("leader submits"):
        submit(leader)

    reviewer = session.signed_in("reviewer")
    with session.step("reviewer returns with a comment"):
        open_in_queue(reviewer, ANSWERS["title"])
        return_with_a_comment(reviewer)

    with session.step("leader revises and resubmits"):
        revise_and_resubmit(leader, uuid)

    with session.step("start the report worker"):
        report_worker()
    with session.step("reviewer approves"):
        open_in_queue(reviewer, ANSWERS["title"])
        approve_after_seeing_the_change(reviewer)

    with session.step("the worker makes the signed report"):
        began = time.monotonic()
        wait_for_the_signed_report(reviewer, uuid)
        print(f"report ready {time.monotonic() - began:.1f} s after the approval page")

    auditor = session.signed_in("auditor")
    with session.step("auditor downloads and verifies"):
        download_and_verify(auditor, ANSWERS["title"], tmp_path)

    with session.step("leader meets the before-use condition and records the go-live"):
        go_live_after_the_condition_is_done(leader, uuid, tmp_path)
    with session.step("auditor downloads the sealed status report and verifies it"):
        status_report_verifies(auditor, uuid, tmp_path)

    with session.step("every page again, in English"):
        for page in (leader, reviewer, auditor):
            walk_again_in_english(page)


def walk_again_in_english(page) -> None:
    """The pages this person saw, once more in English: the same checks (no internal names, no
    sideways scrolling at 320 px, accessible). Pages that now redirect (a submitted draft's steps) are
    checked where they land."""
    visited = list(page.kiv_visited)
    page.goto("/")
    page.locator("#lang-select").select_option("en")
    click_and_wait(page, page.get_by_role("button", name="Bytt språk"))
    assert page.locator("html").get_attribute("lang") == "en"
    for url in visited:
        page.goto(url)
        check_page(page)
        # Norwegian content on an English page is marked as such (WCAG 3.1.2).
        if "/vurderinger/" in url:
            assert page.locator('[lang="nb"]').count() > 0, f"no lang=nb on {url}"
