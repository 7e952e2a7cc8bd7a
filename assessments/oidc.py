"""Sign-in with Entra ID (or any OpenID Connect provider): the authorization code flow with PKCE.

Why a small flow of our own rather than mozilla-django-oidc or django-allauth: see docs/deployment.md.
In short, the ID token is verified here in one place, with PyJWT, on every point the OIDC core spec
asks for: the RS256 signature against the provider's JWKS, `iss`, `aud` (and `azp` for several
audiences), `exp`/`iat` with a small leeway, and the `nonce` bound to this browser's session; the
`state` guards the callback against login CSRF and the PKCE verifier binds the code to this session.

Users are matched on the provider's stable id (`oid` for Entra ID, `sub` otherwise), never on a
username or an e-mail address, and created on their first sign-in. Roles come from the groups claim
through GroupMapping rows (editable in the admin); only roles that a mapping granted are ever revoked.
"""

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import ExternalIdentity, GroupMapping, Membership, MunicipalRole

log = logging.getLogger(__name__)

SESSION_KEY = "kiv_oidc_flow"
FLOW_MAX_AGE = 600  # seconds between the redirect to the provider and the callback
CLOCK_LEEWAY = 60  # seconds of clock skew tolerated on exp/iat
ALGORITHMS = ["RS256"]
MAX_RESPONSE_BYTES = 1024 * 1024
ALL_AGENCIES = "all"

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
    "configuration": _("Innlogging med Oslo kommune-konto er feil satt opp. Kontakt administratoren."),
}
# Token checks that fail for reasons a person cannot act on share one message (no oracle for attackers).
TOKEN_REASONS = {"signature", "audience", "issuer", "nonce", "not_yet_valid", "claims", "token_exchange"}


class OidcError(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.reason) or MESSAGES["invalid_token"])

    @property
    def status(self) -> int:
        return 502 if self.reason == "provider_unavailable" else 400


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


# --- Talking to the provider -------------------------------------------------------------------


def _check_url(url: str, what: str) -> str:
    parsed = urllib.parse.urlparse(url or "")
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise OidcError("configuration", f"{what} is not an https URL: {url!r}")
    return url


def _http_json(url: str, form: dict | None = None) -> dict:
    """GET (or POST a form to) a provider URL and parse the JSON answer. Only http(s) URLs reach here."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(  # noqa: S310  (scheme checked by _check_url)
        _check_url(url, "provider URL"), data=data, headers={"Accept": "application/json"}
    )
    try:
        # Bandit B310: _check_url() above allows only https (http on loopback), never file: or custom schemes.
        with urllib.request.urlopen(request, timeout=settings.KIV_OIDC_TIMEOUT) as response:  # noqa: S310  # nosec B310 - see above
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        # A token endpoint answers 400 with {"error": "invalid_grant", ...} for a bad or reused code.
        raise OidcError(
            "token_exchange" if form is not None else "provider_unavailable", f"HTTP {exc.code} from {url}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise OidcError("provider_unavailable", f"{type(exc).__name__}: {exc}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise OidcError("provider_unavailable", f"answer from {url} is too large")
    try:
        parsed = json.loads(body)
    except ValueError:
        raise OidcError("provider_unavailable", f"answer from {url} is not JSON") from None
    if not isinstance(parsed, dict):
        raise OidcError("provider_unavailable", f"answer from {url} is not a JSON object")
    return parsed


def provider() -> Provider:
    """The provider's endpoints: from the discovery document (cached for an hour) or from settings."""
    if not settings.KIV_OIDC_DISCOVERY_URL:
        return Provider(
            issuer=settings.KIV_OIDC_ISSUER,
            authorization_endpoint=settings.KIV_OIDC_AUTHORIZATION_ENDPOINT,
            token_endpoint=settings.KIV_OIDC_TOKEN_ENDPOINT,
            jwks_uri=settings.KIV_OIDC_JWKS_URI,
        )
    url = settings.KIV_OIDC_DISCOVERY_URL
    key = "kiv-oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        document = _http_json(url)
        required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        missing = [f for f in required if not document.get(f)]
        if missing:
            raise OidcError("configuration", f"discovery document lacks {', '.join(missing)}")
        cache.set(key, document, 3600)
    issuer = settings.KIV_OIDC_ISSUER or document["issuer"]
    if document["issuer"] != issuer:
        raise OidcError("configuration", f"discovery issuer {document['issuer']!r} is not {issuer!r}")
    return Provider(
        issuer=issuer,
        authorization_endpoint=settings.KIV_OIDC_AUTHORIZATION_ENDPOINT or document["authorization_endpoint"],
        token_endpoint=settings.KIV_OIDC_TOKEN_ENDPOINT or document["token_endpoint"],
        jwks_uri=settings.KIV_OIDC_JWKS_URI or document["jwks_uri"],
    )


