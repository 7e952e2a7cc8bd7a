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
from assessments.locking import lock
from assessments.models import (
    AssessmentVersion,
    GroupRoles,
    Membership,
    MunicipalRole,
    OutboxMessage,
    ReviewComment,
)

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
        comments, decisions = [], []
        if pattern is not None:
            for comment in ReviewComment.objects.only("id", "text").iterator():
                new = pattern.sub(NAME_REMOVED, comment.text)
                if new != comment.text:
                    comment.text = new
                    comments.append(comment)
            reasons = AssessmentVersion.objects.exclude(decision_reason="").only("id", "decision_reason")
            for version in reasons:
                new = pattern.sub(NAME_REMOVED, version.decision_reason)
                if new != version.decision_reason:
                    version.decision_reason = new
                    decisions.append(version)
        ReviewComment.objects.bulk_update(comments, ["text"])
        AssessmentVersion.objects.bulk_update(decisions, ["decision_reason"])
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
            "comments_changed": len(comments),
            "decisions_changed": len(decisions),
            "roles_removed": roles_removed,
            "identities_removed": identities,
            "sessions_ended": len(sessions),
            "emails_removed": mails,
        }
        audit.record(actor, "user.purged", user, details=counts)
    return counts
