"""The sealed report's structure, read back with pikepdf and poppler: PDF/UA repairs (running footer as
artifacts, /Scope on header cells, /TU on the signature widget, pdfuaid and one Producer) that must survive
the seal, PDF/A identification after the seal, and the cover page in both languages."""

import io
import re
import subprocess

import pikepdf
import pytest
from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader

from assessments import services
from assessments.demo.decided import COPILOT_LETTERS
from assessments.models import ReviewComment
from assessments.reports import pdf_structure, signing
from assessments.reports import render as reports
from tests.conftest import require_tool
from tests.report_helpers import ready_preview, submitted, use_test_seal

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


def sealed_report(world, capture, *, language="nb", reason="Godkjent på vilkår: loggføring hver måned."):
    assessment = submitted(world.agency_a, world.users["leader_a"], language=language)
    ReviewComment.objects.create(
        version=assessment.latest_version(),
        question_key="benefit",
        author=world.users["reviewer"],
        text="Hvordan skal gevinsten måles?",
    )
    with capture(execute=True):
        services.assessment_approve(assessment=assessment, user=world.users["reviewer"], comment=reason)
    report = assessment.reports.get(kind="signed")
    report.refresh_from_db()
    assert report.status == "ready", report.error
    return report


def stored(report) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(report.storage_name, "rb") as handle:
        return handle.read()


@pytest.fixture
def sealed_pdf(world, django_capture_on_commit_callbacks) -> bytes:
    return stored(sealed_report(world, django_capture_on_commit_callbacks))


# --- Reading the tag tree ---------------------------------------------------------------------------------


def kids(element) -> list:
    value = element.get("/K")
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def struct_elements(pdf):
    """Every structure element reachable from the root, depth first, in reading order."""
    stack = list(reversed(kids(pdf.Root.StructTreeRoot)))
    seen = set()
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") in ("/MCR", "/OBJR"):
            continue
        if element.objgen in seen:
            continue
        seen.add(element.objgen)
        yield element
        stack.extend(reversed(kids(element)))


