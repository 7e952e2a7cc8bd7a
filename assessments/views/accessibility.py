"""The accessibility statement (tilgjengelighetserklæring): public, linked from every page's footer."""

from datetime import date

from django.conf import settings
from django.shortcuts import render

from assessments.permissions import public

# When the statement was last checked against the automated and keyboard tests (tests/browser/). Change it
# whenever the statement's content changes.
STATEMENT_DATE = date(2026, 12, 2)


@public
def accessibility_statement(request):
    context = {
        "statement_date": STATEMENT_DATE,
        "contact": settings.KIV_ACCESSIBILITY_CONTACT,
        "official_statement_url": settings.KIV_ACCESSIBILITY_STATEMENT_URL,
    }
    return render(request, "pages/accessibility.html", context)
