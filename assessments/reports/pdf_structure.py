"""The accessibility repairs (PDF/UA-1) that WeasyPrint cannot make itself, applied with pikepdf to the
rendered report before it is sealed, so that everything below is inside the signed revision:

- Running footers are artifacts. WeasyPrint tags the text of page margin boxes with marked-content ids and
  maps them to structure elements it never links into the tag tree (it could only mark them as artifacts in
  PDF 2.0). Those sequences become `/Artifact` sequences and leave the parent tree.
- Every table header cell (`TH`) gets `/Scope`: a header in a row of header cells heads its column, any other
  heads its row (the template writes `scope="col"` and `scope="row"` the same way; WeasyPrint drops it).
- A sealed report gets its signature field here, not from pyHanko at signing time: an invisible widget with
  a `/TU` description, nested in a `Form` structure element, on a page with `/Tabs /S`. pyHanko then signs
  into this existing empty field.
- The XMP packet declares PDF/UA-1 (`pdfuaid:part`, with the PDF/A extension schema that PDF/A-3 asks for
  a property outside its predefined schemas) and the producer, which the Info dictionary repeats exactly.
  `signing.sign_pdf` keeps pyHanko from rewriting either afterwards (see there).
"""

import io
import re
from collections.abc import Iterator

import pikepdf
import weasyprint
from lxml import etree
from pikepdf import Array, Dictionary, Name, String
from pyhanko.pdf_utils.metadata.model import VENDOR as PYHANKO

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
XPACKET_BEGIN = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
XPACKET_END = b'\n<?xpacket end="r"?>'
# Print (4) and Locked (128): PDF/A wants every annotation printable; nobody moves the seal's widget.
WIDGET_FLAGS = 132


def producer(*, sealed: bool) -> str:
    """The Producer entry: WeasyPrint made the document, pyHanko adds the seal's revision."""
    made_by = f"WeasyPrint {weasyprint.__version__}"
    return f"{made_by}; {PYHANKO}" if sealed else made_by