_jwks_clients: dict[str, jwt.PyJWKClient] = {}
_jwks_lock = threading.Lock()


def _jwks_client(uri: str) -> jwt.PyJWKClient:
    """One client per JWKS URL per process: it caches the key set and refetches it for an unknown key id
    (key rotation)."""
    _check_url(uri, "jwks_uri")
    with _jwks_lock:
        client = _jwks_clients.get(uri)
        if client is None:
            client = jwt.PyJWKClient(uri, lifespan=3600, timeout=settings.KIV_OIDC_TIMEOUT, cooldown_duration=30)
            _jwks_clients[uri] = client
        return client


# --- The flow --------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def redirect_uri(request) -> str:
    return settings.KIV_OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("oidc_callback"))


def safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def begin(request, next_url: str = "") -> str:
    """Remember state, nonce and PKCE verifier in the session; return the provider's authorization URL."""
    prov = provider()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    callback = redirect_uri(request)
    request.session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": callback,
        "next": safe_next(request, next_url),
        "started": time.time(),
    }
    params = {
        "response_type": "code",
        "client_id": settings.KIV_OIDC_CLIENT_ID,
        "redirect_uri": callback,
        "scope": settings.KIV_OIDC_SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in prov.authorization_endpoint else "?"
    return prov.authorization_endpoint + separator + urllib.parse.urlencode(params)


def verify_id_token(id_token: str, *, prov: Provider, nonce: str) -> dict:
    """Verify an ID token's signature and claims; raise OidcError naming the first check that failed."""
    try:
        key = _jwks_client(prov.jwks_uri).get_signing_key_from_jwt(id_token)
    except jwt.PyJWKClientConnectionError as exc:
        raise OidcError("provider_unavailable", f"JWKS: {exc}") from None
    except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
        raise OidcError("signature", f"no usable signing key: {exc}") from None
    client_id = settings.KIV_OIDC_CLIENT_ID
    try:
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=ALGORITHMS,
            audience=client_id,
            issuer=prov.issuer,
            leeway=CLOCK_LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise OidcError("expired", str(exc)) from None
    except jwt.InvalidAudienceError as exc:
        raise OidcError("audience", str(exc)) from None
    except jwt.InvalidIssuerError as exc:
        raise OidcError("issuer", str(exc)) from None
    except jwt.InvalidSignatureError as exc:
        raise OidcError("signature", str(exc)) from None
    except jwt.ImmatureSignatureError as exc:
        raise OidcError("not_yet_valid", str(exc)) from None
    except jwt.InvalidTokenError as exc:
        raise OidcError("claims", f"{type(exc).__name__}: {exc}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError("audience", "several audiences and azp is not this client")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("nonce", "nonce does not match the one sent")
    return claims


def complete(request) -> tuple:
    """Check the callback against the session's flow, exchange the code and verify the ID token.

    Returns (user, next_url). The flow is taken out of the session first: each callback is one try."""
    flow = request.session.pop(SESSION_KEY, None)
    if not isinstance(flow, dict) or time.time() - flow.get("started", 0) > FLOW_MAX_AGE:
        raise OidcError("state", "no sign-in was started in this session, or it is too old")
    if not secrets.compare_digest(request.GET.get("state", ""), flow["state"]):
        raise OidcError("state", "state does not match")
    if request.GET.get("error"):
        raise OidcError("provider_error", request.GET.get("error", "")[:100])
    code = request.GET.get("code", "")
    if not code:
        raise OidcError("state", "no code in the callback")
    prov = provider()
    tokens = _http_json(
        prov.token_endpoint,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow["redirect_uri"],
            "client_id": settings.KIV_OIDC_CLIENT_ID,
            "client_secret": settings.KIV_OIDC_CLIENT_SECRET,
            "code_verifier": flow["verifier"],
        },
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("token_exchange", "no id_token in the token response")
    claims = verify_id_token(id_token, prov=prov, nonce=flow["nonce"])
    user = sign_in_user(claims, issuer=prov.issuer)
    return user, flow["next"]


# --- Users and roles -----------------------------------------------------------------------------


def _groups(claims: dict) -> list[str] | None:
    """The groups claim as a list, or None when the provider left it out because there were too many
    (Entra's "overage": `_claim_names`): then roles stay as they are."""
    name = settings.KIV_OIDC_GROUPS_CLAIM
    if name in claims:
        value = claims[name]
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if name in (claims.get("_claim_names") or {}):
        return None
    return []


def _username_for(claims: dict, subject: str) -> str:
    User = get_user_model()
    base = str(claims.get("preferred_username") or claims.get("email") or "").strip().lower()[:120]
    if not base:
        base = "oidc-" + hashlib.sha256(subject.encode()).hexdigest()[:12]
    # An existing local account with that name is never taken over: the new account gets a suffix.
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


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


def sign_in_user(claims: dict, *, issuer: str):
    """Find or create the user for verified claims, bring names and roles up to date, record the sign-in."""
    subject = str(claims.get("oid") or claims["sub"])
    User = get_user_model()
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_related("user")
            .select_for_update()
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        created = identity is None
        if created:
            user = User(username=_username_for(claims, subject), **_profile(claims))
            user.set_unusable_password()
            user.save()
            identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        else:
            user = identity.user
            if not user.is_active:
                raise OidcError("inactive", f"user {user.pk} is inactive")
            profile = _profile(claims)
            if any(getattr(user, k) != v for k, v in profile.items()):
                for k, v in profile.items():
                    setattr(user, k, v)
                user.save(update_fields=list(profile))
        changes = sync_roles(user, identity, _groups(claims))
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["managed_roles", "last_login_at"])
        audit.record(user, "auth.oidc_login", user, details={"user_created": created, **changes})
    return user


def _desired_roles(groups: list[str]) -> tuple[dict[int, str], dict[str, object]]:
    agency_roles: dict[int, str] = {}
    municipal: dict[str, object] = {}
    for mapping in GroupMapping.objects.filter(group_id__in=groups):
        if mapping.role in GroupMapping.AGENCY_ROLES:
            already_leader = agency_roles.get(mapping.agency_id) == Membership.Role.LEADER
            if mapping.agency_id is not None and not already_leader:
                agency_roles[mapping.agency_id] = mapping.role
        elif mapping.agency_id is None:
            municipal[mapping.role] = ALL_AGENCIES
        elif municipal.get(mapping.role) != ALL_AGENCIES:
            municipal.setdefault(mapping.role, set()).add(mapping.agency_id)
    return agency_roles, municipal


def sync_roles(user, identity: ExternalIdentity, groups: list[str] | None) -> dict:
    """Make the user's mapped roles match the groups. Roles granted by hand are left alone unless a mapping
    now covers the same agency or municipality role, which then takes it over."""
    if groups is None:
        log.warning("OIDC groups claim left out (too many groups) for user %s: roles unchanged", user.pk)
        return {"roles_unchanged": True}
    wanted_agencies, wanted_municipal = _desired_roles(groups)
    previous = identity.managed_roles or {}
    counts = {"granted": 0, "changed": 0, "revoked": 0}

    memberships = {m.agency_id: m for m in Membership.objects.filter(user=user)}
    for agency_id, role in wanted_agencies.items():
        existing = memberships.get(agency_id)
        if existing is None:
            Membership.objects.create(user=user, agency_id=agency_id, role=role)
            counts["granted"] += 1
        elif existing.role != role:
            existing.role = role
            existing.save(update_fields=["role"])
            counts["changed"] += 1
    for agency_key, role in (previous.get("agencies") or {}).items():
        existing = memberships.get(int(agency_key))
        if int(agency_key) not in wanted_agencies and existing is not None and existing.role == role:
            existing.delete()
            counts["revoked"] += 1

    held = MunicipalRole.objects.filter(user=user).prefetch_related("agencies")
    municipal_roles = {m.role: m for m in held}
    for role, scope in wanted_municipal.items():
        existing = municipal_roles.get(role)
        if existing is None:
            existing = MunicipalRole.objects.create(user=user, role=role)
            counts["granted"] += 1
        current = {a.pk for a in existing.agencies.all()}
        target = set() if scope == ALL_AGENCIES else set(scope)
        if current != target:
            existing.agencies.set(target)
            counts["changed"] += 1
    for role in previous.get("municipal") or {}:
        if role not in wanted_municipal and role in municipal_roles:
            municipal_roles[role].delete()
            counts["revoked"] += 1

    identity.managed_roles = {
        "agencies": {str(k): v for k, v in sorted(wanted_agencies.items())},
        "municipal": {r: s if s == ALL_AGENCIES else sorted(s) for r, s in sorted(wanted_municipal.items())},
    }
    if hasattr(user, "_kiv_roles"):
        del user._kiv_roles
    return counts


# --- Authentication backends -------------------------------------------------------------------------


class PasswordBackend(ModelBackend):
    """Passwords, for administrators and the embedded default. With KIV_PASSWORD_LOGIN=staff only staff
    accounts may use them; everyone else signs in through OIDC."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        everyone = settings.KIV_PASSWORD_LOGIN == "all"  # noqa: S105  # nosec B105 - a mode, not a password
        return everyone or user.is_staff or user.is_superuser


class OidcBackend(ModelBackend):
    """Holds the sessions that OIDC sign-in makes (the flow above did the authenticating)."""

    def authenticate(self, request, **credentials):
        return None
