"""Pages every role meets first: the sign-in page (with its error) and each role's start page."""

import pytest

from tests.assessment_helpers import make_assessment, published_questionnaire
from tests.browser.conftest import assert_error_is_announced_and_linked, check_page, sign_in

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


def _submitted(world):
    from tests.answers import complete

    return make_assessment(world, "Vurdering til behandling", answers=complete(), submit=True)


def test_a_return_without_a_reason_is_announced_and_linked(session, world):
    assessment = _submitted(world)
    page = session.signed_in("reviewer")
    page.goto(f"/vurderinger/{assessment.uuid}/behandling/")
    form = page.locator('form[action$="/behandling/returner/"]')
    # The server says what is missing, in the app's words and language: the browser's bubble does not stop the form.
    assert form.get_attribute("novalidate") is not None
    with page.expect_navigation():
        form.get_by_role("button", name="Returner").click()
    form = page.locator('form[action$="/behandling/returner/"]')
    assert_error_is_announced_and_linked(page, form.locator("textarea"))
    check_page(page)


def upload_and_expect_an_error(page, url: str, label: str, button: str, path) -> None:
    """Upload `path` in the field `label` on `url`: the error is announced and linked; both pages pass check_page."""
    page.goto(url)
    check_page(page)
    page.get_by_label(label).set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert_error_is_announced_and_linked(page, page.get_by_label(label))
    check_page(page)


def test_a_file_that_is_not_a_pdf_is_announced_and_linked(session, world, tmp_path):
    fake = tmp_path / "rapport.pdf"
    fake.write_text("Dette er ikke en PDF.")
    upload_and_expect_an_error(session.signed_in("auditor"), "/verifiser/", "PDF-rapport", "Kontroller", fake)


def test_an_answers_file_that_is_not_json_is_announced_and_linked(session, world, tmp_path):

    published_questionnaire()
    bad = tmp_path / "svar.json"
    bad.write_text("{ikke json")
    page = session.signed_in("leader_a")
    upload_and_expect_an_error(page, "/vurderinger/importer/", "Svarfil (JSON)", "Importer", bad)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_header_shows_a_focus_ring_that_stands_out_on_navy(session, world):
    """WCAG 1.4.11 / 2.4.7: the focus ring on the navy header has at least 3:1 against it."""
    page = session.signed_in("leader_a")
    page.goto("/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.site-header')"):
            break
    style = page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        const bg = getComputedStyle(document.querySelector('.site-header')).backgroundColor;
        return {inHeader: !!e.closest('.site-header'), color: s.outlineColor, width: s.outlineWidth,
                styleName: s.outlineStyle, background: bg};
    }""")
    assert style["inHeader"], style
    assert style["styleName"] != "none" and float(style["width"].removesuffix("px")) >= 2, style

    def rgb(text: str) -> tuple[int, int, int]:
        return tuple(int(float(n)) for n in text[text.index("(") + 1 : text.index(")")].split(",")[:3])

    assert _contrast(rgb(style["color"]), rgb(style["background"])) >= 3, style
