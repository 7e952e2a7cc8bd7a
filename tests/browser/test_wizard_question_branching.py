"""A question shown only for some answer to another question on the same step (`shown_when` on a question) is
hidden in the browser until that answer is given. The draft keeps what was typed, so switching back loses
nothing; the engine leaves an answer to a hidden question out of everything it evaluates."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visible_answers
from assessments.presentation.links import step_url
from tests.assessment_helpers import published_questionnaire
from tests.browser.conftest import check_page

pytestmark = [pytest.mark.browser]


def test_the_remote_identification_question_follows_the_recognition_answer(session, world):
    assessment = services.assessment_create(agency=world.agency_a, user=world.users["leader_a"],
                                            title="Kamera ved inngangen",
                                            questionnaire=published_questionnaire("2026.6"))  # fmt: skip
    # The steps before it count as visited, so the wizard lets the leader open this one directly.
    assessment.visited_steps = [section["key"] for section in assessment.questionnaire.definition["sections"]]
    assessment.save(update_fields=["visited_steps"])
    page = session.signed_in("leader_a")
    page.goto(step_url(assessment, "high_risk"))
    remote = page.locator("#q-bio_remote")
    expect(remote).to_have_count(1)
    expect(remote).to_be_hidden()  # not answered yet: the question does not apply
    page.locator('input[name="high_risk-bio_recognition"][value="verification"]').check()
    expect(remote).to_be_hidden()
    page.locator('input[name="high_risk-bio_recognition"][value="identification"]').check()
    expect(remote).to_be_visible()
    expect(remote.locator(".required")).to_have_text("(må besvares)")  # required exactly when shown
    # Said aloud: a polite live region gets the words when the follow-up appears.
    expect(page.locator("[aria-live=polite].visually-hidden")).to_have_text("Et oppfølgingsspørsmål er lagt til under.")
    page.locator('input[name="high_risk-bio_remote"][value="yes"]').check()
    check_page(page)
    page.locator('input[name="high_risk-bio_recognition"][value="verification"]').check()
    expect(remote).to_be_hidden()
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.answers["bio_recognition"] == "verification"
    defn = as_definition(assessment.questionnaire.definition)
    assert "bio_remote" not in visible_answers(defn, assessment.answers)  # it counts for nothing
    expect(page.locator("#q-bio_remote")).to_be_hidden()  # shown again as saved: still not applicable
    page.locator('input[name="high_risk-bio_recognition"][value="unknown"]').check()
    expect(page.locator('input[name="high_risk-bio_remote"][value="yes"]')).to_be_checked()  # nothing lost
