"""The tool overview import in a real browser: UKE uploads a CSV with good and bad rows, the preview names each
bad row (checked with axe-core, for console errors and for sideways scrolling at 320 px), and the import adds the
good ones. Screenshots of the preview at both widths go to /tmp for a person to look at."""

import pytest
from playwright.sync_api import expect

from assessments.models import ToolEntry
from tests.browser.conftest import check_page
from tests.browser.wizard_steps import click_and_wait
from tests.catalogue_helpers import make_tool

pytestmark = [pytest.mark.browser]

CSV = "\ufeff" + "\r\n".join([
    "kjennetegn;navn;leverandør;høyeste informasjonsklasse;status;status fra;databehandleravtale;merknad",
    "transkribering;Transkribering av møter;Lyd AS;Intern informasjon;Godkjent;01.02.2026;ja;",
    "kommunechat;Kommunechat;Eksempel AS;Intern informasjon;Under vurdering;2026-03-01;ja;Ny vurdering pågår",
    ";Uten kjennetegn;;Intern informasjon;Godkjent;2026-02-01;;",
    "bildegenerator;Bildegenerator med et svært langt navn som må brytes pent på en smal skjerm;Bilde AS;"
    "Hemmelig;Godkjent;2026-02-01;kanskje;<b>ikke fet</b>",
    "transkribering;Dobbel rad;;Intern informasjon;Godkjent;2026-02-01;;",
])  # fmt: skip


def test_uke_previews_a_file_with_bad_rows_and_imports_the_rest(session, world, tmp_path):
    make_tool(world, slug="kommunechat")
    path = tmp_path / "verktoyoversikt.csv"
    path.write_text(CSV, encoding="utf-8")
    page = session.signed_in("reviewer")
    page.goto("/verktoy/")
    click_and_wait(page, page.get_by_role("link", name="Importer fra CSV eller Excel"))
    check_page(page)
    page.get_by_label("Fil med verktøyoversikten (CSV eller Excel)").set_input_files(str(path))
    click_and_wait(page, page.get_by_role("button", name="Vis hva som blir importert"))
    errors = page.locator("#import-errors")
    for row in ("Rad 4", "Rad 5", "Rad 6"):
        expect(errors).to_contain_text(row)
    expect(errors).to_contain_text("«kanskje»")
    expect(page.locator("#import-rows")).to_contain_text("Ny versjon etter kommunechat@1")
    check_page(page)
    page.screenshot(path="/tmp/scanimport-preview-desktop.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path="/tmp/scanimport-preview-320.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})
    click_and_wait(page, page.get_by_role("button", name="Importer", exact=True))
    done = "Importert: 1 nytt verktøy. 1 ny versjon av et verktøy som fantes fra før."
    expect(page.locator("body")).to_contain_text(done)
    assert ToolEntry.objects.get(slug="transkribering").current().status_since.isoformat() == "2026-02-01"
    assert ToolEntry.objects.get(slug="kommunechat").versions.count() == 2
