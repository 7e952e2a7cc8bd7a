"""Writes of the action plan (tiltaksplan): items from a submission, UKE's conditions, item changes,
evidence and the hooks the lifecycle services call (the go-live is in go_live.py).

Each change of an item writes a PlanItemHistory row (its state after the change) and an audit event, in
the caller's transaction. The lifecycle hooks (`on_submitted`, `on_decided`, `on_closed`,
`on_material_change`) run inside the lifecycle service's transaction, one call each.
"""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessments import lifecycle
from assessments.audit import chain as audit
from assessments.lifecycle import StateConflict
from assessments.models import Assessment, AssessmentVersion, Membership
from assessments.models.plans import Evidence, PlanItem, PlanItemHistory
from assessments.permissions import authorize
from assessments.services import evidence as evidence_files
from assessments.services import evidence_scan
from assessments.services.locking import lock
from assessments.services.plan_wanted import wanted_items
from assessments.text import LINK_MESSAGE, IntranetURLValidator

# The plan is read-only once the assessment ends without being in use any more.
CLOSED_STATUSES = (lifecycle.Status.REJECTED, lifecycle.Status.WITHDRAWN, lifecycle.Status.SUPERSEDED)
COMMENT_MAX_LENGTH = 2000
ITEM_FIELDS = ("owner", "due_date", "status", "status_reason")  # what item_update writes
# A reason typed while someone else moved the status away from "not relevant": kept on screen, not dropped silently.
REASON_WITHOUT_STATUS = _lazy(
    "Noen andre har endret statusen mens du hadde siden åpen, og tiltaket er ikke lenger «ikke relevant», så "
    "begrunnelsen ble ikke lagret. Se over statusen, og lagre på nytt."
)
WEB_LINK = IntranetURLValidator()
# UKE's condition "done before use" opens the go-live gate, so "done" must rest on something an auditor can read.
UNDOCUMENTED_CONDITION = _lazy(
    "Et vilkår fra UKE som må være ferdig før bruk, kan bare settes til «Ferdig» når det er dokumentert: legg ved "
    "en fil eller lenke over, eller skriv i kommentaren hva som er gjort."
)
HANDED_OVER = _lazy(
    "Det er meldt en vesentlig endring, og de åpne tiltakene er flyttet til den nye vurderingen. "
    "Denne tiltaksplanen kan leses, men ikke endres; gjør endringene i den nye planen."
)


# A replacement that ended without approval hands nothing over: the old assessment is still the one in use.
ENDED_UNAPPROVED = (lifecycle.Status.REJECTED, lifecycle.Status.WITHDRAWN)


def is_closed(assessment: Assessment) -> bool:
    return assessment.status in CLOSED_STATUSES


def replacement_of(assessment: Assessment) -> Assessment | None:
    """The assessment that replaces this one after a material change and holds its open items now (from
    the moment it exists, not only once it is approved); None when there is none, or it was withdrawn or
    rejected (the plan is this one's again)."""
    live = Assessment.objects.filter(replaces=assessment).exclude(status__in=ENDED_UNAPPROVED)
    return live.select_related("agency").order_by("-created_at", "-pk").first()


def carried_copies(replacement: Assessment | None, items) -> dict[int, PlanItem]:
    """old item id -> its copy in the replacement (for "moved to" links)."""
    if replacement is None:
        return {}
    copies = PlanItem.objects.filter(assessment=replacement, carried_from__in=[i.pk for i in items])
    return {copy.carried_from_id: copy for copy in copies}


# --- History ------------------------------------------------------------------------------------------


def _changed(item: PlanItem, user, change: str, details: dict | None = None, comment: str = "") -> None:
    """History row and audit event for one change of `item` (call inside a transaction)."""
    item.record_history(user, change, comment)
    audit.record(
        user,
        f"plan.{change}",
        item.assessment,
        item.assessment.agency_id,
        {"item": item.pk, "key": item.key, **(details or {})},
    )


