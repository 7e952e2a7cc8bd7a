"""Joiners, movers and leavers. Roles from groups follow every sign-in (group_roles.sync_roles); this
module handles a leaver: an administrator deactivates the account, which ends its sessions at once, and the
drafts and invitations the person leaves behind are flagged for reassignment, with their leaders told.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.audit import chain as audit
from assessments.lifecycle import EDITABLE_STATUSES
from assessments.models import Assessment, Membership, ReassignmentFlag
from assessments.notifications import outbox
from assessments.notifications.messages import absolute_url, render_email
from assessments.services.locking import lock

NOTIFY_KIND = "left_work"


def user_deactivate(*, user, actor) -> dict:
    """Deactivate `user`: no sign-in and no session any more, their unfinished work flagged, leaders told."""
    with transaction.atomic():
        user = lock(get_user_model(), user.pk)
        user.is_active = False
        user.save(update_fields=["is_active"])
        sessions = end_sessions(user)
        flags = _flag_work(user)
        event = audit.record(
            actor,
            "user.deactivated",
            user,
            details={"sessions_ended": sessions, "flagged": sorted(f.assessment_id for f in flags)},
        )
        messages = _tell_leaders(user, flags, event.pk)
    return {"sessions_ended": sessions, "flagged": len(flags), "messages": messages}


def end_sessions(user) -> int:
    """Delete the user's stored sessions. (Were one missed, the session backends still refuse an inactive
    user on the next request: ModelBackend.get_user checks is_active.)"""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _flag_work(user) -> list[ReassignmentFlag]:
    unfinished = Assessment.objects.filter(status__in=EDITABLE_STATUSES)
    found = [(a, ReassignmentFlag.Kind.OWNER) for a in unfinished.filter(created_by=user)]
    found += [(a, ReassignmentFlag.Kind.CONTRIBUTOR) for a in unfinished.filter(contributors=user)]
    flags = []
    for assessment, kind in found:
        flag, _created = ReassignmentFlag.objects.get_or_create(
            assessment=assessment, user=user, kind=kind, resolved_at=None
        )
        flags.append(flag)
    return flags


def _tell_leaders(user, flags: list[ReassignmentFlag], event_id: int) -> int:
    """One message per leader of each agency concerned, listing that agency's flagged drafts."""
    by_agency = defaultdict(list)
    for flag in flags:
        by_agency[flag.assessment.agency_id].append(flag)
    queued = 0
    for agency_id, agency_flags in by_agency.items():
        leaders = (
            Membership.objects.filter(agency_id=agency_id, role=Membership.Role.LEADER, user__is_active=True)
            .exclude(user=user)
            .exclude(user__email="")
        )
        items = [
            {"title": f.assessment.title, "kind": f.get_kind_display(), "link": _link(f.assessment)}
            for f in agency_flags
        ]
        context = {"person": user.get_full_name() or user.username, "items": items}
        subject, body = render_email(NOTIFY_KIND, context)
        for membership in leaders.select_related("user"):
            queued += outbox.notification_enqueue(
                to=membership.user.email,
                kind=NOTIFY_KIND,
                subject=subject,
                body=body,
                dedupe_key=f"{NOTIFY_KIND}:{event_id}:{agency_id}:{membership.user_id}",
            )
    return queued


def _link(assessment: Assessment) -> str:
    return absolute_url(reverse("assessments:assessment_detail", args=[assessment.uuid]))
