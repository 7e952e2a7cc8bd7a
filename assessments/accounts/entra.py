"""Sign-in with Entra ID through django-allauth: our adapters, and the refusals people see.

allauth runs the protocol (state and PKCE kept in the session, code exchange, the ID token's signature,
`iss`, `aud` and `exp` checked by its jwtkit; see assessments/accounts/provider.py). Here we decide what a verified
sign-in does: find the user by the provider's stable id (allauth's SocialAccount: `oid`, otherwise `sub`),
create them on the first sign-in without a password and without taking over a local account of the same
name, keep names up to date, and turn the groups claim into roles (assessments/accounts/group_roles.py).

Local sign-up, e-mail login and allauth's own rate limits are off: passwords go through Django's sign-in
page, and django-axes does the lockouts (assessments/accounts/lockout.py).
"""

import hashlib
import logging

import jwt
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthError
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from requests import RequestException

from assessments.accounts.group_roles import groups_from_claims, sync_roles
from assessments.accounts.provider import PROVIDER_ID
from assessments.accounts.redirects import is_local_path
from assessments.audit import chain as audit
from assessments.forms.accounts import SignInForm

log = logging.getLogger(__name__)

SESSION_BACKEND = "assessments.accounts.auth_backends.EntraSessionBackend"

# Reason codes go to the log and the audit event; people see the message.
MESSAGES = {
    "state": _(
        "Innloggingen kunne ikke fullføres fordi forespørselen var utløpt eller ikke hørte til denne "
        "nettleseren. Prøv å logge inn på nytt."
    ),
    "provider_error": _(
        "Innloggingstjenesten avbrøt innloggingen. Prøv igjen, eller kontakt brukerstøtte hvis det gjentar seg."
    ),
    "provider_unavailable": _("Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt."),
    "expired": _(
        "Innloggingen ble avvist fordi svaret fra innloggingstjenesten var utløpt. Sjekk at klokken "
        "på maskinen er riktig, og prøv igjen."
    ),
    "invalid_token": _(
        "Innloggingen ble avvist fordi svaret fra innloggingstjenesten ikke kunne "
        "verifiseres. Prøv igjen, eller kontakt brukerstøtte hvis det gjentar seg."
    ),
    "inactive": _("Kontoen din er deaktivert i KI-veileder. Kontakt administratoren."),
}
# The exact check that failed, from PyJWT's exception under allauth's "Invalid id_token".
TOKEN_CHECKS = [
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.InvalidAudienceError, "audience"),
    (jwt.InvalidIssuerError, "issuer"),
    (jwt.InvalidSignatureError, "signature"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
]


def refusal(request, reason: str, status: int | None = None):
    """Nobody is signed in by a refused sign-in: the sign-in page with a plain message, and an audit event."""
    log.warning("OIDC sign-in refused: %s", reason)
    audit.record(None, "auth.oidc_refused", details={"reason": reason})
    message = MESSAGES.get(reason) or MESSAGES["invalid_token"]
    status = status or (502 if reason == "provider_unavailable" else 400)
    context = {"form": SignInForm(request), "oidc_error": message, "next": ""}
    return render(request, "registration/login.html", context, status=status)


def reason_for(request, error, exception, extra_context: dict) -> str:
    if exception is None:
        if "state" not in extra_context:
            return "state"  # missing, tampered with, expired, or already used (replay)
        return "provider_error" if request.GET.get("error") or error == AuthError.CANCELLED else "state"
    if isinstance(exception, RequestException):
        return "provider_unavailable"
    cause = exception.__cause__
    if isinstance(cause, RequestException):
        return "provider_unavailable"
    for kind, reason in TOKEN_CHECKS:
        if isinstance(cause, kind):
            return reason
    if isinstance(cause, jwt.PyJWTError) or "id_token" in str(exception):
        return "claims"
    return "token_exchange"


def _claims(sociallogin) -> dict:
    return (sociallogin.account.extra_data or {}).get("id_token") or {}


