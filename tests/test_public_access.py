"""Public access (offentleglova): UKE's exemptions, the public register and the public tool overview JSON
leaving exempt content out, and the innsyn copy. The URL access per role is in tests/permission_matrix.py."""

import io
import json
import subprocess
from types import SimpleNamespace

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessments import services
from assessments.engine.loader import as_definition
from assessments.models import AuditEvent, Exemption, Report, ToolExemption
from assessments.presentation import public_access as presentation
from assessments.presentation import result_view
from assessments.presentation.quickpath import screening_rows
from assessments.reports import innsyn
from assessments.reports import render as reports
from assessments.services import public_access as service
from tests import review_helpers as h
from tests.advice_helpers import version
from tests.catalogue_helpers import make_tool, v3_definition
from tests.conftest import make_user, require_tool
from tests.test_quickpath_services import approved_simplified
from tests.test_register import read_csv, read_json

SECRET = "Brannmurregel 7 slipper gjennom port 4444"
REASON = "Begrunnelsen nevner HEMMELIG-LEVERANDØR"
SECURITY = "Unntatt offentlighet – hjemmel: offentleglova § 24 tredje ledd"
PERSONAL = "offentleglova § 13 første ledd, jf. forvaltningsloven § 13 første ledd nr. 1"
BUSINESS = "offentleglova § 13 første ledd, jf. forvaltningsloven § 13 første ledd nr. 2"


@pytest.fixture
def approved(world):
    assessment = h.submitted(world, "Chat for byggesak", description=SECRET)
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"], comment=REASON)
    assessment.refresh_from_db()
    return assessment


def mark(world, assessment, target, basis="oftl24_3", reason="Sikkerhetstiltak."):
    return service.exemption_mark(
        assessment=assessment, user=world.users["reviewer"], target=target, basis=basis, reason=reason
    )


# --- The service -----------------------------------------------------------------------------------------


def test_uke_marks_a_section_and_it_is_audited_without_the_content(world, approved):
    exemption = mark(world, approved, "section:security")
    assert (exemption.basis, exemption.created_by) == ("oftl24_3", world.users["reviewer"])
    event = AuditEvent.objects.filter(action="public_access.exempted").get()
    assert event.details == {"target": "section:security", "basis": "oftl24_3", "changed": False}
    assert event.object_id == str(approved.uuid)


def test_marking_again_changes_basis_and_reason(world, approved):
    mark(world, approved, "question:description")
    mark(world, approved, "question:description", basis="oftl13_business", reason="Forretningshemmelighet.")
    only = Exemption.objects.get(assessment=approved)
    assert (only.basis, only.reason) == ("oftl13_business", "Forretningshemmelighet.")


@pytest.mark.parametrize(
    ("target", "basis", "reason", "field"),
    [
        ("section:nowhere", "oftl24_3", "x", "target"),
        ("question:nope", "oftl24_3", "x", "target"),
        ("field:anything", "oftl24_3", "x", "target"),
        ("section:security", "oftl21", "x", "basis"),
        ("section:security", "oftl24_3", "   ", "reason"),
        ("section:security", "oftl24_3", "x" * 501, "reason"),
    ],
)
def test_bad_input_is_refused_with_a_message(world, approved, target, basis, reason, field):
    with pytest.raises(ValidationError) as caught:
        mark(world, approved, target, basis=basis, reason=reason)
    assert field in caught.value.message_dict
    assert not Exemption.objects.exists()


def test_only_uke_and_administrators_may_mark(world, approved):
    for role in ("leader_a", "contributor_a", "auditor", "dpo"):
        with pytest.raises(PermissionDenied):
            service.exemption_mark(
                assessment=approved, user=world.users[role], target="section:security", basis="oftl24_3", reason="x"
            )
    admin = make_user("admin_x", is_superuser=True, is_staff=True)
    service.exemption_mark(assessment=approved, user=admin, target="section:security", basis="oftl24_3", reason="x")
    assert Exemption.objects.filter(created_by=admin).exists()


