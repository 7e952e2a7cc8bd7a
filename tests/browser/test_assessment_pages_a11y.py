"""The wizard's and the assessment's pages in their harder states, checked with axe-core in Chromium:
the result with rules fired, a step with errors, a conflict between two writers, a refused import."""

import json

import pytest

from tests import answers as A
from tests.assessment_helpers import make_assessment
from tests.browser.conftest import (
    assert_accessible,
    assert_error_is_announced_and_linked,
    assert_no_console_errors,
    check_page,
)

pytestmark = [pytest.mark.browser]


def check_page_answering(page, status: int) -> None:
    """check_page() for a page the server answers with an error status on purpose."""
    page.wait_for_load_state()
    assert_accessible(page)
    for error in [e for e in page.kiv_console_errors if e.startswith(f"HTTP {status} for {page.url}")]:
        page.kiv_console_errors.remove(error)
    assert_no_console_errors(page)


def test_the_assessment_pages_are_accessible_in_their_harder_states(session, world, questionnaire):
    stopped = make_assessment(
        world,
        "Utkast med stopp",
        answers=A.complete(p_emotion_workplace_school="unknown", citizen_facing="yes", tr_disclose="no"),
        invite=True,
    )
    stopped.visited_steps = A.BASE_STEPS  # as if every step had been saved: the summary can be opened
    stopped.save(update_fields=["visited_steps"])
    submitted = make_assessment(world, "Innsendt", answers=A.complete(), submit=True)
    leader = session.signed_in("leader_a")

    with session.step("assessment page with rules fired"):
        leader.goto(stopped.get_absolute_url())
        check_page(leader)
        assert leader.locator("svg[role=img] title").count() == 1
    with session.step("summary with the live result"):
        leader.goto(f"/vurderinger/{stopped.uuid}/steg/summary/")
        check_page(leader)
    with session.step("a step with an error"):
        leader.goto(f"/vurderinger/{stopped.uuid}/steg/intro/")
        leader.evaluate("document.querySelector('[name=\"intro-title\"]').removeAttribute('maxlength')")
        leader.locator('[name="intro-title"]').fill("x" * 201)
        with leader.expect_navigation():
            leader.get_by_role("button", name="Lagre og fortsett").click()
        assert_error_is_announced_and_linked(leader, leader.locator('[name="intro-title"]'))
        check_page(leader)
    with session.step("a conflict with another writer"):
        contributor = session.signed_in("contributor_a")
        contributor.goto(f"/vurderinger/{stopped.uuid}/steg/need/")
        leader.goto(f"/vurderinger/{stopped.uuid}/steg/need/")
        leader.locator('[name="need-problem"]').fill("Lederen skrev dette først.")
        with leader.expect_navigation():
            leader.get_by_role("button", name="Lagre og fortsett").click()
        contributor.locator('[name="need-problem"]').fill("Bidragsyteren skrev dette.")
        with contributor.expect_navigation():
            contributor.get_by_role("button", name="Lagre og fortsett").click()
        assert "Noen andre har lagret endringer" in contributor.content()
        # 409 Conflict is the answer on purpose (the input is shown again, not saved): not a failed load.
        check_page_answering(contributor, 409)
    with session.step("submitted assessment, withdraw confirmation, contributors"):
        for path in (
            submitted.get_absolute_url(),
            f"/vurderinger/{submitted.uuid}/trekk/",
            f"/vurderinger/{stopped.uuid}/bidragsytere/",
            "/vurderinger/ny/",
        ):
            leader.goto(path)
            check_page(leader)
    with session.step("a refused import"):
        leader.goto("/vurderinger/importer/")
        leader.locator('input[type="file"]').set_input_files(
            files=[
                {
                    "name": "svar.json",
                    "mimeType": "application/json",
                    "buffer": json.dumps({"answers": {"title": "x", "role": "sell", "nope": 1}}).encode(),
                }
            ]
        )
        with leader.expect_navigation():
            leader.get_by_role("button", name="Importer").click()
        assert "<code>nope</code>" in leader.content()
        check_page_answering(leader, 400)  # the file is refused, and the page says why