# --- Items from a submission ----------------------------------------------------------------------------


# What an item takes from each submitted version that still wants it: its texts and a measure's target answer.
REFRESHED_FIELDS = ("title", "why", "source", "title_en", "why_en", "source_en", "measure_value", "measure_key")
# The texts the item's state (and so the status report) holds: a refresh that changes one writes a history row.
STATE_TEXTS = ("title", "source", "title_en", "source_en")


def _refresh_texts(item: PlanItem, fields: dict) -> bool:
    """The item's texts as the new version has them (the reasons quote its answers). Returns whether a text the
    item's state holds changed; the why and the measure's value are not part of the state."""
    before = {name: getattr(item, name) for name in REFRESHED_FIELDS}
    changed = [name for name in REFRESHED_FIELDS if before[name] != fields[name]]
    for name in changed:
        setattr(item, name, fields[name])
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
    # An English text filled in for the first time (items made before there were any) is no change to record.
    return any(name in STATE_TEXTS and (before[name] or not name.endswith("_en")) for name in changed)


# How far an item has come; "not relevant" is a judgement of its own that a merge leaves alone.
PROGRESS = (PlanItem.Status.NOT_STARTED, PlanItem.Status.IN_PROGRESS, PlanItem.Status.DONE)
# The key prefix of an item whose work went to another item for the same task (`_take_over_work`).
MERGED = "merged:"


def _same_task(existing: dict[str, PlanItem], wanted: dict[str, dict], fields: dict) -> PlanItem | None:
    """The item that holds this task under its other key, if the version no longer wants that key: a measure's
    item when its obligation now carries it (`measure:` in the questionnaire), or an obligation's item that
    carried a measure when the obligation no longer applies but the what-if still names the measure. The item
    takes the new key, so its owner, status, evidence and history stay with the task."""
    measure = fields.get("measure_key")
    if not measure:
        return None
    return next((i for k, i in existing.items() if k not in wanted and i.measure_key == measure), None)


def _carrier_of(item: PlanItem, existing: dict[str, PlanItem], wanted: dict[str, dict]) -> PlanItem | None:
    """For a measure's item that is no longer wanted: the obligation's item that now carries its measure. A plan made
    before `measure:` in the questionnaire can hold both for one task."""
    if item.kind != PlanItem.Kind.MEASURE or not item.measure_key:
        return None
    keys = (key for key, fields in wanted.items() if fields.get("measure_key") == item.measure_key)
    return next((existing[key] for key in keys if key in existing and existing[key].pk != item.pk), None)


def _take_over_work(target: PlanItem, source: PlanItem, user, version: AssessmentVersion) -> None:
    """The work done on the measure's item comes to the obligation's item that now carries the measure, so the leader
    does not document one task twice: its files and links (the same stored file, named by a new row; not one the target
    has or had, nor one the virus scan held back), its owner (while still in the agency) and due date where the target
    has none, and its status where it went further. The source is kept, not required, under a key no version asks for
    (`merged:`) and without its measure, so a later version that wants the measure on its own finds the target."""
    had = {(e.sha256, e.url) for e in target.evidence.all()}  # removed ones too: the leader took those away
    copied = 0
    for evidence in source.evidence.filter(removed_at__isnull=True).exclude(scan_status__in=Evidence.HELD_BACK):
        if (evidence.sha256, evidence.url) in had:
            continue
        had.add((evidence.sha256, evidence.url))
        _copy_evidence(evidence, target)
        copied += 1
    changed = []
    if target.owner_id is None and source.owner_id and _in_agency(source.owner_id, target):
        target.owner_id = source.owner_id
        changed.append("owner")
    if target.due_date is None and source.due_date:
        target.due_date = source.due_date
        changed.append("due_date")
    further = source.status in PROGRESS and target.status in PROGRESS
    if further and PROGRESS.index(source.status) > PROGRESS.index(target.status):
        target.status = source.status  # a status in PROGRESS has no reason to carry
        changed.append("status")
    if changed:
        target.save(update_fields=[*changed, "updated_at"])
    if changed or copied:
        details = {"version": version.number, "from_item": source.pk, "from_key": source.key}
        _changed(target, user, "item_merged", {**details, "evidence_copied": copied} if copied else details)
    # No longer the task's item: under a key no version wants, and without the measure that `_same_task` and the
    # re-assessment look for.
    PlanItem.objects.filter(pk=source.pk).update(key=f"{MERGED}{source.pk}:{source.key}"[:120], measure_key="")


