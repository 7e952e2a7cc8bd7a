"""Sign-in lockouts with django-axes: our settings mapped onto it, its lockout page, and its audit events.

django-axes hooks `authenticate()`, so every password path is covered: the sign-in page and the Django
admin's login alike. Failures are counted in the database (one row per username, address and browser,
incremented under a row lock), so parallel guesses cannot race past the limit and sign-in does not
depend on the cache. A client is locked by username *and* address together (AXES_LOCKOUT_PARAMETERS):
one address cannot lock everyone out, and nobody can lock a known account out from elsewhere.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.forms.accounts import SignInForm

USERNAME_MAX = 150


def username_key(request, credentials) -> str | None:
    """The username as counted: trimmed and lower-cased, so "Kari" and "kari" share one count."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = getattr(request, "POST", {}).get("username")
    if username is None:
        return None
    return str(username).strip().lower()[:USERNAME_MAX]


def failure_limit(request, credentials) -> int:
    return settings.KIV_LOGIN_MAX_FAILURES


def cool_off(request) -> timedelta:
    return timedelta(seconds=settings.KIV_LOGIN_LOCKOUT_SECONDS)


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page with a plain message and 429, for our page and /admin/login/ alike."""
    minutes = max(1, settings.KIV_LOGIN_LOCKOUT_SECONDS // 60)
    form = SignInForm(request)
    form.errors["__all__"] = form.error_class(
        [_("For mange mislykkede innlogginger. Vent %(minutes)s minutter og prøv igjen.") % {"minutes": minutes}]
    )
    return render(request, "registration/login.html", {"form": form}, status=429)


class AuditedDatabaseHandler(AxesDatabaseHandler):
    """axes' database handler; a lockout that starts is also written to the audit chain, once.

    With AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off, axes' backend marks a request it refused
    before any password check (`axes_locked_out`); a request that was evaluated and pushed the count to
    the limit is marked only afterwards. Only the latter starts a lockout, so only it is recorded.
    """

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused_before = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and request.axes_locked_out and not refused_before:
            record_lockout(username_key(request, credentials))


def record_lockout(username: str | None) -> None:
    # No usernames or addresses in the chain: name the account only by id, when one exists.
    user = None
    if username:
        user = get_user_model().objects.filter(username__iexact=username).only("pk").first()
    audit.record(None, "auth.locked_out", user, details={"known_account": user is not None})