def finish(pdf_bytes: bytes, *, producer: str, signature_field: str = "", signature_label: str = "") -> bytes:
    """The report with the repairs above; `signature_field` (with its readable `signature_label`) only for a
    report that is about to be sealed."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is not None:
            reachable, header_cells = _walk(tree)
            _running_content_to_artifacts(pdf, tree, reachable)
            rows_of_headers = {}
            for cell, row in header_cells:
                if row.objgen not in rows_of_headers:
                    rows_of_headers[row.objgen] = all(kid.get("/S") == Name.TH for kid in _elements(row))
                _set_scope(cell, Name.Column if rows_of_headers[row.objgen] else Name.Row)
        if signature_field:
            _add_signature_field(pdf, tree, signature_field, signature_label)
        _set_producer_and_pdfua(pdf, producer)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


# --- The tag tree ------------------------------------------------------------------------------------


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _elements(element) -> list:
    """The kids that are structure elements (not marked-content ids or object references)."""
    return [kid for kid in _kids(element) if isinstance(kid, Dictionary) and "/S" in kid]


def _walk(tree) -> tuple[set, list]:
    """The structure elements reachable from the root, and each TH element with its row."""
    reachable, header_cells = set(), []
    stack = [(kid, None) for kid in _kids(tree)]
    while stack:
        element, parent = stack.pop()
        if not isinstance(element, Dictionary) or element.get("/Type") in (Name.MCR, Name.OBJR):
            continue
        if element.objgen in reachable:
            continue
        reachable.add(element.objgen)
        if element.get("/S") == Name.TH and parent is not None:
            header_cells.append((element, parent))
        stack.extend((kid, element) for kid in _kids(element))
    return reachable, header_cells


def _parent_tree_entries(tree) -> Iterator[tuple[int, object]]:
    """(key, value) pairs of the parent tree (a number tree: flat /Nums, or /Kids with /Nums)."""
    stack = [tree.get("/ParentTree")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        nums = node.get("/Nums")
        if nums is not None:
            for index in range(0, len(nums) - 1, 2):
                yield int(nums[index]), nums[index + 1]
        stack.extend(node.get("/Kids", []))


def _running_content_to_artifacts(pdf, tree, reachable: set) -> None:
    """Marked content whose structure element is not in the tag tree (WeasyPrint's margin boxes) becomes
    an /Artifact sequence, and its parent-tree entry is cleared."""
    per_page = {}
    for key, value in _parent_tree_entries(tree):
        if not isinstance(value, Array):
            continue  # an annotation's entry, not a page's marked content
        running = set()
        for mcid, element in enumerate(value):
            if isinstance(element, Dictionary) and element.objgen not in reachable:
                running.add(mcid)
                value[mcid] = None
        if running:
            per_page[key] = running
    if not per_page:
        return
    for page in pdf.pages:
        running = per_page.get(int(page.obj.get("/StructParents", -1)))
        if running:
            _mark_as_artifacts(page, running)


# WeasyPrint starts each marked-content sequence as `/Tag <</MCID n>> BDC` and draws text as hex strings of
# glyph ids, so this pattern can only match an operator. Parsing and rewriting every content stream with
# pikepdf's content-stream parser did the same in about 35 ms of a 9-page report; this takes about 1 ms.
_MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _mark_as_artifacts(page, running: set[int]) -> None:
    contents = page.obj.Contents
    for stream in contents if isinstance(contents, Array) else [contents]:
        raw = stream.read_bytes()
        marked = _MARKED.sub(lambda m: _ARTIFACT if int(m[1]) in running else m[0], raw)
        if marked != raw:
            stream.write(marked)


def _set_scope(cell, scope: Name) -> None:
    """A header cell in a row of header cells heads its column; one beside data cells heads its row."""
    attributes = cell.get("/A")
    if isinstance(attributes, Array):  # several attribute owners: use the Table one
        attributes = next((a for a in attributes if isinstance(a, Dictionary) and a.get("/O") == Name.Table), None)
    if attributes is None:
        attributes = cell.A = Dictionary(O=Name.Table)
    attributes.Scope = scope


# --- The signature field ---------------------------------------------------------------------------


def _add_signature_field(pdf, tree, name: str, label: str) -> None:
    page = pdf.pages[0]
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Sig,
            T=String(name),
            TU=String(label),
            F=WIDGET_FLAGS,
            Rect=Array([0, 0, 0, 0]),
            P=page.obj,
        )
    )
    page.obj.Annots = Array([*page.obj.get("/Annots", Array()), widget])
    page.obj.Tabs = Name.S
    form = pdf.Root.get("/AcroForm")
    if form is None:
        pdf.Root.AcroForm = pdf.make_indirect(Dictionary(Fields=Array([widget])))
    else:
        form.Fields = Array([*form.get("/Fields", Array()), widget])
    if tree is None:
        return
    document = _kids(tree)[0]
    element = pdf.make_indirect(
        Dictionary(
            Type=Name.StructElem,
            S=Name.Form,
            P=document,
            Pg=page.obj,
            K=Dictionary(Type=Name.OBJR, Obj=widget, Pg=page.obj),
        )
    )
    document.K = Array([*_kids(document), element])
    key = max((k for k, _ in _parent_tree_entries(tree)), default=-1) + 1
    key = max(key, int(tree.get("/ParentTreeNextKey", 0)))
    widget.StructParent = key
    _parent_tree_add(tree, key, element)
    tree.ParentTreeNextKey = key + 1


def _parent_tree_add(tree, key: int, value) -> None:
    parent_tree = tree.get("/ParentTree")
    if parent_tree is None or "/Kids" in parent_tree:
        # WeasyPrint writes one flat /Nums array; a tree with kids would need its limits kept, so any
        # other shape is flattened into one /Nums array first.
        entries = list(_parent_tree_entries(tree)) if parent_tree is not None else []
        parent_tree = tree.ParentTree = tree.owner.make_indirect(Dictionary(Nums=Array()))
        for k, v in entries:
            parent_tree.Nums.extend([k, v])
    parent_tree.Nums.extend([key, value])


# --- Metadata ----------------------------------------------------------------------------------------


def _set_producer_and_pdfua(pdf, producer: str) -> None:
    pdf.docinfo[Name.Producer] = String(producer)
    metadata = pdf.Root.get("/Metadata")
    packet = metadata.read_bytes() if metadata is not None else b""
    xml = _xmp_with(packet, producer)
    stream = pdf.make_stream(xml)
    stream.Type, stream.Subtype = Name.Metadata, Name.XML
    pdf.Root.Metadata = stream


def _xmp_with(packet: bytes, producer: str) -> bytes:
    """The XMP packet with one pdf:Producer (`producer`), pdfuaid:part 1, and the extension schema."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    start = packet.find(b"<x:xmpmeta")
    end = packet.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        root = etree.fromstring(
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="%s"/></x:xmpmeta>' % RDF.encode()
        )
    else:
        root = etree.fromstring(packet[start : end + len(b"</x:xmpmeta>")], parser)
    rdf = root.find(f"{{{RDF}}}RDF")
    for description in rdf.findall(f"{{{RDF}}}Description"):
        description.attrib.pop(f"{{{PDF_NS}}}Producer", None)
        description.attrib.pop(f"{{{PDFUAID}}}part", None)
        for old in description.findall(f"{{{PDF_NS}}}Producer") + description.findall(f"{{{PDFUAID}}}part"):
            description.remove(old)
        if len(description) == 0 and set(description.attrib) <= {f"{{{RDF}}}about"}:
            rdf.remove(description)
        elif _declares_pdfua(description):  # an earlier pass's declaration
            rdf.remove(description)
    ours = etree.SubElement(rdf, f"{{{RDF}}}Description", nsmap={"pdf": PDF_NS, "pdfuaid": PDFUAID})
    ours.set(f"{{{RDF}}}about", "")
    etree.SubElement(ours, f"{{{PDF_NS}}}Producer").text = producer
    etree.SubElement(ours, f"{{{PDFUAID}}}part").text = "1"
    rdf.append(etree.fromstring(PDFUA_EXTENSION_SCHEMA, parser))
    return XPACKET_BEGIN + etree.tostring(root, encoding="utf-8") + XPACKET_END


def _declares_pdfua(description) -> bool:
    return any(uri.text == PDFUAID for uri in description.iter(f"{{{PDFA_SCHEMA}}}namespaceURI"))


# PDF/A-3 allows XMP properties outside its predefined schemas only with this declaration (ISO 14289-1
# gives it for PDF/UA identification in PDF/A files).
PDFUA_EXTENSION_SCHEMA = f"""
<rdf:Description xmlns:rdf="{RDF}" rdf:about="" xmlns:pdfaExtension="{PDFA_EXTENSION}"
    xmlns:pdfaSchema="{PDFA_SCHEMA}" xmlns:pdfaProperty="{PDFA_PROPERTY}">
  <pdfaExtension:schemas>
    <rdf:Bag>
      <rdf:li rdf:parseType="Resource">
        <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
        <pdfaSchema:namespaceURI>{PDFUAID}</pdfaSchema:namespaceURI>
        <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
        <pdfaSchema:property>
          <rdf:Seq>
            <rdf:li rdf:parseType="Resource">
              <pdfaProperty:name>part</pdfaProperty:name>
              <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
              <pdfaProperty:category>internal</pdfaProperty:category>
              <pdfaProperty:description>The part of ISO 14289 followed</pdfaProperty:description>
            </rdf:li>
          </rdf:Seq>
        </pdfaSchema:property>
      </rdf:li>
    </rdf:Bag>
  </pdfaExtension:schemas>
</rdf:Description>
""".encode()