def _profile(claims: dict) -> dict:
    first, last = str(claims.get("given_name") or ""), str(claims.get("family_name") or "")
    if not (first or last) and claims.get("name"):
        first, _sep, last = str(claims["name"]).rpartition(" ")
        if not first:
            first, last = last, ""
    email = str(claims.get("email") or "")
    if not email and "@" in str(claims.get("preferred_username") or ""):
        email = str(claims["preferred_username"])
    return {"first_name": first[:150], "last_name": last[:150], "email": email[:254]}


def _unique_username(claims: dict, uid: str) -> str:
    User = get_user_model()
    base = str(claims.get("preferred_username") or claims.get("email") or "").strip().lower()[:120]
    if not base:
        base = "oidc-" + hashlib.sha256(uid.encode()).hexdigest()[:12]
    # An existing local account with that name is never taken over: the new account gets a suffix.
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _after_sign_in(user, sociallogin, *, created: bool) -> None:
    with transaction.atomic():
        changes = sync_roles(user, groups_from_claims(_claims(sociallogin)))
        audit.record(user, "auth.oidc_login", user, details={"user_created": created, **changes})


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account side, used only to finish an Entra ID sign-in: no local sign-up through allauth."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def login(self, request, user) -> None:
        # The session belongs to the Entra ID backend, which lets no password in
        # (assessments/accounts/auth_backends.py).
        user.backend = SESSION_BACKEND
        super().login(request, user)

    def respond_user_inactive(self, request, user):
        return refusal(request, "inactive")

    def is_safe_url(self, url) -> bool:
        return is_local_path(url) and super().is_safe_url(url)


class EntraAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list:
        """The one app, from the KIV_OIDC_* settings (never from the database)."""
        if not settings.KIV_OIDC_ENABLED or provider not in (None, PROVIDER_ID):
            return []
        overrides = {
            key: value
            for key, value in {
                "issuer": settings.KIV_OIDC_ISSUER,
                "authorization_endpoint": settings.KIV_OIDC_AUTHORIZATION_ENDPOINT,
                "token_endpoint": settings.KIV_OIDC_TOKEN_ENDPOINT,
                "jwks_uri": settings.KIV_OIDC_JWKS_URI,
            }.items()
            if value
        }
        app_settings = {
            "server_url": settings.KIV_OIDC_DISCOVERY_URL or "",
            "openid_configuration_overrides": overrides,
            "oauth_pkce_enabled": True,
            "token_auth_method": "client_secret_post",  # noqa: S105  # nosec B105 - a method name, not a secret
        }
        return [
            SocialApp(
                provider=PROVIDER_ID,
                name="Entra ID",
                client_id=settings.KIV_OIDC_CLIENT_ID,
                secret=settings.KIV_OIDC_CLIENT_SECRET,
                settings=app_settings,
            )
        ]

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # anyone the provider vouches for gets an account; roles come only from groups

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def populate_user(self, request, sociallogin, data):
        user = sociallogin.user
        claims = _claims(sociallogin)
        user.username = _unique_username(claims, sociallogin.account.uid)
        for field, value in _profile(claims).items():
            setattr(user, field, value)
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        _after_sign_in(user, sociallogin, created=True)
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        if not sociallogin.is_existing:
            return
        user = sociallogin.user
        if not user.is_active:
            raise ImmediateHttpResponse(refusal(request, "inactive"))
        profile = _profile(_claims(sociallogin))
        if any(getattr(user, field) != value for field, value in profile.items()):
            for field, value in profile.items():
                setattr(user, field, value)
            user.save(update_fields=list(profile))
        _after_sign_in(user, sociallogin, created=False)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        reason = reason_for(request, error, exception, extra_context or {})
        if exception is not None:
            log.info("OIDC sign-in error detail: %s (%s)", exception, exception.__cause__)
        raise ImmediateHttpResponse(refusal(request, reason))