def test_a_draft_cannot_be_exempted(world):
    draft = h.draft(world)
    with pytest.raises(PermissionDenied):
        mark(world, draft, "section:security")


def test_lifting_deletes_and_is_audited(world, approved):
    mark(world, approved, "section:security")
    assert service.exemption_lift(assessment=approved, user=world.users["reviewer"], target="section:security")
    assert not Exemption.objects.exists()
    assert AuditEvent.objects.filter(action="public_access.exemption_lifted").count() == 1
    assert not service.exemption_lift(assessment=approved, user=world.users["reviewer"], target="section:security")


def test_a_section_covers_its_questions_and_the_tool_answers_go_together():
    defn = as_definition(v3_definition())
    exemptions = [Exemption(target="section:security", basis="oftl24_3"),
                  Exemption(target="question:cat_name", basis="oftl13_business")]  # fmt: skip
    notices = presentation.question_notices(defn, exemptions)
    security = {q.key for q in defn.section("security").questions}
    assert security <= set(notices)
    assert all(notices[key] == SECURITY for key in security)
    assert {"cat_choice", "cat_ref", "cat_name"} <= set(notices)
    assert "description" not in notices


# --- The public register ---------------------------------------------------------------------------------


def test_the_public_register_leaves_an_exempt_title_out_and_says_so(client, settings, world, approved):
    settings.KIV_PUBLIC_REGISTER = True
    mark(world, approved, "question:title")
    body = client.get(reverse("assessments:public_register")).content.decode()
    assert "Chat for byggesak" not in body
    assert SECURITY in body
    data = read_json(client.get(reverse("assessments:public_register_json")))
    assert data["entries"][0]["title"] == SECURITY
    assert "Chat for byggesak" not in json.dumps(data, ensure_ascii=False)
    rows = read_csv(client.get(reverse("assessments:public_register_csv")))
    assert rows[0]["Tittel"] == SECURITY
    # Inside the municipality the register is not a public copy: UKE's exemption does not hide it there.
    assert "Chat for byggesak" in world.client("leader_b").get(reverse("assessments:register")).content.decode()


def test_an_exempt_section_hides_the_register_columns_it_holds(client, settings, world, approved):
    settings.KIV_PUBLIC_REGISTER = True
    before = read_json(client.get(reverse("assessments:public_register_json")))["entries"][0]
    assert before["ai_kind"] and before["title"] == "Chat for byggesak"
    mark(world, approved, "section:intro", basis="oftl13_personal")
    entry = read_json(client.get(reverse("assessments:public_register_json")))["entries"][0]
    notice = f"Unntatt offentlighet – hjemmel: {PERSONAL}"
    assert entry["title"] == notice and entry["ai_kind"] == notice
    assert entry["agency"] == world.agency_a.name  # what no exemption covers stays
    body = client.get(reverse("assessments:public_register")).content.decode()
    assert "Integrert i verktøy vi har" not in body[body.index("<tbody>") :]


def test_a_public_search_does_not_confirm_an_exempt_title(client, settings, world, approved):
    settings.KIV_PUBLIC_REGISTER = True
    public = reverse("assessments:public_register_json")
    assert read_json(client.get(public, {"q": "byggesak"}))["entries"]
    mark(world, approved, "question:title")
    assert read_json(client.get(public, {"q": "byggesak"}))["entries"] == []
    assert read_json(client.get(public))["entries"]  # unfiltered, the entry is there with its notice
    # The same exemption does not stop a filter on a column it does not cover.
    assert read_json(client.get(public, {"ai_kind": "integrated"}))["entries"]


def test_an_exemption_outside_the_register_columns_changes_nothing_there(client, settings, world, approved):
    settings.KIV_PUBLIC_REGISTER = True
    mark(world, approved, "section:security")
    entry = read_json(client.get(reverse("assessments:public_register_json")))["entries"][0]
    assert entry["title"] == "Chat for byggesak"
    assert "Unntatt" not in json.dumps(entry, ensure_ascii=False)


