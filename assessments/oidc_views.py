"""The two views of OIDC sign-in: off to the provider, and back from it (the protocol is in oidc.py)."""

import logging

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import audit, oidc
from .permissions import public

log = logging.getLogger(__name__)


@public
@require_GET
@never_cache
def oidc_start(request):
    if request.user.is_authenticated:
        return redirect(oidc.safe_next(request, request.GET.get("next", "")))
    if not settings.KIV_OIDC_ENABLED:
        raise Http404
    try:
        return HttpResponseRedirect(oidc.begin(request, request.GET.get("next", "")))
    except oidc.OidcError as exc:
        return _refuse(request, exc)


@public
@require_GET
@never_cache
def oidc_callback(request):
    if not settings.KIV_OIDC_ENABLED:
        raise Http404
    try:
        user, next_url = oidc.complete(request)
    except oidc.OidcError as exc:
        return _refuse(request, exc)
    auth_login(request, user, backend="assessments.oidc.OidcBackend")
    return redirect(next_url)


def _refuse(request, exc: oidc.OidcError):
    """Nobody is signed in by a refused callback: show the sign-in page with a plain message."""
    log.warning("OIDC sign-in refused: %s", exc)
    audit.record(None, "auth.oidc_refused", details={"reason": exc.reason})
    context = {"form": AuthenticationForm(request), "oidc_error": exc.message, "next": ""}
    return render(request, "registration/login.html", context, status=exc.status)
