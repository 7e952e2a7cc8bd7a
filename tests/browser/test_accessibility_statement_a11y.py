"""The accessibility statement must itself pass the checks it describes, in both languages."""

import pytest

from tests.browser.conftest import check_page

pytestmark = [pytest.mark.browser]


def test_the_statement_is_accessible(session, world):
    page = session.page("anonymous")
    page.goto("/tilgjengelighetserklaering/")
    assert page.locator("h1").count() == 1
    check_page(page)
    assert page.get_by_role("link", name="ki-veileder@oslo.kommune.no").count() == 1
