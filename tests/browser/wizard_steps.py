"""Walking the wizard in a browser: the answers of the journey and how a step is filled.

The answers (fixtures/answers/journey_generative.json, on questionnaire 2026.3) describe a generative tool
with personal data (so both branches are on), bought and procured (so no stop rule fires) and reviewed by
people: a plan that UKE can approve. Questions are found on the page itself (each is a `div.question` with id
`q-<key>`), so the walk follows whatever the questionnaire shows, and fails when it shows a question this file
has no answer for.
"""

import re

from playwright.sync_api import expect

from assessments.engine.answer_sets import baseline_answers
from assessments.engine.loader import as_definition
from tests.assessment_helpers import fixture_definition

# The baseline `journey_generative` (fixtures/answers/), as a browser types it: numbers as text.
# (2026.9) When the journey turns to decision support, its caseworkers assess each case themselves. (2026.10) The
# vendor does not train on what is entered. (2026.12) The letters concern residents' cases, not the employees.
# (2026.15) It sorts no one by biometric features (the question is required).
ANSWERS = {
    **{
        key: value if isinstance(value, list) else str(value)
        for key, value in baseline_answers("journey_generative").items()
    },
    "fv_human_assessment": "independent",
    "gen_vendor_train": "no",
    "pd_employees": "no",
    "bio_categorisation": "no",
}
# Optional questions the journey leaves empty on purpose: the legal basis for automated decisions (not required
# for these answers), (2026.3) the facts of a tool from the tool overview, which the journey does not pick,
# and (2026.5) whether an identification is remote, which the step shows but counts only when people are identified.
V2026_3_KEYS = as_definition(fixture_definition("2026.3")).questions
UNANSWERED = {"fv_basis_auto", "bio_remote"} | {
    key for key in V2026_3_KEYS if key.startswith("cat_") and key != "cat_choice"
}

STEP_URL = re.compile(r"/steg/([a-z_]+)/")


def current_step(page) -> str:
    match = STEP_URL.search(page.url)
    assert match, f"not on a wizard step: {page.url}"
    return match.group(1)


def step_count(page) -> int:
    """m in the heading's "Steg n av m"."""
    match = re.search(r"Steg (\d+) av (\d+)", page.locator("h1").inner_text())
    assert match, f"no 'Steg n av m' in the heading on {page.url}"
    return int(match.group(2))


def progress_titles(page) -> list[str]:
    """The step titles in the progress list, without numbers and "(not available yet)" notes."""
    titles = []
    for text in page.locator(".wizard-progress li").all_inner_texts():
        first_line = text.strip().splitlines()[0]
        titles.append(re.sub(r"^\d+\.\s*", "", first_line).split(" (")[0].strip())
    return titles


def question_keys(page) -> list[str]:
    """The questions the step shows (one that earlier answers rule out is on the page, hidden)."""
    return [block.get_attribute("id")[2:] for block in page.locator("div.question:visible").all()]


def answer_question(page, step: str, key: str, value) -> None:
    name = f"{step}-{key}"
    inputs = page.locator(f'[name="{name}"]')
    assert inputs.count(), f"no input named {name} on {page.url}"
    first = inputs.first
    kind = first.get_attribute("type") or first.evaluate("e => e.tagName.toLowerCase()")
    if kind == "radio":
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    elif kind == "checkbox":
        wanted = set(value)
        for box in inputs.all():
            box.set_checked(box.get_attribute("value") in wanted)
    else:
        first.fill(value)


def answer_step(page, answers: dict = ANSWERS) -> list[str]:
    """Answer every question shown on the current step; returns their keys."""
    step = current_step(page)
    keys = question_keys(page)
    for key in keys:
        if key in UNANSWERED:
            continue
        assert key in answers, f"the journey has no answer for {key!r} on step {step}"
        answer_question(page, step, key, answers[key])
    return keys


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def save_and_continue(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Lagre og fortsett"))
    expect(page.locator(".error-summary")).to_have_count(0)