def mcids_in_tree(pdf) -> set[tuple[int, int]]:
    """(page object number, MCID) of every marked-content reference the tag tree holds."""
    found = set()
    for element in struct_elements(pdf):
        page = element.get("/Pg")
        for kid in kids(element):
            if isinstance(kid, int):
                found.add((page.objgen[0], int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found.add((kid.get("/Pg", page).objgen[0], int(kid.MCID)))
    return found


def marked_text(pdf, page) -> list[tuple[str, int | None, str]]:
    """(tag, MCID, text) for each marked-content sequence on the page, innermost sequence wins."""
    out, stack = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" else None
            mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            stack.append([str(operands[0]), mcid, []])
        elif op == "EMC" and stack:
            tag, mcid, text = stack.pop()
            out.append((tag, mcid, "".join(text)))
        elif op in ("Tj", "TJ") and stack:
            stack[-1][2].append("x")  # glyph ids, not text: count that something is drawn
    return out


def header_scopes(pdf) -> list[str]:
    """The /Scope of every header cell (TH) in the tag tree; each must have one."""
    scopes = []
    for cell in (e for e in struct_elements(pdf) if e.get("/S") == "/TH"):
        attributes = cell.A if isinstance(cell.A, pikepdf.Dictionary) else next(iter(cell.A))
        assert attributes.get("/Scope") in ("/Row", "/Column"), repr(cell)
        scopes.append(str(attributes.Scope))
    return scopes


def artifacts_with_all_else_in_tree(pdf) -> int:
    """How many artifacts the pages draw (none with an MCID); every other marked sequence is in the tag tree."""
    in_tree = mcids_in_tree(pdf)
    artifacts = 0
    for page in pdf.pages:
        for tag, mcid, _text in marked_text(pdf, page):
            if tag == "/Artifact":
                artifacts += 1
                assert mcid is None
            elif mcid is not None:
                assert (page.objgen[0], mcid) in in_tree, f"MCID {mcid} on a page is outside the tag tree"
    return artifacts


def xmp(pdf) -> etree._Element:
    return etree.fromstring(pdf.Root.Metadata.read_bytes())


def xmp_values(pdf, namespace: str, name: str) -> list[str]:
    """A property as attribute or element, wherever it is in the packet."""
    tag = f"{{{namespace}}}{name}"
    root = xmp(pdf)
    values = [d.get(tag) for d in root.iter(f"{RDF}Description") if d.get(tag) is not None]
    values += [e.text for e in root.iter(tag)]
    return values


# --- The tests ---------------------------------------------------------------------------------------


def test_every_header_cell_has_a_scope_and_column_headers_are_told_from_row_headers(sealed_pdf):
    with pikepdf.open(io.BytesIO(sealed_pdf)) as pdf:
        scopes = header_scopes(pdf)
        assert len(scopes) > 30  # the facts, the scores and every question of the answers
        assert "/Row" in scopes and "/Column" in scopes


def test_the_running_footer_is_an_artifact_and_everything_marked_is_in_the_tag_tree(sealed_pdf):
    with pikepdf.open(io.BytesIO(sealed_pdf)) as pdf:
        in_tree = mcids_in_tree(pdf)
        artifacts = artifacts_with_all_else_in_tree(pdf)
        # every page has its page number, and every page after the cover the footer line
        assert artifacts >= 2 * len(pdf.pages) - 1
        # the parent tree maps no marked content to an element outside the tree
        first_page_entries = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
        assert all(
            entry is None or (pdf.pages[0].objgen[0], index) in in_tree
            for index, entry in enumerate(first_page_entries)
        )


def test_page_one_starts_with_the_visible_title_not_a_hidden_header(sealed_pdf):
    with pikepdf.open(io.BytesIO(sealed_pdf)) as pdf:
        tags = [str(e.S) for e in struct_elements(pdf)]
        # Document > the cover's Sect > the organisation line (P), then the title: no hidden header first
        assert tags[:3] == ["/Document", "/Sect", "/P"], tags[:8]
        assert "/H1" in tags[3:6] and tags.count("/H1") == 1, tags[:8]
    pdftotext = require_tool("pdftotext")
    page_one = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", "-layout", "-", "-"], input=sealed_pdf, capture_output=True, check=True
    ).stdout.decode()
    assert COPILOT_LETTERS["title"] in page_one and "KI-veileder · vurdering" not in page_one


def test_the_signature_widget_has_a_description_is_tagged_and_inside_the_signed_revision(sealed_pdf):
    with pikepdf.open(io.BytesIO(sealed_pdf)) as pdf:
        fields = [f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig"]
        assert len(fields) == 1
        field = fields[0]
        assert str(field.T) == signing.FIELD_NAME
        assert str(field.TU) == "Oslo kommunes elektroniske segl på rapporten"
        assert "/V" in field  # signed into the field that was there before
        page = pdf.pages[0]
        assert page.obj.Tabs == "/S"
        forms = [e for e in struct_elements(pdf) if e.get("/S") == "/Form"]
        assert len(forms) == 1 and forms[0].K.Obj.objgen == field.objgen
        parent_tree = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = [int(parent_tree[i]) for i in range(0, len(parent_tree), 2)]
        assert int(field.StructParent) in keys
    # /TU and the Form tag were written before the seal: the first revision already has them.
    signature = signing.verify_pdf(sealed_pdf)
    assert signature["valid"], signature["problem"]

    reader = PdfFileReader(io.BytesIO(sealed_pdf))
    assert reader.xrefs.total_revisions == 2  # the rendered report, then the seal
    unsigned = reader.get_historical_root(0)
    field = unsigned["/AcroForm"]["/Fields"][0]
    assert str(field["/TU"]) == "Oslo kommunes elektroniske segl på rapporten" and "/V" not in field
    assert str(unsigned["/Pages"]["/Kids"][0]["/Tabs"]) == "/S"


def test_xmp_declares_pdfua_and_pdfa_and_one_producer_matches_the_info_dictionary(sealed_pdf):
    with pikepdf.open(io.BytesIO(sealed_pdf)) as pdf:
        assert xmp_values(pdf, pdf_structure.PDFUAID, "part") == ["1"]
        assert xmp_values(pdf, PDFAID, "part") == ["3"]
        assert xmp_values(pdf, PDFAID, "conformance") == ["B"]
        producers = xmp_values(pdf, pdf_structure.PDF_NS, "Producer")
        assert producers == [str(pdf.docinfo["/Producer"])]
        assert producers[0].startswith("WeasyPrint ") and "pyHanko" in producers[0]
        # the extension schema PDF/A asks for pdfuaid, intact after the seal
        schemas = xmp(pdf).iter(f"{{{pdf_structure.PDFA_SCHEMA}}}namespaceURI")
        assert [s.text for s in schemas] == [pdf_structure.PDFUAID]
        assert str(pdf.Root.Lang) == "nb" and pdf.Root.MarkInfo.Marked


def test_pdfsig_calls_the_seal_valid_and_pdfinfo_still_sees_pdfa(sealed_pdf, tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(sealed_pdf)
    out = subprocess.run([require_tool("pdfsig"), str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in out, out
    assert "Total document signed" in out, out
    info = subprocess.run([require_tool("pdfinfo"), "-meta", str(path)], capture_output=True, text=True).stdout
    assert 'pdfaid:part="3"' in info or "<pdfaid:part>3</pdfaid:part>" in info, info
    checked = subprocess.run([require_tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def page_one_text(pdf: bytes) -> str:
    """Page 1's text as pdftotext extracts it, case-folded (labels are set in capitals by the stylesheet)."""
    pdftotext = require_tool("pdftotext")
    result = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split()).casefold()


def test_page_one_has_the_conclusion_the_matrix_and_the_decision(world, django_capture_on_commit_callbacks):
    report = sealed_report(world, django_capture_on_commit_callbacks)
    text = page_one_text(stored(report))
    for expected in [
        report.assessment.title,
        "Konklusjon",
        "Anbefalt",
        "Vedtak i UKE",
        "Godkjent",
        "Reviewer Test",
        "Godkjent på vilkår: loggføring hver måned.",
        "Ny vurdering innen",
        "Behov og gevinst",  # the matrix's axis label
    ]:
        assert expected.casefold() in text, expected


def test_an_english_report_shows_english_labels_on_page_one(world, django_capture_on_commit_callbacks):
    report = sealed_report(world, django_capture_on_commit_callbacks, language="en", reason="Approved.")
    text = page_one_text(stored(report))
    for expected in ["Conclusion", "Recommended", "Decision", "Approved"]:
        assert expected.casefold() in text, expected
    for norwegian in ["Anbefalt", "Lav risiko, høyt behov", "Konklusjon", "Vedtak i UKE", "Avgjort av"]:
        assert norwegian.casefold() not in text, norwegian
    assert "AI guide – risk and need".casefold() in text  # the questionnaire's English title
    assert "risiko og behov" not in text
    assert not re.search(r"\b(a\.m\.|p\.m\.|midnight|noon)", text)  # the day and time as on the English pages
    assert re.search(r"\b\d{1,2} [a-z]+ \d{4}, \d{2}:\d{2}\b", text)
    with pikepdf.open(io.BytesIO(stored(report))) as pdf:
        assert str(pdf.Root.Lang) == "en"
        field = pdf.Root.AcroForm.Fields[0]
        assert str(field.TU) == "Oslo kommune's electronic seal on the report"


def test_a_draft_preview_shows_no_conclusion_while_answers_are_missing(world, django_capture_on_commit_callbacks):
    _assessment, report = ready_preview(world, django_capture_on_commit_callbacks)
    text = page_one_text(stored(report))
    assert "foreløpig resultat" in text and "påkrevde spørsmål mangler svar" in text
    assert "konklusjon" not in text.replace("har ingen konklusjon ennå", "")  # no conclusion badge
    assert "foreløpig plassering" in text
    with pikepdf.open(io.BytesIO(stored(report))) as pdf:
        # the UTKAST watermark is the page background (an artifact): the tag tree starts with the cover
        assert [str(e.S) for e in struct_elements(pdf)][:3] == ["/Document", "/Sect", "/P"]
        assert "/AcroForm" not in pdf.Root  # no signature field on an unsealed preview
        assert xmp_values(pdf, pdf_structure.PDF_NS, "Producer") == [str(pdf.docinfo["/Producer"])]


def test_the_footer_text_cannot_break_out_of_its_css_string():
    from assessments.templatetags.report_tags import css_string

    assert css_string('a"</style><script>') == '"a\\22 \\3c \\2f style\\3e \\3c script\\3e "'
    assert css_string("vurdering 1 · versjon 2") == '"vurdering 1 \\b7  versjon 2"'


def test_finishing_twice_keeps_one_producer_one_declaration_and_one_field():
    html = (
        "<html lang='nb'><head><title>T</title></head><body><table><tr><th>A</th><td>1</td></tr></table></body></html>"
    )
    once = pdf_structure.finish(
        reports.write_pdf(html, {"answers": {}}, title="T"), producer="P", signature_field="S", signature_label="L"
    )
    twice = pdf_structure.finish(once, producer="P2")
    with pikepdf.open(io.BytesIO(twice)) as pdf:
        assert xmp_values(pdf, pdf_structure.PDF_NS, "Producer") == ["P2"] == [str(pdf.docinfo["/Producer"])]
        assert xmp_values(pdf, pdf_structure.PDFUAID, "part") == ["1"]
        assert len(pdf.Root.AcroForm.Fields) == 1
