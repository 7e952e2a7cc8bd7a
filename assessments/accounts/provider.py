"""Entra ID (or any OpenID Connect provider) for django-allauth: its openid_connect provider, narrowed.

allauth loads `<app>.provider` of every installed app and registers its `provider_classes`. Three
things differ from the stock provider, each for a reason:

- The user is matched on Entra ID's `oid` (the same object id in every app registration), otherwise on
  `sub`; never on a username or an e-mail address.
- The ID token's signature is always verified against the provider's JWKS. allauth skips the signature
  when the token came straight from the token endpoint over TLS (the OIDC spec allows it); we check it
  anyway, so a token that does not verify is refused whatever its path.
- Only a plain sign-in is started: no "connect" to the signed-in account, no scopes or authorization
  parameters taken from the request, and the redirect URI can be fixed (`KIV_OIDC_REDIRECT_URI`) so
  that any web instance can receive the callback.

The app itself (client id, secret, endpoints) comes from the KIV_OIDC_* settings through
`assessments.accounts.entra.EntraAdapter.list_apps`, not from the database.
"""

import jwt
from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.urls import reverse

PROVIDER_ID = "entra"
ALGORITHMS = {"RS256"}


class EntraOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def __init__(self, request):
        super().__init__(request, PROVIDER_ID)

    @property
    def openid_config(self):
        """From the discovery document, or from settings alone when there is none."""
        if not hasattr(self, "_openid_config"):
            if settings.KIV_OIDC_DISCOVERY_URL:
                return super().openid_config
            self._openid_config = {
                "issuer": settings.KIV_OIDC_ISSUER,
                "authorization_endpoint": settings.KIV_OIDC_AUTHORIZATION_ENDPOINT,
                "token_endpoint": settings.KIV_OIDC_TOKEN_ENDPOINT,
                "jwks_uri": settings.KIV_OIDC_JWKS_URI,
            }
        return self._openid_config

    @property
    def basic_auth(self):
        return False  # client_secret_post: what Entra ID and the fake provider in the tests take

    def get_callback_url(self, request, app):
        return settings.KIV_OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("assessments:oidc_callback"))

    def complete_login(self, request, app, token, **kwargs):
        """The person is who the verified ID token says; no userinfo call (Entra's is Microsoft Graph)."""
        id_token = kwargs["response"].get("id_token")
        if not isinstance(id_token, str):
            raise OAuth2Error("no id_token in the token response")
        data = {"id_token": self._decode_id_token(app, id_token)}
        return self.get_provider().sociallogin_from_response(request, data)

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            algorithm = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as exc:
            raise OAuth2Error("Invalid id_token") from exc
        if algorithm not in ALGORITHMS:
            raise OAuth2Error(f"Invalid id_token: algorithm {algorithm!r}")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        # OIDC core 3.1.3.7: with several audiences, `azp` must name us (PyJWT only checks we are one of them).
        if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and claims.get("azp") != app.client_id:
            raise OAuth2Error("Invalid id_token") from jwt.InvalidAudienceError("several audiences, azp not ours")
        return claims


class EntraProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "Entra ID"
    oauth2_adapter_class = EntraOAuth2Adapter

    def get_oauth2_adapter(self, request):
        return EntraOAuth2Adapter(request)

    def get_login_url(self, request, **kwargs):
        return reverse("assessments:oidc_start")

    def get_callback_url(self):
        return reverse("assessments:oidc_callback")

    def get_default_scope(self):
        return settings.KIV_OIDC_SCOPES.split()

    def get_redirect_from_request_kwargs(self, request) -> dict:
        kwargs = {"process": AuthProcess.LOGIN}
        next_url = get_next_redirect_url(request)
        if next_url:
            kwargs["next_url"] = next_url
        return kwargs

    def get_auth_params_from_request(self, request, action):
        return self.get_auth_params()

    def get_scope_from_request(self, request):
        return self.get_scope()

    def extract_uid(self, data):
        claims = data.get("id_token") or {}
        uid = claims.get("oid") or claims.get("sub")
        if not uid:
            raise OAuth2Error("the ID token names no subject (oid or sub)")
        return str(uid)


provider_classes = [EntraProvider]