def test_grouping_the_public_register_by_tool_does_not_show_an_exempt_tool(client, settings, world):
    settings.KIV_PUBLIC_REGISTER = True
    simplified, tool = approved_simplified(world)
    page = reverse("assessments:public_register")
    before = client.get(page, {"group": "tool"}).content.decode()
    assert tool.name in before[before.index("</form>", before.index('class="filters"')) :]
    mark(world, simplified, "question:cat_name", basis="oftl13_business")
    body = client.get(page, {"group": "tool"}).content.decode()
    listed = body[
        body.index("</form>", body.index('class="filters"')) :
    ]  # (the filter's choices name every tool of the overview: public)
    assert tool.name not in listed  # neither in the summary nor as a group heading
    assert read_json(client.get(reverse("assessments:public_register_json"), {"group": "tool"}))["entries"] == []
    h.approved(world, "Oversettelse uten verktøy")  # the total counts what is listed, not every approved one
    body = client.get(page, {"group": "tool"}).content.decode()
    assert "Oversettelse uten verktøy" in body and "1 treff" in body and "2 treff" not in body


# --- The tool overview -----------------------------------------------------------------------------------


def test_the_public_tool_json_leaves_an_exempt_field_out_and_names_the_basis(client, settings, world):
    settings.KIV_PUBLIC_REGISTER = True
    version = make_tool(world, vendor="Hemmelig Leverandør AS")
    service.tool_exemption_mark(
        entry=version.entry, actor=world.users["reviewer"], field="vendor", basis="oftl13_business", reason="Avtale."
    )
    response = client.get(reverse("assessments:public_catalogue_json"))
    assert "Hemmelig Leverandør" not in response.content.decode()
    entry = response.json()["entries"][0]
    assert entry["vendor"] is None
    assert entry["exempt"] == {"vendor": f"Unntatt offentlighet – hjemmel: {BUSINESS}"}
    assert entry["name"] == "Kommunechat"
    assert AuditEvent.objects.filter(action="public_access.tool_exempted").count() == 1


def test_the_tool_innsyn_export_leaves_the_agreement_reference_out(world):
    version = make_tool(world, dpa_reference="AVT-HEMMELIG-9")
    client = world.client("reviewer")
    url = reverse("assessments:tool_exemptions", args=[version.entry.slug])
    response = client.post(url, {"field": "dpa_reference", "basis": "oftl13_business", "reason": "Avtalevilkår."})
    assert response.status_code == 302
    assert ToolExemption.objects.filter(entry=version.entry, field="dpa_reference").exists()
    export = client.get(reverse("assessments:tool_innsyn_json", args=[version.entry.slug]))
    assert "AVT-HEMMELIG-9" not in export.content.decode()
    assert export.json()["entries"][0]["exempt"]["dpa_reference"].endswith(BUSINESS)
    assert AuditEvent.objects.filter(action="public_access.tool_innsyn_exported").count() == 1
    lift = reverse("assessments:tool_exemption_lift", args=[version.entry.slug])
    assert client.post(lift, {"target": "dpa_\x00"}).status_code == 302
    assert ToolExemption.objects.filter(entry=version.entry).exists()
    client.post(lift, {"target": "dpa_reference"})
    again = client.get(reverse("assessments:tool_innsyn_json", args=[version.entry.slug]))
    assert "AVT-HEMMELIG-9" in again.content.decode()


def test_only_catalogue_editors_mark_tool_fields(world):
    version = make_tool(world)
    with pytest.raises(PermissionDenied):
        service.tool_exemption_mark(
            entry=version.entry, actor=world.users["leader_a"], field="note", basis="oftl24_3", reason="x"
        )
    with pytest.raises(ValidationError):
        service.tool_exemption_mark(
            entry=version.entry, actor=world.users["reviewer"], field="name", basis="oftl24_3", reason="x"
        )


# --- The innsyn copy -------------------------------------------------------------------------------------


def _copy_html(assessment, exemptions) -> str:
    version = assessment.latest_version()
    context = reports.build_context(Report(assessment=assessment, version=version, kind=Report.Kind.SIGNED))
    return reports.render_html(innsyn.redact(context, exemptions))


