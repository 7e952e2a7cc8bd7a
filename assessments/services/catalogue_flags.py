"""What happens after an entry of the tool overview changes: flags closed, and drafts kept current.

**Flags** (`CatalogueFlag`, made by services/catalogue.py when an entry gets stricter) are closed, never deleted,
so they stay in the assessment's history:

- when the flagged assessment is replaced by an answer set that no longer rests on an older version of the entry:
  a new version of the same assessment submitted with the current version (a recalled or returned one), or the
  re-assessment that replaces it (a material change) approved. "No longer rests on" also covers a re-assessment
  that dropped the tool: the flag was about facts it no longer uses;
- when UKE dismisses it with a reason (for instance: the change does not touch how the agency uses the tool).

**Drafts** are not flagged: nothing is in force yet. Their leaders are told that the entry changed, the wizard and
its summary say so, and the next saved step brings the draft's locked facts up to the current version
(`services.catalogue.refresh_values`). Refreshing on the next save, rather than offering a choice, is what a
leader expects: the facts are UKE's, the wizard already locks them, and a draft that kept an old version would
be flagged the moment it was submitted. Submitting a draft that still names an older version is refused with a
message saying so, so the leader sees the new facts' result before UKE does.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.lifecycle import EDITABLE_STATUSES
from assessments.models import Assessment
from assessments.models.catalogue import CatalogueFlag, ToolEntryVersion
from assessments.notifications import messages as notifications
from assessments.permissions import may_edit_catalogue, roles_for
from assessments.queries.catalogue import REF_KEY, entry_number
from assessments.services.locking import lock
from assessments.services.review import required_text

DISMISS_REASON_MAX = 2000


def resolves(flag: CatalogueFlag, answers: dict) -> bool:
    """Whether `answers` no longer rest on a version of the flagged entry older than the flag's new version."""
    number = entry_number((answers or {}).get(REF_KEY), flag.new_version.entry.slug)
    return number is None or number >= flag.new_version.number


def close_resolved(assessment: Assessment, answers: dict, actor, *, by: Assessment, version: int) -> int:
    """Close `assessment`'s open flags that `answers` (version `version` of `by`) resolve, in the caller's
    transaction, each with an audit event. Returns how many were closed."""
    flags = CatalogueFlag.objects.filter(assessment=assessment, closed_at__isnull=True).select_related(
        "new_version__entry"
    )
    closed = 0
    for flag in flags.order_by("pk"):
        if not resolves(flag, answers):
            continue
        note = f"{by.uuid} v{version}: {(answers or {}).get(REF_KEY) or '-'}"
        updated = CatalogueFlag.objects.filter(pk=flag.pk, closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_how=CatalogueFlag.Closed.REASSESSED, closed_by=actor, close_note=note
        )
        if updated:
            closed += 1
            audit.record(
                actor,
                "assessment.catalogue_flag_closed",
                assessment,
                assessment.agency_id,
                {"flag": flag.pk, "ref": flag.new_version.ref, "by_assessment": str(by.uuid), "by_version": version,
                 "uses": (answers or {}).get(REF_KEY)},
            )  # fmt: skip
    return closed


def flag_dismiss(*, flag: CatalogueFlag, actor, reason: str) -> CatalogueFlag:
    """UKE closes an open flag with a reason: the change does not call for a re-assessment."""
    if not may_edit_catalogue(roles_for(actor)):
        raise PermissionDenied(_("Bare UKE og administratorer kan avslutte et flagg."))
    reason = required_text(
        reason, field="reason", limit=DISMISS_REASON_MAX, required_message=_("Skriv hvorfor flagget avsluttes.")
    )
    with transaction.atomic():
        locked = lock(CatalogueFlag, flag.pk)
        if locked.closed_at is not None:
            raise ValidationError(_("Flagget er allerede avsluttet. Ingenting ble endret."), code="closed")
        CatalogueFlag.objects.filter(pk=locked.pk, closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_how=CatalogueFlag.Closed.DISMISSED, closed_by=actor, close_note=reason
        )
        assessment = Assessment.objects.get(pk=locked.assessment_id)
        audit.record(
            actor,
            "assessment.catalogue_flag_dismissed",
            assessment,
            assessment.agency_id,
            {"flag": locked.pk, "used": locked.used_ref, "ref": locked.new_version.ref, "reason": reason},
        )
    locked.refresh_from_db()
    return locked


def tell_drafts(version: ToolEntryVersion, actor) -> int:
    """Tell the leaders of every draft (or returned assessment) answered with an older version of the entry, in
    the caller's transaction; once per draft and version. Returns how many drafts were told."""
    slug = version.entry.slug
    drafts = Assessment.objects.filter(status__in=EDITABLE_STATUSES, answers__cat_ref__startswith=f"{slug}@")
    told = 0
    for draft in drafts.select_related("agency").order_by("pk"):
        used = draft.answers.get(REF_KEY)
        number = entry_number(used, slug)
        if number is None or number >= version.number:
            continue
        event = f"catalogue_changed_draft:{draft.uuid}:{version.ref}"
        # The link opens the draft itself (the review page is for what was sent in).
        link = notifications.absolute_url(draft.get_absolute_url())
        extra = {"tool": version, "used_ref": used, "link": link}
        queued = notifications.queue_event("catalogue_changed_draft", draft, event, extra)
        audit.record(
            actor,
            "assessment.catalogue_draft_told",
            draft,
            draft.agency_id,
            {"used": used, "ref": version.ref, "recipients": queued},
        )
        told += 1
    return told
