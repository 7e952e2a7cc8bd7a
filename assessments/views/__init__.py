"""The pages, one module per area: `home` (start page, sign-in, privacy, /healthz), `assessments`, `quickpath`,
`wizard` (+ `wizard_draft`, `wizard_navigation`, `wizard_notes`), `review`, `plans`, `register`, `auditor`,
`reports`, `catalogue` (+ `catalogue_import`), `public_access`, `officers`, `accessibility`, `accounts` (Entra ID
sign-in). Every view asks `assessments.permissions` first; writes go through `assessments.services`.
"""

from django.contrib import messages
from django.urls import path


def downloads(route: str, view, **names) -> list:
    """The URLs of one list's downloads: `<route>.<format>` for each format named (format=URL name), all
    served by one view that is told the format (`fmt`)."""
    return [path(f"{route}.{fmt}", view, {"fmt": fmt}, name=name) for fmt, name in names.items()]


def flash_form_errors(request, form) -> None:
    """A refused form whose page is elsewhere (a button on another page): its errors as messages there."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