def test_the_copy_replaces_exempt_answers_and_texts_with_the_basis(world, approved):
    mark(world, approved, "question:description", basis="oftl13_business")
    mark(world, approved, "field:decision_reason", basis="oftl13_business")
    mark(world, approved, "section:security")
    html = _copy_html(approved, list(Exemption.objects.all()))
    assert SECRET not in html and "HEMMELIG-LEVERANDØR" not in html
    assert f"Unntatt offentlighet – hjemmel: {BUSINESS}" in html
    security_questions = len(as_definition(h.questionnaire().definition).section("security").questions)
    assert html.count(SECURITY) >= min(security_questions, 1) + 1  # the answers, and the list on the cover
    assert "Innsynskopi etter offentleglova" in html
    assert "Rapporten er forseglet" not in html


def test_an_exempt_title_gives_the_copy_a_heading_that_names_the_copy_not_the_notice(world, approved):
    mark(world, approved, "question:title", basis="oftl13_business")
    html = _copy_html(approved, list(Exemption.objects.all()))
    assert approved.title not in html
    heading = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Innsynskopi – tittelen er unntatt offentlighet" in heading and "hjemmel" not in heading
    assert "KI-vurdering: Innsynskopi – tittelen er unntatt offentlighet</title>" in html
    assert BUSINESS in html.split('class="exemptions"', 1)[1]  # the basis is given in the cover's list


def test_the_findings_do_not_quote_an_exempt_answer(world, approved):
    # An obligation's reason names the answers that set it off ("«label»: value"); exempting one of them
    # must take that quotation out of the copy, while the obligation itself stays listed.
    version = approved.latest_version()
    defn = as_definition(version.questionnaire.definition)
    obligation = next(o for o in version.result["obligations"] if o["triggered_by"])
    key, value = next(iter(obligation["triggered_by"].items()))
    quoted = result_view.question_label(defn, key)
    assert quoted in _copy_html(approved, [])
    mark(world, approved, f"question:{key}", basis="oftl13_personal")
    html = _copy_html(approved, list(Exemption.objects.all()))
    assert f"«{quoted}»" not in html
    assert obligation["title"] in html
    assert f"Unntatt offentlighet – hjemmel: {PERSONAL}" in html


def test_the_quick_paths_copy_leaves_an_exempt_screening_answer_out(world):
    simplified, _tool = approved_simplified(world)
    version = simplified.latest_version()
    defn = as_definition(version.questionnaire.definition)
    row = next(r for r in screening_rows(defn, version.result) if r["key"] == "sec_classification")
    assert f"<td>{escape(row['answer'])}</td>" in _copy_html(simplified, [])
    mark(world, simplified, "section:security")
    html = _copy_html(simplified, list(Exemption.objects.all()))
    assert f"<td>{escape(row['answer'])}</td>" not in html
    assert f"<td>{escape(row['label'])}</td><td>{SECURITY}</td>" in html


def test_without_exemptions_the_copy_shows_everything(world, approved):
    html = _copy_html(approved, [])
    assert SECRET in html and "HEMMELIG-LEVERANDØR" in html
    assert "Unntatt offentlighet –" not in html


