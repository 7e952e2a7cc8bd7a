"""The quick path in a real browser: a leader assesses a drafting assistant from the tool overview with the
screening (twelve answers at most) and submits it as forenklet; UKE approves it; a real worker seals the short
report; an auditor verifies it. And a screening that mentions children's personal data goes on to the full wizard
with the reason shown and the answers carried over. Every page is checked with axe-core, for console errors and
for sideways scrolling at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, NARROW, check_page
from tests.browser.test_journey import report_worker, wait_for_the_signed_report  # noqa: F401 (a fixture)
from tests.browser.wizard_steps import click_and_wait
from tests.catalogue_helpers import DRAFTING, make_tool, published_v3

pytestmark = [pytest.mark.browser]

TITLE = "Skriveassistent for standardbrev"


def screen(page, tool_ref: str, **changes) -> int:
    """From "Ny vurdering" through the screening; returns how many answers the leader gave."""
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="Ny vurdering"))
    check_page(page)
    click_and_wait(page, page.get_by_role("link", name="Start hurtigsjekken"))
    check_page(page)
    page.get_by_label("Hva heter tiltaket?").fill(TITLE)
    answers = {"cat_choice": tool_ref, **DRAFTING, **changes}
    for key, value in answers.items():
        page.locator(f'input[name="{key}"][value="{value}"]').check()
    click_and_wait(page, page.get_by_role("button", name="Se resultatet av hurtigsjekken"))
    check_page(page)
    return len(answers)


def test_a_drafting_assistant_takes_the_quick_path_and_its_report_verifies(session, world, report_worker, tmp_path):  # noqa: F811
    published_v3()
    tool = make_tool(world)
    leader = session.signed_in("leader_a")
    with session.step("leader screens and submits as forenklet"):
        assert screen(leader, tool.ref) <= 12
        expect(leader.locator(".verdict")).to_contain_text("Lav risiko etter hurtigsjekk")
        click_and_wait(leader, leader.get_by_role("button", name="Send inn som forenklet vurdering"))
        check_page(leader)
        uuid = re.search(r"/vurderinger/([0-9a-f-]{36})/", leader.url).group(1)

    with session.step("start the report worker"):
        report_worker()

    reviewer = session.signed_in("reviewer")
    with session.step("UKE approves"):
        reviewer.goto(f"/vurderinger/{uuid}/behandling/")
        check_page(reviewer)
        expect(reviewer.locator("#decision")).to_contain_text("Krev full vurdering")
        decision = reviewer.locator('form[action$="/behandling/godkjenn/"]')
        click_and_wait(reviewer, decision.get_by_role("button", name="Godkjenn"))
        check_page(reviewer)  # the confirmation
        click_and_wait(reviewer, reviewer.get_by_role("button", name="Bekreft og godkjenn"))
        expect(reviewer.locator(".status").first).to_contain_text("Godkjent")

    with session.step("the short report is sealed"):
        wait_for_the_signed_report(leader, uuid)

    auditor = session.signed_in("auditor")
    with session.step("the auditor verifies it"):
        auditor.goto("/")
        click_and_wait(auditor, auditor.get_by_role("link", name="Avgjorte vurderinger", exact=True))
        row = auditor.locator("tr", has=auditor.get_by_role("link", name=TITLE))
        with auditor.expect_download() as info:
            row.get_by_role("link", name=re.compile("Last ned PDF")).click()
        pdf = tmp_path / "forenklet.pdf"
        info.value.save_as(pdf)
        click_and_wait(auditor, auditor.get_by_role("link", name="Verifiser"))
        auditor.get_by_label("PDF-rapport").set_input_files(str(pdf))
        click_and_wait(auditor, auditor.get_by_role("button", name="Kontroller"))
        verdict = "Seglet er gyldig, og filen er identisk med en lagret rapport"
        expect(auditor.locator(".verify-result").get_by_role("status")).to_contain_text(verdict)
        check_page(auditor)


def test_childrens_data_goes_to_the_full_wizard_with_the_reason_and_the_answers(session, world):
    published_v3()
    tool = make_tool(world)
    leader = session.signed_in("leader_a")
    screen(leader, tool.ref, scr_personal_data="children")
    expect(leader.locator("main")).to_contain_text("Tiltaket trenger en full vurdering")
    expect(leader.locator("main")).to_contain_text("Opplysningene gjelder barn eller andre sårbare")
    expect(leader.get_by_role("button", name="Send inn som forenklet vurdering")).to_have_count(0)
    click_and_wait(leader, leader.get_by_role("link", name="Fortsett i hele skjemaet"))
    check_page(leader)
    assert "/steg/" in leader.url
    # The tool chosen in the screening is answered in the wizard's first step.
    leader.goto(leader.url.split("/steg/")[0] + "/steg/intro/")
    expect(leader.locator("#q-cat_max_class")).to_contain_text("fra verktøyoversikten")


@pytest.mark.parametrize(
    "changes, next_step",
    [({"scr_personal_data": "children"}, "Fortsett i hele skjemaet"), ({}, "Send inn som forenklet vurdering")],
    ids=["closed", "open"],
)
def test_the_result_reads_on_a_phone_and_by_keyboard(session, world, changes, next_step, request):
    """At 320 px the essentials come first (the verdict, why, what to do next) and the details are folded away;
    the page never scrolls sideways, and the keyboard reaches the next step and opens the details."""
    published_v3()
    tool = make_tool(world)
    leader = session.signed_in("leader_a")
    screen(leader, tool.ref, **changes)
    shot = ARTIFACTS / f"quick-path-result-{request.node.callspec.id}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    leader.screenshot(path=f"{shot}-desktop.png", full_page=True)
    leader.set_viewport_size(NARROW)
    leader.reload()
    leader.screenshot(path=f"{shot}-320.png", full_page=True)
    width = leader.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    # What to do next is within the first two screens of a phone (the site's header included), before the details.
    box = leader.locator(".actions").get_by_text(next_step).bounding_box()
    assert box["y"] < 2 * NARROW["height"], box
    details = leader.locator("details.result-details")
    expect(details).not_to_have_attribute("open", "")
    expect(details.locator("li").first).not_to_be_visible()

    # By keyboard: Tab reaches the next step, then the details, which Enter opens.
    leader.locator("h1").click()
    for _ in range(30):
        leader.keyboard.press("Tab")
        if leader.evaluate("document.activeElement.textContent.trim()") == next_step:
            break
    else:
        pytest.fail(f"the keyboard never reached «{next_step}»")
    for _ in range(5):
        leader.keyboard.press("Tab")
        if leader.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    else:
        pytest.fail("the keyboard never reached the details")
    leader.keyboard.press("Enter")
    expect(details).to_have_attribute("open", "")
    expect(details).to_contain_text("Kilde:")
    check_page(leader)
    leader.screenshot(path=f"{shot}-320-open.png")
