"""UKE's public-access page in a real browser: accessible (axe-core, no console errors, no sideways scrolling at
320 px), and an exemption is marked, shown and lifted with the keyboard alone (Tab, arrow keys, typing, Enter)."""

import os
import re

import pytest
from playwright.sync_api import expect

from assessments.models import Exemption
from assessments.services import public_access as service
from tests import review_helpers as h
from tests.browser.conftest import DESKTOP, NARROW, check_page
from tests.browser.test_keyboard import focused, press_and_wait, tab_to

pytestmark = [pytest.mark.browser]


def _shot(page, name: str) -> None:
    # For a person to look at (KIV_SCREENSHOTS=1): the page at desktop width and at 320 px.
    if os.environ.get("KIV_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/pubaccess-{name}-desktop.png", full_page=True)
        size = page.viewport_size
        page.set_viewport_size(NARROW)
        page.screenshot(path=f"/tmp/pubaccess-{name}-320.png", full_page=True)
        page.set_viewport_size(size)


def test_uke_marks_and_lifts_an_exemption_with_the_keyboard(session, world):
    assessment = h.approved(world, "Chat for byggesak")
    reviewer = session.signed_in("reviewer")
    reviewer.goto(f"/vurderinger/{assessment.uuid}/behandling/")
    reviewer.get_by_role("link", name="Offentlighet og innsyn: unntak og innsynskopi").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Offentlighet og innsyn")
    check_page(reviewer)

    # The form proposes the security section with § 24; the reason is required.
    tab_to(reviewer, lambda e: e["name"] == "target", "the target")
    assert focused(reviewer)["value"] == "section:security"
    tab_to(reviewer, lambda e: e["name"] == "basis", "the legal basis")
    tab_to(reviewer, lambda e: e["name"] == "reason", "the reason")
    reviewer.keyboard.press("Enter")  # a newline in the text area, not a submit
    tab_to(reviewer, lambda e: e["text"] == "Unnta offentlighet", "the submit button")
    press_and_wait(reviewer, "Enter")
    expect(reviewer.get_by_role("alert")).to_contain_text("Skriv en kort begrunnelse for unntaket.")
    check_page(reviewer)
    _shot(reviewer, "error")

    tab_to(reviewer, lambda e: e["name"] == "reason", "the reason")
    reviewer.keyboard.type("Sikkerhetstiltakene ville lette angrep.")
    tab_to(reviewer, lambda e: e["text"] == "Unnta offentlighet", "the submit button")
    press_and_wait(reviewer, "Enter")
    expect(reviewer.locator("table.data")).to_contain_text("Sikkerhet, arkiv og innsyn")
    expect(reviewer.locator("table.data")).to_contain_text("offentleglova § 24 tredje ledd")
    assert Exemption.objects.filter(assessment=assessment, target="section:security").exists()
    check_page(reviewer)
    _shot(reviewer, "marked")

    tab_to(reviewer, lambda e: e["text"].startswith("Opphev"), "the lift button")
    press_and_wait(reviewer, "Enter")
    expect(reviewer.locator("body")).to_contain_text("Ingenting er unntatt offentlighet.")
    assert not Exemption.objects.exists()


def test_a_very_long_word_in_the_reason_keeps_the_lift_button_in_view(session, world):
    """Free text breaks anywhere (app.css .free-text): the button beside it stays inside the table's box."""
    assessment = h.approved(world, "Chat for byggesak")
    reason = "Sikkerhetstiltakene" + "x" * 180
    service.exemption_mark(
        assessment=assessment, user=world.users["reviewer"], target="section:security", basis="oftl24_3", reason=reason
    )
    reviewer = session.signed_in("reviewer")
    reviewer.set_viewport_size(DESKTOP)
    reviewer.goto(f"/vurderinger/{assessment.uuid}/offentlighet/")
    region = reviewer.locator(".table-scroll").bounding_box()
    button = reviewer.get_by_role("button", name=re.compile("^Opphev")).bounding_box()
    assert button["x"] + button["width"] <= region["x"] + region["width"], (button, region)
    _shot(reviewer, "long-word")
