"""A wizard step saves only when it is sent: leaving it by a link or the back button with changes in it asks
first, in Chromium; sending it (its buttons or the step list) asks nothing."""

import re

import pytest
from playwright.sync_api import expect

from tests import answers as A
from tests.assessment_helpers import make_assessment

pytestmark = [pytest.mark.browser]


def test_leaving_a_step_with_unsaved_changes_asks_first(session, world, questionnaire):
    draft = make_assessment(world, "Utkast med endringer", answers=A.complete())
    draft.visited_steps = A.BASE_STEPS  # as if every step had been saved: any step can be opened
    draft.save(update_fields=["visited_steps"])
    leader = session.signed_in("leader_a")
    step = f"/vurderinger/{draft.uuid}/steg/need/"

    leader.goto(step)
    leader.get_by_role("link", name="Forsiden").click()  # nothing changed: no question
    expect(leader).to_have_url(re.compile(r"/$"))
    assert leader.kiv_dialogs == []

    leader.goto(step)
    leader.locator('[name="need-problem"]').fill("Et svar som ikke er lagret ennå.")
    leader.kiv_stay_on_leave = True
    leader.get_by_role("link", name="Forsiden").click()
    expect(leader.locator('[name="need-problem"]')).to_have_value("Et svar som ikke er lagret ennå.")
    assert leader.kiv_dialogs == ["beforeunload"] and leader.url.endswith(step)

    with leader.expect_navigation():
        leader.get_by_role("button", name="Lagre og fortsett").click()
    assert leader.kiv_dialogs == ["beforeunload"]  # sending the form saves, so it asked nothing
    draft.refresh_from_db()
    assert draft.answers["problem"] == "Et svar som ikke er lagret ennå."


def test_a_step_shown_again_after_a_refused_save_asks_before_its_input_is_left(session, world, questionnaire):
    draft = make_assessment(world, "Utkast som blir avvist", answers=A.complete())
    draft.visited_steps = A.BASE_STEPS
    draft.save(update_fields=["visited_steps"])
    leader = session.signed_in("leader_a")
    leader.goto(f"/vurderinger/{draft.uuid}/steg/intro/")
    leader.evaluate("document.querySelector('[name=\"intro-title\"]').removeAttribute('maxlength')")
    leader.locator('[name="intro-title"]').fill("x" * 201)
    with leader.expect_navigation():
        leader.get_by_role("button", name="Lagre og fortsett").click()
    expect(leader.locator("[data-error-summary]")).to_be_visible()
    leader.kiv_stay_on_leave = True
    leader.get_by_role("link", name="Forsiden").click()
    expect(leader.locator('[name="intro-title"]')).to_have_value("x" * 201)  # still there, not dropped unasked
    assert leader.kiv_dialogs == ["beforeunload"]
