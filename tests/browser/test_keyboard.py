"""The wizard completed with the keyboard alone: Tab to move, Space and arrow keys to choose, Enter to
submit. No mouse click and no filling by selector: every control must be reachable in the focus order,
operable from the keyboard, and show where the focus is."""

import re

import pytest
from playwright.sync_api import expect

from tests.assessment_helpers import make_assessment
from tests.browser.conftest import check_page
from tests.browser.wizard_steps import ANSWERS, UNANSWERED, current_step, question_keys
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]

MAX_TABS = 250


def focused(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement;
        const style = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', value: e.value || '',
                text: (e.innerText || '').trim(), checked: !!e.checked, id: e.id || '',
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== 'none'};
    }""")


def tab_to(page, matches, what: str) -> dict:
    """Press Tab until the focused element matches; fail when it is not in the focus order."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            assert element["outline"] or element["shadow"], f"no visible focus on {what}: {element}"
            return element
    raise AssertionError(f"{what} cannot be reached with Tab on {page.url}")


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def by_name(name: str):
    return lambda e: e["name"] == name


def choose_radio(page, name: str, value: str) -> None:
    element = tab_to(page, by_name(name), f"the choices of {name}")
    if not element["checked"]:
        page.keyboard.press("Space")
    for _ in range(12):
        if focused(page)["value"] == value and focused(page)["checked"]:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value!r} of {name} cannot be chosen with the arrow keys")


def choose_checkboxes(page, name: str, values: list[str]) -> None:
    wanted = set(values)
    count = page.locator(f'input[name="{name}"]').count()
    seen = 0
    element = tab_to(page, by_name(name), f"the choices of {name}")
    while True:
        if (element["value"] in wanted) != element["checked"]:
            page.keyboard.press("Space")
        seen += 1
        if seen == count:
            return
        element = tab_to(page, by_name(name), f"the next choice of {name}")


def answer_with_keyboard(page) -> None:
    step = current_step(page)
    for key in question_keys(page):
        if key in UNANSWERED:
            continue
        name, value = f"{step}-{key}", ANSWERS[key]
        kind = page.locator(f'[name="{name}"]').first.evaluate("e => e.type || e.tagName.toLowerCase()")
        if kind == "radio":
            choose_radio(page, name, value)
        elif kind == "checkbox":
            choose_checkboxes(page, name, value)
        else:
            tab_to(page, by_name(name), f"the field {name}")
            page.keyboard.press("ControlOrMeta+a")
            page.keyboard.type(value)


def activate(page, text: str, tag: str = "button") -> None:
    tab_to(page, lambda e: e["tag"] == tag and e["text"] == text, f"«{text}»")
    press_and_wait(page, "Enter")


def test_the_wizard_can_be_completed_with_the_keyboard_alone(session, world):
    from assessments import demo

    demo.seed_questionnaires()
    page = session.page("leader_a")
    with session.step("sign in"):
        page.goto("/logg-inn/")
        tab_to(page, by_name("username"), "the username")
        page.keyboard.type("leader_a")
        tab_to(page, by_name("password"), "the password")
        page.keyboard.type(PASSWORD)
        press_and_wait(page, "Enter")
        assert "/logg-inn/" not in page.url
    with session.step("start an assessment"):
        activate(page, "Ny vurdering", tag="a")
        tab_to(page, lambda e: e["id"] == "id_title", "the title")
        page.keyboard.type("Tastaturvurdering")
        press_and_wait(page, "Enter")
        assert current_step(page) == "intro"
    steps = []
    while current_step(page) != "summary":
        step = current_step(page)
        with session.step(f"answer {step} with the keyboard"):
            assert step not in steps, f"the wizard came back to {step}"
            steps.append(step)
            answer_with_keyboard(page)
            activate(page, "Lagre og fortsett")
            expect(page.locator(".error-summary")).to_have_count(0)
    assert {"personal_data", "generative"} <= set(steps), steps
    with session.step("submit with the keyboard"):
        check_page(page)
        activate(page, "Send inn til UKE")
        expect(page.locator("h1")).to_contain_text("Send vurderingen inn til UKE?")
        activate(page, "Bekreft og send inn")
        expect(page.locator(".status").first).to_contain_text("Sendt inn")
        assert re.search(r"/vurderinger/[0-9a-f-]{36}/$", page.url), page.url


def test_a_failed_return_puts_its_error_three_tabs_away_at_most(session, world):
    """The review page is long; a refused decision must not leave its error at the bottom. Focus goes to
    the error summary at the top, whose link is reached within 3 Tab presses and leads to the field."""
    from tests.answers import complete

    assessment = make_assessment(world, "Vurdering til behandling", answers=complete(), submit=True)
    page = session.signed_in("reviewer")
    page.goto(f"/vurderinger/{assessment.uuid}/behandling/")
    form = page.locator('form[action$="/behandling/returner/"]')
    form.evaluate("f => { f.noValidate = true; }")
    with page.expect_navigation():
        form.get_by_role("button", name="Returner").click()
    expect(page).to_have_title(re.compile("^Feil: "))
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), "focus is not on the errors"
    reason = page.locator('form[action$="/behandling/returner/"] textarea')
    reason_id = reason.get_attribute("id")
    for _press in range(3):
        page.keyboard.press("Tab")
        if focused(page)["tag"] == "a" and page.evaluate("document.activeElement.getAttribute('href')") == (
            f"#{reason_id}"
        ):
            break
    else:
        raise AssertionError("the link to the reason's error is not within 3 Tab presses")
    page.keyboard.press("Enter")
    page.keyboard.type("Begrunnelse skrevet etter feilen.")
    assert reason.input_value() == "Begrunnelse skrevet etter feilen.", "the link does not lead to the field"
    check_page(page)
