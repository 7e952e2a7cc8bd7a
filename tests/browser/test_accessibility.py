"""Pages every role meets first: the sign-in page (with its error) and each role's start page."""

import pytest

from tests.browser.conftest import check_page, sign_in

pytestmark = [pytest.mark.browser]


def test_it_announces_and_links_a_sign_in_error(session, world):
    page = session.page("anonymous")
    page.goto("/logg-inn/")
    check_page(page)
    page.get_by_label("Brukernavn").fill("leader_a")
    page.get_by_label("Passord").fill("wrong-password")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert alert.count() == 1 and alert.inner_text().strip(), "the error must be announced (role=alert)"
    error_id = alert.get_attribute("id")
    for label in ("Brukernavn", "Passord"):
        field = page.get_by_label(label)
        assert error_id in (field.get_attribute("aria-describedby") or "").split(), f"{label} is not linked"
        assert field.get_attribute("aria-invalid") == "true"
    check_page(page)


@pytest.mark.parametrize("role", ["leader_a", "contributor_a", "reviewer", "auditor"])
def test_each_start_page_is_accessible(session, world, role):
    page = session.page(role)
    sign_in(page, role)
    assert page.locator("h1").count() == 1
    check_page(page)
    # The skip link is the first stop for the keyboard and lands on the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