def _copy_evidence(evidence: Evidence, item: PlanItem) -> Evidence:
    """The same stored file (or link), named by a new row of `item`; the original row stays with its item."""
    evidence.pk, evidence.id, evidence.item, evidence.uuid = None, None, item, uuid.uuid4()
    evidence.save()
    return evidence


def _in_agency(user_id: int, item: PlanItem) -> bool:
    return Membership.objects.filter(user_id=user_id, agency_id=item.assessment.agency_id).exists()


def on_submitted(user, assessment: Assessment, version: AssessmentVersion) -> None:
    """Keep the plan in step with the new version: new obligations add items, items whose obligation no
    longer applies are marked not required (kept), and an item that applies again is required again. Every
    item the version still wants gets its texts from it (the reasons quote the answers of this version)."""
    wanted = wanted_items(version)
    # of=self: the ordering by assessment joins the assessment table, whose row the caller has locked already.
    existing = {item.key: item for item in assessment.plan_items.select_for_update(of=("self",))}
    for key, fields in wanted.items():
        item = existing.get(key) or _same_task(existing, wanted, fields)
        if item is None:
            item = PlanItem.objects.create(assessment=assessment, key=key, **fields)
            _changed(item, user, "item_created", {"version": version.number})
            continue
        details = {"version": version.number}
        if item.key != key:
            details["previous_key"] = existing.pop(item.key).key
            PlanItem.objects.filter(pk=item.pk).update(key=key, kind=fields["kind"])
            item.key, item.kind = key, fields["kind"]
            existing[key] = item
        state_changed = _refresh_texts(item, fields)
        if not item.required:
            item.required = True
            item.save(update_fields=["required", "updated_at"])
            _changed(item, user, "item_required_again", details)
        elif state_changed:  # the status report reads the title and source from the history
            _changed(item, user, "item_texts_updated", details)
    for key, item in existing.items():
        if key not in wanted and item.required:
            carrier = _carrier_of(item, existing, wanted)
            if carrier is not None:
                _take_over_work(carrier, item, user, version)
            item.required = False
            item.save(update_fields=["required", "updated_at"])
            _changed(item, user, "item_no_longer_required", {"version": version.number})


# --- UKE's conditions, the end of a plan, a material change ------------------------------------------


def clean_conditions(version: AssessmentVersion, conditions: dict | None) -> dict:
    """Validate the approval's conditions against the version's plan: {before_use: ids, deadline: ids,
    deadline_date}. Raises ValidationError for items that are not in the plan or a deadline without a date."""
    conditions = conditions or {}
    before = {int(i) for i in conditions.get("before_use") or []}
    deadline = {int(i) for i in conditions.get("deadline") or []} - before
    known = set(version.assessment.plan_items.filter(required=True).values_list("pk", flat=True))
    if (before | deadline) - known:
        raise ValidationError({"conditions": _("Et valgt tiltak finnes ikke i planen.")})
    date = conditions.get("deadline_date")
    if deadline and not date:
        raise ValidationError({"conditions": _("Velg en frist for tiltakene som skal være gjort innen en frist.")})
    if date and date < timezone.localdate():
        raise ValidationError({"conditions": _("Fristen kan ikke være tilbake i tid.")})
    return {"before_use": sorted(before), "deadline": sorted(deadline), "deadline_date": date}


