"""Authentication backends, after django-axes' AxesStandaloneBackend (which refuses locked-out clients
before any password is checked; see kiveileder/settings.py)."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Passwords, for administrators and the embedded default. With KIV_PASSWORD_LOGIN=staff only staff
    accounts may use them; everyone else signs in with Entra ID."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        everyone = settings.KIV_PASSWORD_LOGIN == "all"  # noqa: S105  # nosec B105 - a mode, not a password
        return everyone or user.is_staff or user.is_superuser


class EntraSessionBackend(ModelBackend):
    """Holds the sessions that sign-in with Entra ID makes (django-allauth did the authenticating, see
    assessments/accounts/entra.py). It checks no credentials itself, so it never lets a password in."""

    def authenticate(self, request, **credentials):
        return None
