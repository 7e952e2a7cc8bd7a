"""Audit receivers for sign-in events and role changes, wherever they come from (admin included)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from assessments.audit import chain as audit
from assessments.middleware import current_actor_id
from assessments.models import Membership, MunicipalRole
from assessments.text import unstorable


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(user, "auth.login", user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(user, "auth.logout", user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "axes_locked_out", False):
        return  # refused by the lockout: its start is audited once (assessments/accounts/lockout.py), not each try
    # No usernames in the chain: name the account only by id, when one exists. Anonymous callers must not
    # add unlimited rows: one event per (username, address) per lockout window.
    username = str((credentials or {}).get("username", ""))[:150]
    known = username and not unstorable(username)  # a NUL would reach PostgreSQL as a DataError
    user = get_user_model().objects.filter(username=username).only("pk").first() if known else None
    # The client's address as django-axes sees it (proxy-aware), else the socket's.
    address = getattr(request, "axes_ip_address", None) or (request.META.get("REMOTE_ADDR", "") if request else "")
    audit.record_capped(
        "auth.login_failed",
        bucket=f"{username.lower()}\x00{address}",
        window_seconds=settings.KIV_LOGIN_LOCKOUT_SECONDS,
        obj=user,
        details={"known_account": user is not None},
    )


def _record_role(action: str, instance, agency_id: int | None) -> None:
    """A membership's or a municipal role's change, by whoever acts now (admin, command, service)."""
    audit.record(
        current_actor_id(), action, instance.user, agency_id, {"role": instance.role, "user_id": instance.user_id}
    )


@receiver(post_save, sender=Membership)
def _membership_saved(sender, instance, created, **kwargs):
    _record_role("role.granted" if created else "role.changed", instance, instance.agency_id)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance, **kwargs):
    _record_role("role.revoked", instance, instance.agency_id)


@receiver(post_save, sender=MunicipalRole)
def _municipal_saved(sender, instance, created, **kwargs):
    _record_role("role.granted" if created else "role.changed", instance, None)


@receiver(post_delete, sender=MunicipalRole)
def _municipal_deleted(sender, instance, **kwargs):
    _record_role("role.revoked", instance, None)


@receiver(m2m_changed, sender=MunicipalRole.agencies.through)
def _municipal_scope_changed(sender, instance, action, pk_set, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        audit.record(
            current_actor_id(),
            "role.scope_changed",
            instance.user,
            None,
            {
                "role": instance.role,
                "user_id": instance.user_id,
                "change": action[5:],
                "agency_ids": sorted(pk_set or []),
            },
        )
