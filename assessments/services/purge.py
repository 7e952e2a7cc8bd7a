"""Privacy: pseudonymise a departed user."""

import re

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.models import (
    AssessmentVersion,
    Exemption,
    GroupRoles,
    Membership,
    MunicipalRole,
    OutboxMessage,
    ReviewComment,
    ToolExemption,
)
from assessments.services.locking import lock

PURGED_PREFIX = "slettet-"
NAME_REMOVED = "[navn fjernet]"


def _mention_pattern(user):
    """The ways free text names this person: full name (both orders), username, e-mail and its local part.
    Single first or last names are left alone: they would hit colleagues with the same name."""
    first, last = user.first_name.strip(), user.last_name.strip()
    forms = {user.username, user.email}
    if first and last:
        forms |= {f"{first} {last}", f"{last}, {first}", f"{last} {first}"}
    local = user.email.split("@")[0] if "@" in user.email else ""
    if "." in local or "_" in local:
        forms.add(local)
    forms = sorted((f for f in forms if f and len(f) >= 3), key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.IGNORECASE)


def _scrub(queryset, field: str, pattern) -> int:
    """Replace the name in one free-text field of every row that mentions it; returns how many changed."""
    changed = []
    for row in queryset.exclude(**{field: ""}).only("id", field).iterator():
        new = pattern.sub(NAME_REMOVED, getattr(row, field))
        if new != getattr(row, field):
            setattr(row, field, new)
            changed.append(row)
    queryset.model.objects.bulk_update(changed, [field])
    return len(changed)


def user_purge(*, user, actor=None) -> dict:
    """Pseudonymise a departed user: `slettet-<id>`, names and e-mail emptied, no usable password, inactive,
    roles, OIDC link and sessions removed, and their name replaced in reviewers' free text. The audit log
    chains ids, never names, so it is not touched and still verifies. Returns counts (ids only)."""
    User = get_user_model()
    with transaction.atomic():
        user = lock(User, user.pk)
        if user.username == f"{PURGED_PREFIX}{user.pk}":
            raise ValidationError(_("Brukeren er allerede pseudonymisert."), code="already_purged")
        pattern = _mention_pattern(user)
        scrubbed = {"comments_changed": 0, "decisions_changed": 0, "exemptions_changed": 0}
        if pattern is not None:
            scrubbed["comments_changed"] = _scrub(ReviewComment.objects.all(), "text", pattern)
            scrubbed["decisions_changed"] = _scrub(AssessmentVersion.objects.all(), "decision_reason", pattern)
            scrubbed["exemptions_changed"] = _scrub(Exemption.objects.all(), "reason", pattern) + _scrub(
                ToolExemption.objects.all(), "reason", pattern
            )
        roles_removed = 0
        for role in [*Membership.objects.filter(user=user), *MunicipalRole.objects.filter(user=user)]:
            role.delete()  # one by one, so each removal is audited by the signals
            roles_removed += 1
        # The Entra ID link (allauth's social account, with the last ID token's claims) and what it held.
        identities = SocialAccount.objects.filter(user=user).delete()[0]
        GroupRoles.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        sessions = [
            s.pk
            for s in Session.objects.filter(expire_date__gt=timezone.now())
            if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
        ]
        Session.objects.filter(pk__in=sessions).delete()
        # E-mails to them, sent or waiting, carry their address: a departed user gets none anyway.
        mails = OutboxMessage.objects.filter(to__iexact=user.email).delete()[0] if user.email else 0
        user.username = f"{PURGED_PREFIX}{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.is_active = user.is_staff = user.is_superuser = False
        user.save()
        counts = {
            "user_id": user.pk,
            **scrubbed,
            "roles_removed": roles_removed,
            "identities_removed": identities,
            "sessions_ended": len(sessions),
            "emails_removed": mails,
        }
        audit.record(actor, "user.purged", user, details=counts)
    return counts
