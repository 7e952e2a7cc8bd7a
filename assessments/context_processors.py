from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from assessments.accounts.redirects import is_local_path
from assessments.permissions import roles_for


def roles(request) -> dict:
    return {"kiv_roles": roles_for(getattr(request, "user", None))}


def sign_in(request) -> dict:
    return {"kiv_oidc_enabled": settings.KIV_OIDC_ENABLED}


def _referring_path(request) -> str:
    """The path (and query) of the page that sent this request, when it is a page of this site; else ""."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc and referer.netloc != request.get_host():
        return ""
    path = referer.path + (f"?{referer.query}" if referer.query else "")
    return path if is_local_path(path) else ""


def return_path(request) -> dict:
    """A page to send someone back to from this one (the language switch's `next`, the expired-page message's
    link back). A GET's own URL; after a POST (a form shown again with its errors, a refused CSRF check) the
    URL may answer POST only, so the page the form was sent from, when it is on this site, or the home page."""
    if request.method in ("GET", "HEAD"):
        path = request.get_full_path()
    else:
        path = _referring_path(request) or reverse("assessments:home")
    return {"kiv_return_path": path}