def on_decided(user, assessment: Assessment, version: AssessmentVersion, decision: str, conditions=None) -> None:
    """Approval: mark UKE's conditions on the items. Rejection: the plan is closed."""
    if decision == AssessmentVersion.Decision.REJECTED:
        on_closed(user, assessment)
        return
    if decision != AssessmentVersion.Decision.APPROVED or not conditions:
        return
    conditions = clean_conditions(version, conditions)
    for item in assessment.plan_items.filter(pk__in=[*conditions["before_use"], *conditions["deadline"]]):
        item.condition_version = version
        item.before_use = item.pk in conditions["before_use"]
        item.condition_due = None if item.before_use else conditions["deadline_date"]
        item.save(update_fields=["condition_version", "before_use", "condition_due", "updated_at"])
        details = {"before_use": item.before_use, "condition_due": item.condition_due, "version": version.number}
        _changed(item, user, "condition_set", details)


def on_closed(user, assessment: Assessment) -> None:
    """Rejection or withdrawal: the plan becomes read-only (by the assessment's status); say so in the log."""
    if assessment.plan_items.exists():
        audit.record(user, "plan.closed", assessment, assessment.agency_id, {"status": assessment.status})


def on_material_change(user, old: Assessment, new: Assessment) -> int:
    """The open items move on, with their history, to the assessment that replaces `old`."""
    moved = 0
    # Locked, so an edit of an old item waits for the copy and then finds the plan handed over (_lock_item).
    for item in old.plan_items.select_for_update(of=("self",)):
        if not item.is_open:
            continue
        history = list(item.history.all())
        evidence = list(item.evidence.filter(removed_at__isnull=True))
        copy = PlanItem.objects.create(
            assessment=new,
            key=item.key,
            kind=item.kind,
            **{name: getattr(item, name) for name in REFRESHED_FIELDS},
            owner=item.owner,
            due_date=item.due_date,
            status=item.status,
            status_reason=item.status_reason,
            carried_from=item,
        )
        PlanItemHistory.objects.bulk_create(
            [
                PlanItemHistory(item=copy, at=h.at, actor=h.actor, change=h.change, comment=h.comment, state=h.state)
                for h in history
            ]  # fmt: skip
        )
        for e in evidence:
            _copy_evidence(e, copy)
        _changed(copy, user, "item_carried_over", {"from_assessment": str(old.uuid)})
        moved += 1
    return moved


# --- The agency's changes -------------------------------------------------------------------------------


def _lock_item(item: PlanItem, user) -> PlanItem:
    locked = lock(PlanItem, item.pk, related=("assessment",))
    authorize(user, locked.assessment, "edit_plan")
    if is_closed(locked.assessment):
        raise StateConflict(_("Tiltaksplanen er lukket og kan ikke endres."), locked.assessment)
    if replacement_of(locked.assessment) is not None:
        raise StateConflict(HANDED_OVER, locked.assessment)
    return locked


