"""A quarantined evidence file in a real browser: the plan page and the item page say the virus scan stopped it,
and it is not a link; checked with axe-core, for console errors and at 320 px. Screenshots go to /tmp."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from assessments import scanning
from assessments.services import evidence_scan, plans
from tests.answers import complete
from tests.assessment_helpers import make_assessment
from tests.browser.conftest import check_page

pytestmark = [pytest.mark.browser]


class Flagging:
    """A scanner that finds the test signature in everything (the clamd protocol is tested elsewhere)."""

    def scan(self, data):
        return scanning.ScanResult(scanning.FOUND, signature="Eicar-Test-Signature", scanner="test")


def test_a_quarantined_file_is_shown_and_not_offered(session, world, settings):
    # The scan queued by the upload's commit finds no clamd here and leaves the file pending.
    settings.KIV_CLAMD_SOCKET = "/tmp/kiv-no-such-clamd.sock"
    assessment = make_assessment(world, "Plan med smittet fil", answers=complete(), submit=True)
    item = assessment.plan_items.order_by("pk").first()
    upload = SimpleUploadedFile("smittet-vedlegg.pdf", b"%PDF-1.7\n%%EOF\n")
    evidence = plans.evidence_add(item=item, user=world.users["leader_a"], upload=upload)
    evidence_scan.scan(evidence.pk, Flagging())
    page = session.signed_in("leader_a")
    page.goto(f"/vurderinger/{assessment.uuid}/tiltak/")
    expect(page.locator("#held-back")).to_contain_text("smittet-vedlegg.pdf")
    # The type and source under an item's name in its (bold) row header are in normal weight.
    assert page.locator("table.data th .hint").first.evaluate("e => getComputedStyle(e).fontWeight") == "400"
    check_page(page)
    page.screenshot(path="/tmp/scanimport-plan-desktop.png", full_page=True)
    page.goto(f"/vurderinger/{assessment.uuid}/tiltak/{item.pk}/")
    expect(page.locator("#evidence")).to_contain_text("I karantene")
    expect(page.locator("#evidence a", has_text="smittet-vedlegg.pdf")).to_have_count(0)
    check_page(page)
    page.screenshot(path="/tmp/scanimport-item-desktop.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path="/tmp/scanimport-item-320.png", full_page=True)
