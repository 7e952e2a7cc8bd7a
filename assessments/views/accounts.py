"""The two URLs of sign-in with Entra ID: off to the provider, and back from it. django-allauth runs the
protocol (assessments/accounts/provider.py); these views keep our URLs, our redirect URI and our refusal pages."""

from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from requests import RequestException

from assessments.accounts.entra import refusal
from assessments.accounts.provider import EntraOAuth2Adapter
from assessments.permissions import public


@public
@never_cache
@require_http_methods(["GET", "POST"])
def oidc_start(request):
    """POST (the button on the sign-in page, with its CSRF token) starts the sign-in; a GET goes back to
    the sign-in page, so no other site can start one for the visitor."""
    if request.user.is_authenticated:
        return redirect(get_next_redirect_url(request) or settings.LOGIN_REDIRECT_URL)
    if not settings.KIV_OIDC_ENABLED:
        raise Http404
    if request.method != "POST":
        return redirect(settings.LOGIN_URL)
    try:
        return OAuth2LoginView.adapter_view(EntraOAuth2Adapter(request))(request)
    except RequestException:
        return refusal(request, "provider_unavailable")


@public
@require_GET
@never_cache
def oidc_callback(request):
    if not settings.KIV_OIDC_ENABLED:
        raise Http404
    try:
        return OAuth2CallbackView.adapter_view(EntraOAuth2Adapter(request))(request)
    except RequestException:
        return refusal(request, "provider_unavailable")