def item_update(*, item: PlanItem, user, status: str, owner=None, due_date=None, status_reason: str = "",
                comment: str = "", changed: Iterable[str] | None = None) -> bool:  # fmt: skip
    """The agency sets owner, due date, status (with a reason for "not relevant") and may add a comment. Returns
    whether anything was saved: a save that changes nothing and adds no comment writes no row and no history.

    `changed` names the fields the person changed on the page (all of ITEM_FIELDS when None): only those are written,
    so two people with the item open at once do not undo each other's changes (one sets the status, the other the
    due date: both stay). Where both changed the same field, the later save wins, and the history shows both."""
    given = {"owner": owner, "due_date": due_date, "status": status, "status_reason": (status_reason or "").strip()}
    written = [name for name in ITEM_FIELDS if changed is None or name in changed]
    comment = (comment or "").strip()[:COMMENT_MAX_LENGTH]
    with transaction.atomic():
        locked = _lock_item(item, user)
        if "owner" in written and owner is not None and not _in_agency(owner.pk, locked):
            raise ValidationError({"owner": _("Ansvarlig må være en bruker i virksomheten.")})
        before, irrelevant = _agency_state(locked), PlanItem.Status.NOT_RELEVANT
        reason_only = "status_reason" in written and "status" not in written
        if reason_only and given["status_reason"] != locked.status_reason and locked.status != irrelevant:
            raise ValidationError({"status_reason": REASON_WITHOUT_STATUS})
        for name in written:
            setattr(locked, name, given[name])
        if locked.status != irrelevant:
            locked.status_reason = ""
        elif not locked.status_reason:
            raise ValidationError({"status_reason": _("Skriv hvorfor tiltaket ikke er relevant.")})
        after = _agency_state(locked)
        if before == after and not comment:
            return False
        needs_record = locked.before_use and locked.required
        if before[2] != after[2] == PlanItem.Status.DONE and needs_record and not comment and not locked.documented:
            raise ValidationError({"status": UNDOCUMENTED_CONDITION})
        locked.save(update_fields=[*ITEM_FIELDS, "updated_at"])
        change = "status_changed" if before[2] != after[2] else ("commented" if before == after else "item_updated")
        _changed(locked, user, change, {"from": before[2], "to": locked.status, "due_date": locked.due_date}, comment)
    return True


def _agency_state(item: PlanItem) -> tuple:
    """The fields item_update writes, by their column values (the owner's id, so no user is loaded)."""
    return tuple(getattr(item, PlanItem._meta.get_field(name).attname) for name in ITEM_FIELDS)


def _web_link(url: str) -> None:
    """The form checks the link too; the service checks again, as every caller's link becomes an href on the page."""
    try:
        WEB_LINK(url)
    except ValidationError as exc:
        raise ValidationError({"url": str(LINK_MESSAGE)}) from exc


def evidence_add(*, item: PlanItem, user, upload=None, url: str = "") -> Evidence:
    """A checked file (stored under evidence/<agency>/<assessment>/) or a link. Nothing is stored when the
    file is refused; a file stored for a transaction that then fails is removed again."""
    checked = evidence_files.check_upload(upload) if upload is not None else None
    if checked is None and not url:
        raise ValidationError({"file": _("Velg en fil eller skriv inn en lenke.")})
    if checked is None:
        _web_link(url)
    stored = ""
    try:
        with transaction.atomic():
            locked = _lock_item(item, user)
            assessment = locked.assessment
            evidence = Evidence(item=locked, added_by=user, url=url if checked is None else "")
            if checked is not None:
                name = evidence_files.storage_name(assessment.agency.slug, assessment.uuid, checked)
                stored = evidence_files.store(name, checked.data)
                evidence.file_name, evidence.storage_name = checked.name, stored
                evidence.content_type, evidence.size, evidence.sha256 = (
                    checked.content_type,
                    len(checked.data),
                    checked.sha256,
                )
                evidence.scan_status = Evidence.Scan.PENDING
            evidence.save()
            details = {"evidence": str(evidence.uuid), "sha256": evidence.sha256, "file_name": evidence.file_name}
            _changed(locked, user, "evidence_added", {**details, "url": evidence.url})
            if stored:
                evidence_scan.scan_on_commit(evidence)
    except Exception:
        if stored:
            evidence_files.default_storage.delete(stored)
        raise
    return evidence


def evidence_remove(*, evidence: Evidence, user) -> Evidence:
    """Marked removed, kept with its file: history and sealed status reports still name it."""
    with transaction.atomic():
        locked = _lock_item(evidence.item, user)
        updated = Evidence.objects.filter(pk=evidence.pk, removed_at__isnull=True).update(
            removed_at=timezone.now(), removed_by=user
        )
        if updated:
            _changed(locked, user, "evidence_removed", {"evidence": str(evidence.uuid), "sha256": evidence.sha256})
    evidence.refresh_from_db()
    return evidence
