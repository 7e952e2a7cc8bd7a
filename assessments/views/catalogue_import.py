"""UKE brings its existing tool overview in from a CSV or Excel file: upload, a preview that names every row it
cannot read, then confirm. Only UKE and administrators (permissions.may_edit_catalogue).

The upload keeps the rows read from the file in the session with the file's SHA-256 and redirects to the
confirmation URL, whose GET shows the preview; so a reload or a switch of language shows the same preview again
instead of asking to send the file anew. The confirmation must name the same hash, and the rows are validated
again against the overview as it is then (forms/catalogue_import.validate) before services/catalogue.tool_import
makes the versions.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from assessments import exports
from assessments.forms.catalogue_import import (
    COLUMNS,
    MAX_ROWS,
    TEMPLATE_HINTS,
    ImportConfirmForm,
    ImportUploadForm,
    Table,
    template_choices,
    validate,
)
from assessments.permissions import may_edit_catalogue, require
from assessments.services import catalogue as service

SESSION_KEY = "catalogue_import"


def _upload_page(request, form, status: int = 200):
    return render(request, "catalogue/import.html", {"form": form, "max_rows": MAX_ROWS}, status=status)


def _preview_page(request, table: Table, status: int = 200):
    preview = validate(table)
    context = {"table": table, "preview": preview,
               "confirm_form": ImportConfirmForm(initial={"sha256": table.sha256})}  # fmt: skip
    return render(request, "catalogue/import_preview.html", context, status=status)


@require(may_edit_catalogue)
@require_http_methods(["GET", "POST"])
def catalogue_import(request):
    if request.method == "GET":
        return _upload_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    table = form.cleaned_data["file"]
    request.session[SESSION_KEY] = table.as_session()
    return redirect("assessments:catalogue_import_confirm")


@require(may_edit_catalogue)
@require_http_methods(["GET", "POST"])
def catalogue_import_confirm(request):
    """GET: the preview of the file kept in the session; POST: import it."""
    stored = request.session.get(SESSION_KEY)
    if request.method == "GET":
        if not stored:
            return redirect("assessments:catalogue_import")
        return _preview_page(request, Table.from_session(stored))
    form = ImportConfirmForm(request.POST)
    if not stored or not form.is_valid() or form.cleaned_data["sha256"] != stored.get("sha256"):
        messages.error(request, _("Forhåndsvisningen gjelder ikke lenger. Last opp filen på nytt."))
        return redirect("assessments:catalogue_import")
    table = Table.from_session(stored)
    preview = validate(table)  # again: the overview may have changed since the preview
    if not preview.importable:
        messages.error(request, _("Filen har ingen rader som kan importeres."))
        return _preview_page(request, table, status=400)
    source = {"name": table.name, "sha256": table.sha256, "rows_refused": len({n for n, _m in preview.errors})}
    try:
        done = service.tool_import(creates=[(p.slug, p.data) for p in preview.creates],
                                   changes=[(p.slug, p.data) for p in preview.changes],
                                   actor=request.user, source=source)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _preview_page(request, table, status=400)
    del request.session[SESSION_KEY]
    messages.success(request, imported_message(done))
    return redirect("assessments:catalogue_list")


def imported_message(done: dict[str, int]) -> str:
    """What the import made, in two sentences so that each count gets its own singular or plural."""
    created = ngettext("Importert: %(count)s nytt verktøy.", "Importert: %(count)s nye verktøy.", done["created"])
    changed = ngettext(
        "%(count)s ny versjon av et verktøy som fantes fra før.",
        "%(count)s nye versjoner av verktøy som fantes fra før.",
        done["changed"],
    )
    return f"{created % {'count': done['created']}} {changed % {'count': done['changed']}}"


@require(may_edit_catalogue)
@require_GET
def catalogue_import_template(request, fmt):
    """The empty template: the header row the import reads (docs/catalogue-import.md); the Excel one also offers the
    values of each column with fixed values and says how to write yes/no and dates."""
    if fmt == "csv":
        columns = [exports.Column(name, header) for header, name in COLUMNS]
        return exports.csv_response("verktoyoversikten-mal.csv", columns, [])
    if fmt != "xlsx":
        raise Http404
    return exports.xlsx_template_response(
        "verktoyoversikten-mal.xlsx",
        [header for header, _name in COLUMNS],
        sheet="Verktøyoversikten",
        values_sheet="Gyldige verdier",
        choices=template_choices(),
        hints=TEMPLATE_HINTS,
        rows=MAX_ROWS,
    )