def test_uke_downloads_the_copy_and_it_is_audited(world, approved):
    mark(world, approved, "question:description", basis="oftl13_business")
    response = world.client("reviewer").post(reverse("assessments:innsyn_copy", args=[approved.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.attachments) == 0  # no svar.json with the exempt answers
    event = AuditEvent.objects.filter(action="public_access.innsyn_copy_made").get()
    assert event.details["exempt"] == {"question:description": "oftl13_business"}
    assert len(event.details["sha256"]) == 64


def test_the_copy_pdf_text_leaves_the_exempt_answer_out(world, approved):
    pdftotext = require_tool("pdftotext")
    mark(world, approved, "question:description", basis="oftl13_business")
    _version, pdf = service.innsyn_copy_make(assessment=approved, user=world.users["reviewer"])
    text = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    text = " ".join(text.decode().split())
    assert "Chat for byggesak" in text and "Innsynskopi etter offentleglova" in text  # the rest is there
    assert "Brannmurregel" not in text and "port 4444" not in text
    assert f"Unntatt offentlighet – hjemmel: {BUSINESS}" in text


# --- UKE's page --------------------------------------------------------------------------------------------


def test_the_page_marks_lists_and_lifts(world, approved):
    client = world.client("reviewer")
    url = reverse("assessments:exemptions", args=[approved.uuid])
    page = client.get(url).content.decode()
    assert 'value="section:security" selected' in page  # the default: the security section, § 24
    assert 'value="oftl24_3" selected' in page
    response = client.post(url, {"target": "section:security", "basis": "oftl24_3", "reason": "Tiltakene."})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Tiltakene." in page and "Sikkerhet, arkiv og innsyn" in page
    assert 'value="section:security" selected' not in page  # once exempt, it is no longer proposed
    # A target no form can name (PostgreSQL refuses a NUL in a query) lifts nothing, with a message.
    refused = client.post(reverse("assessments:exemption_lift", args=[approved.uuid]), {"target": "section:\x00"})
    assert refused.status_code == 302 and Exemption.objects.exists()
    client.post(reverse("assessments:exemption_lift", args=[approved.uuid]), {"target": "section:security"})
    assert not Exemption.objects.exists()


def test_the_page_explains_bad_input(world, approved):
    url = reverse("assessments:exemptions", args=[approved.uuid])
    response = world.client("reviewer").post(url, {"target": "section:security", "basis": "oftl24_3", "reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv en kort begrunnelse for unntaket." in body
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in body and 'id="id_reason_error"' in body
    response = world.client("reviewer").post(url, {"target": "question:nope", "basis": "x", "reason": "y"})
    assert response.status_code == 400


def test_an_administrator_reaches_the_page_but_not_a_draft(world, approved):
    admin = make_user("admin_y", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("assessments:exemptions", args=[approved.uuid]))
    review = reverse("assessments:review_detail", args=[approved.uuid])
    assert page.status_code == 200 and approved.title in page.content.decode()
    # Administrators read no assessment otherwise: the title is not a link to a page that would refuse them.
    assert f'href="{review}"' not in page.content.decode() and client.get(review).status_code in (403, 404)
    uke = world.client("reviewer").get(reverse("assessments:exemptions", args=[approved.uuid])).content.decode()
    assert f'href="{review}"' in uke
    draft = h.draft(world)
    assert client.get(reverse("assessments:exemptions", args=[draft.uuid])).status_code == 404


def test_the_review_page_links_uke_to_it(world, approved):
    link = reverse("assessments:exemptions", args=[approved.uuid])
    review = reverse("assessments:review_detail", args=[approved.uuid])
    assert link in world.client("reviewer").get(review).content.decode()
    assert link not in world.client("leader_a").get(review).content.decode()


def test_the_page_and_the_notice_in_english(world, approved):
    client = world.client("reviewer")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    mark(world, approved, "question:description")
    body = client.get(reverse("assessments:exemptions", args=[approved.uuid])).content.decode()
    assert "Public access" in body and "Exempt from public access now" in body
    assert "Freedom of Information Act (offentleglova) section 24 third paragraph" in body


def test_a_hidden_title_does_not_keep_the_public_search_from_showing_titles_like_it(client, settings, world, approved):
    """Whether the search falls back to similar titles must not tell that a hidden title has the word."""
    settings.KIV_PUBLIC_REGISTER = True
    h.approved(world, "Chat for bygesaker")  # a title like "byggesak", without it
    mark(world, approved, "question:title")
    body = client.get(reverse("assessments:public_register"), {"q": "byggesak"}).content.decode()
    if connection.vendor == "postgresql":
        assert "Chat for bygesaker" in body and "similar-notice" in body
    else:
        assert "Chat for bygesaker" not in body and "similar-notice" not in body
    assert "Chat for byggesak<" not in body


def test_a_title_that_names_an_exempt_answer_gives_it_way_wherever_the_title_stands_and_nowhere_else():
    defn = version("2026.10")
    # The tool's name holds the exempt answer's label: only the answer's own place in the title gives way.
    name = "Chat (Taushetsbelagt eller unntatt offentlighet)"
    answers = {"cat_name": name, "cat_max_class": "internal", "sec_classification": "confidential"}
    title = f"{name} er godkjent for inntil «Intern informasjon», ikke «Taushetsbelagt eller unntatt offentlighet»"
    shown = {
        "hard_rules": [
            {
                "id": "catalogue_class_exceeded",
                "title": title,
                "explanation": "x",
                "triggered_by": [{"key": "sec_classification", "label": "Klasse", "value": "Taushetsbelagt"}],
            }
        ],
        "stopped_by": [title],
        "position": f"Feltet er ikke konklusjonen her: den absolutte regelen «{title}» stopper tiltaket.",
        "svg": f"<desc>{escape(title)}</desc>",
    }
    innsyn._redact_shown(shown, {"sec_classification": "Unntatt offentlighet"}, defn, answers)
    expected = f"{name} er godkjent for inntil «Intern informasjon», ikke «Unntatt offentlighet»"
    assert shown["hard_rules"][0]["title"] == shown["stopped_by"][0] == expected
    assert f"«{expected}»" in shown["position"] and escape(expected) in shown["svg"]
    assert title not in shown["position"]


def test_an_explanation_that_quotes_an_exempt_answer_gives_way_to_the_notice():
    """No questionnaire quotes an answer in an explanation yet; the format allows it, so the copy handles it."""
    real = version("2026.10")
    rule = real.rule("catalogue_class_exceeded")
    quoting = SimpleNamespace(
        rule=lambda rule_id: SimpleNamespace(
            title=rule.title, title_en=rule.title_en, explanation="Klassen er {sec_classification}.", explanation_en=""
        ),
        questions=real.questions,
    )
    shown = {"hard_rules": [{"id": rule.id, "title": "t", "explanation": "Klassen er Intern.", "triggered_by": []}]}
    innsyn._redact_shown(shown, {"sec_classification": "Unntatt offentlighet"}, quoting, {})
    assert shown["hard_rules"][0]["explanation"] == "Unntatt offentlighet"


def test_the_copy_leaves_earlier_comments_replies_and_reasons_out_with_the_fields_they_belong_to(world):
    assessment = h.returned_and_approved(world)
    html = _copy_html(assessment, [])
    assert "Vi teller saker per uke før og etter." in html and "Mangler en plan for stikkprøver." in html
    mark(world, assessment, "field:comments", basis="oftl13_business")
    mark(world, assessment, "field:decision_reason", basis="oftl13_business")
    html = _copy_html(assessment, list(Exemption.objects.all()))
    earlier = html.split("Tidligere behandling i UKE", 1)[1]
    for gone in ["Hvordan skal gevinsten måles?", "Vi teller saker per uke før og etter.", "Mangler en plan for"]:
        assert gone not in html, gone
    assert earlier.count(f"Unntatt offentlighet – hjemmel: {BUSINESS}") >= 2  # the reason and the comments
    assert "Versjon 1, sendt inn" in earlier  # that there was a round stays public


def test_the_copy_replaces_an_earlier_comment_on_an_exempt_question_and_the_reply_to_it(world):
    assessment = h.returned_and_approved(world)
    mark(world, assessment, "question:benefit", basis="oftl13_business")
    html = _copy_html(assessment, list(Exemption.objects.all()))
    earlier = html.split("Tidligere behandling i UKE", 1)[1]
    assert "Hvordan skal gevinsten måles?" not in html and "Vi teller saker per uke før og etter." not in html
    assert f"Unntatt offentlighet – hjemmel: {BUSINESS}" in earlier
    assert "Beskriv stikkprøvene." in earlier and "Mangler en plan for stikkprøver." in earlier  # not exempt
