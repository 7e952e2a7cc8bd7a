"""The tool overview in a real browser: a leader picks an approved tool in step 1 (a plain <select>), its facts
are shown "fra verktøyoversikten" and locked on later steps (fewer questions to answer), and planning input
above the tool's approval stops the assessment with a conclusion that names the tool. Every page is checked with
axe-core, for console errors and for sideways scrolling at 320 px."""

import pytest
from playwright.sync_api import expect

from assessments.engine.loader import as_definition
from tests.browser.conftest import DESKTOP, check_page
from tests.browser.wizard_steps import click_and_wait
from tests.catalogue_helpers import make_tool, v3_assessment, v3_definition

pytestmark = [pytest.mark.browser]


def open_inputs(page, step: str) -> int:
    """How many questions on the step the leader answers (inputs, not facts from the overview)."""
    return page.locator(f'div.question:has([name^="{step}-"])').count()


def test_picking_an_approved_tool_fills_locks_and_stops_above_its_class(session, world):
    version = make_tool(world, personal_data_allowed=True)
    make_tool(world, slug="gratischat", name="Gratis chat", status="not_approved", max_class="open")
    assessment = v3_assessment(world, title="Chat i saksbehandlingen")
    security = as_definition(v3_definition()).questions["sec_hosting"].section
    leader = session.signed_in("leader_a")

    leader.goto(f"/vurderinger/{assessment.uuid}/steg/{security}/")
    before = open_inputs(leader, security)

    leader.goto(f"/vurderinger/{assessment.uuid}/steg/intro/")
    check_page(leader)
    picker = leader.get_by_label("Velg verktøyet i verktøyoversikten")
    leader.get_by_label("Verktøyet finnes ikke i verktøyoversikten").check()
    expect(picker).to_be_hidden()  # nothing to pick for a tool that is not listed
    leader.get_by_label("Et verktøy fra verktøyoversikten").check()
    picker.select_option(version.ref)
    click_and_wait(leader, leader.get_by_role("button", name="Lagre", exact=True))
    expect(leader.locator(".error-summary")).to_have_count(0)
    expect(leader.locator("#q-cat_max_class")).to_contain_text("Intern informasjon")
    expect(leader.locator("#q-cat_max_class")).to_contain_text("fra verktøyoversikten")
    check_page(leader)

    leader.goto(f"/vurderinger/{assessment.uuid}/steg/{security}/")
    expect(leader.locator("#q-sec_hosting")).to_contain_text("fra verktøyoversikten")
    assert open_inputs(leader, security) < before
    check_page(leader)
    leader.locator(f'input[name="{security}-sec_classification"][value="confidential"]').check()
    click_and_wait(leader, leader.get_by_role("button", name="Lagre", exact=True))

    leader.goto(f"/vurderinger/{assessment.uuid}/steg/summary/")
    expect(leader.locator("body")).to_contain_text("Kommunechat er godkjent for inntil")
    expect(leader.locator(".catalogue-box")).to_contain_text("kommunechat@1")
    check_page(leader)


def test_the_register_filters_and_groups_by_tool(session, world):
    """Anyone signed in picks a tool and "by tool" in the register's filter: a summary per tool above the list,
    the list grouped under each tool's name; readable at 320 px (the tables scroll in their own box)."""
    from django.urls import reverse

    from tests.catalogue_helpers import approved_with
    from tests.review_helpers import approved

    chat = make_tool(world, personal_data_allowed=True)
    other = make_tool(world, slug="annet", name="Annet verktøy", personal_data_allowed=True)
    for title, tool in [("Chat i bydelen", chat), ("Chat i etaten", chat), ("Annet i bydelen", other)]:
        approved_with(world, tool, title)
    approved(world, "Uten verktøy")
    reader = session.signed_in("leader_b")
    reader.goto(reverse("assessments:register"))
    reader.get_by_label("Grupper etter").select_option("tool")
    click_and_wait(reader, reader.get_by_role("button", name="Filtrer"))
    summary = reader.locator("section.by-tool")
    expect(summary).to_contain_text("Kommunechat")
    expect(summary).to_contain_text("Uten verktøy fra oversikten")
    expect(reader.locator("tr.group-row")).to_have_count(3)
    check_page(reader)
    reader.screenshot(path="/tmp/toolgaps-register-desktop.png", full_page=True)
    reader.set_viewport_size({"width": 320, "height": 800})
    reader.screenshot(path="/tmp/toolgaps-register-320.png", full_page=True)
    reader.set_viewport_size({"width": 1280, "height": 720})

    reader.get_by_label("Verktøy", exact=True).select_option("kommunechat")
    click_and_wait(reader, reader.get_by_role("button", name="Filtrer"))
    expect(reader.locator("section.by-tool tbody tr")).to_have_count(1)
    expect(reader.locator("table.data").last).not_to_contain_text("Annet i bydelen")
    check_page(reader)


def test_the_tool_page_and_form_are_laid_out_like_the_others(session, world):
    """The facts list has bold labels and unindented values; on "Legg til verktøy" a checkbox sits beside its
    label and a date input is as wide as its digits, a URL input as the text inputs; the withdraw form asks for
    the confirmation. Checked with axe-core, for console errors and at 320 px."""
    version = make_tool(world)
    reviewer = session.signed_in("reviewer")
    reviewer.set_viewport_size(DESKTOP)
    reviewer.goto(f"/verktoy/{version.entry.slug}/")
    check_page(reviewer)
    styles = reviewer.evaluate("""() => {
        const list = document.querySelector('dl.facts'), dd = list.querySelector('dd');
        const left = dd.getBoundingClientRect().left - list.getBoundingClientRect().left;
        return [getComputedStyle(list.querySelector('dt')).fontWeight, left];
    }""")
    assert styles == ["700", 0], styles
    expect(reviewer.get_by_label("Jeg forstår at vurderinger som bruker verktøyet")).to_be_visible()

    reviewer.goto("/verktoy/ny/")
    check_page(reviewer)
    checkbox = reviewer.locator("#id_personal_data_allowed").bounding_box()
    label = reviewer.locator('label[for="id_personal_data_allowed"]').bounding_box()
    assert 0 <= label["x"] - (checkbox["x"] + checkbox["width"]) < 24, (checkbox, label)
    assert abs(label["y"] - checkbox["y"]) < 24, (checkbox, label)  # on the same line, not under the label
    text, url = reviewer.locator("#id_name").bounding_box(), reviewer.locator("#id_guideline_url").bounding_box()
    date = reviewer.locator("#id_status_since").bounding_box()
    assert url["width"] == text["width"] and date["width"] < text["width"] / 2, (text, url, date)
    assert reviewer.locator("#id_status_since").evaluate("e => getComputedStyle(e).borderTopWidth") == "2px"
