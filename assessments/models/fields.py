"""Field definitions that several models share."""

from django.conf import settings
from django.db import models


def user_reference(**options) -> models.ForeignKey:
    """The user who did something (made, changed, decided): the row stays, with null, when the user is
    deleted, and the user gets no reverse accessor for it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", **options
    )
