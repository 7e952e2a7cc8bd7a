from django.conf import settings

from assessments.permissions import roles_for


def roles(request) -> dict:
    return {"kiv_roles": roles_for(getattr(request, "user", None))}


def sign_in(request) -> dict:
    return {"kiv_oidc_enabled": settings.KIV_OIDC_ENABLED}
