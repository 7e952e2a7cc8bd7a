"""Field definitions that several models share."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def user_reference(**options) -> models.ForeignKey:
    """The user who did something (made, changed, decided): the row stays, with null, when the user is
    deleted, and the user gets no reverse accessor for it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", **options
    )


def role_field(roles: type[models.TextChoices]) -> models.CharField:
    """A role someone holds, one of `roles` (membership, municipal, officer or group roles): 20 characters hold
    every role code, so each kind of role is stored the same way and labelled "rolle"."""
    return models.CharField(_("rolle"), max_length=20, choices=roles.choices)
