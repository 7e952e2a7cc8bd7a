"""Writes for the tool overview (Verktøyoversikten): entries and their versions, flags, API tokens.

Every change to an entry is a new immutable `ToolEntryVersion` with an audit event. A change that makes the entry
stricter (approval withdrawn, agreement gone, a lower class, ...) flags every approved or submitted assessment
answered with an earlier version of it as a material change: a `CatalogueFlag`, an e-mail to its leaders through
the outbox, and an audit event, all in the change's transaction.

The wizard side: `step_values` is the one hook `assessment_save_step` calls. It turns the step-1 choice into the
catalogue's answers (engine.catalogue.apply_choice) and keeps locked answers as the entry says on every step.
"""

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessments.audit import chain as audit
from assessments.engine.catalogue import (
    CHOICE_KEY,
    DEVIATION_KEY,
    LISTED,
    apply_choice,
    catalogue_answers,
    catalogue_questions,
    locked_keys,
)
from assessments.engine.definition import Definition
from assessments.labels import CATALOGUE_REASONS, labelled
from assessments.models import Assessment
from assessments.models.catalogue import (
    CLASS_ORDER,
    VERSION_FIELDS,
    ApiToken,
    CatalogueFlag,
    ToolEntry,
    ToolEntryVersion,
    ToolStatus,
    hash_token,
)
from assessments.notifications import messages as notifications
from assessments.permissions import may_edit_catalogue, roles_for
from assessments.queries.catalogue import FLAGGED_STATUSES, REF_KEY, entry_number, newer_version, resolve_ref
from assessments.services import catalogue_flags
from assessments.services.locking import lock
from assessments.text import whole_number

USABLE = (ToolStatus.APPROVED, ToolStatus.UNDER_ASSESSMENT)
SAFER_HOSTING = ("municipal_platform", "cloud_eea")


def _require_editor(user) -> None:
    if user is not None and not may_edit_catalogue(roles_for(user)):
        raise PermissionDenied(_("Bare UKE og administratorer kan endre verktøyoversikten."))


# --- Entries and versions ----------------------------------------------------------------------------


def tool_create(*, slug: str, data: dict[str, Any], actor, is_demo: bool = False) -> ToolEntryVersion:
    """A new entry with its first version."""
    _require_editor(actor)
    with transaction.atomic():
        # «Kommunechat» beside «kommunechat» would be two entries that read as one (entries made before the form
        # refused capitals may have them).
        if ToolEntry.objects.filter(slug__iexact=slug).exists():
            raise ValidationError({"slug": _("Kjennetegnet er allerede i bruk.")}, code="unique")
        entry = ToolEntry.objects.create(slug=slug, is_demo=is_demo)
        version = ToolEntryVersion(entry=entry, number=1, created_by=_user(actor), **_fields(data))
        version.full_clean(exclude=["created_by"])
        version.save()
        audit.record(actor, "catalogue.created", entry, None, {"ref": version.ref, "status": version.status})
    return version


class ChangedMeanwhile(Exception):
    """The entry got a newer version after the editor opened the form: saving would silently undo that change."""

    def __init__(self, seen: ToolEntryVersion | None, current: ToolEntryVersion):
        super().__init__(f"{current.ref} replaced the version the form showed")
        self.seen, self.current = seen, current


def tool_change(
    *, entry: ToolEntry, data: dict[str, Any], actor, change_note: str = "", seen_number: int | None = None
) -> ToolEntryVersion:
    """A new version of `entry` with `data` changed; flags assessments when the entry got stricter. `seen_number`
    is the version the editor's form showed: a newer one raises ChangedMeanwhile (the import passes None)."""
    _require_editor(actor)
    with transaction.atomic():
        locked = lock(ToolEntry, entry.pk)
        previous = locked.current()
        if seen_number is not None and previous.number != seen_number:
            raise ChangedMeanwhile(locked.versions.filter(number=seen_number).first(), previous)
        values = {name: getattr(previous, name) for name in VERSION_FIELDS}
        values.update(_fields(data))
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ToolEntryVersion(
            entry=locked, number=number, created_by=_user(actor), change_note=change_note[:500], **values
        )
        version.full_clean(exclude=["created_by"])
        version.save()
        reasons = stricter_reasons(previous, version)
        audit.record(
            actor,
            "catalogue.changed",
            locked,
            None,
            {"ref": version.ref, "from": previous.ref, "reasons": reasons, "note": change_note[:500]},
        )
        if reasons:
            flag_users(version, reasons, actor)
        catalogue_flags.tell_drafts(version, actor)
    return version


def tool_import(*, creates: list, changes: list, actor, source: dict) -> dict:
    """Entries from UKE's own overview (forms/catalogue_import.validate made `creates` and `changes`, lists of
    (slug, data)): each a new entry or a new version through tool_create/tool_change, all or none."""
    _require_editor(actor)
    note = _("Importert fra «%(name)s».") % {"name": source.get("name", "")[:200]}
    with transaction.atomic():
        made = [tool_create(slug=slug, data=data, actor=actor).ref for slug, data in creates]
        for slug, data in changes:
            entry = ToolEntry.objects.get(slug=slug)
            made.append(tool_change(entry=entry, data=data, actor=actor, change_note=note).ref)
        audit.record(actor, "catalogue.imported", None, None,
                     {**source, "created": len(creates), "changed": len(changes), "refs": made})  # fmt: skip
    return {"created": len(creates), "changed": len(changes)}


NOT_APPROVED = _lazy("Verktøyet er ikke godkjent, så det er ingen godkjenning å trekke tilbake.")


def tool_withdraw(*, entry: ToolEntry, actor, note: str = "") -> ToolEntryVersion:
    """Withdraw the approval of an approved tool; refused (ValidationError) for any other status, checked under the
    entry's lock, so a second submit from another tab makes no second withdrawn version."""
    data = {"status": ToolStatus.WITHDRAWN, "status_since": timezone.localdate()}
    with transaction.atomic():
        if lock(ToolEntry, entry.pk).current().status != ToolStatus.APPROVED:
            raise ValidationError(NOT_APPROVED, code="not_approved")
        return tool_change(
            entry=entry, data=data, actor=actor, change_note=note or _("Godkjenningen er trukket tilbake.")
        )


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in VERSION_FIELDS}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def stricter_reasons(old: ToolEntryVersion, new: ToolEntryVersion) -> list[str]:
    """What makes `new` stricter than `old` for someone who uses the tool (codes of labels.CATALOGUE_REASONS)."""
    reasons = []
    if old.status in USABLE and new.status not in USABLE:
        reasons.append("status")
    elif old.status == ToolStatus.APPROVED and new.status != ToolStatus.APPROVED:
        reasons.append("status")
    if CLASS_ORDER.index(new.max_class) < CLASS_ORDER.index(old.max_class):
        reasons.append("class")
    if old.personal_data_allowed and not new.personal_data_allowed:
        reasons.append("personal_data")
    if old.special_categories_allowed and not new.special_categories_allowed:
        reasons.append("special_categories")
    if old.dpa and not new.dpa:
        reasons.append("dpa")
    if old.vendor_trains_on_inputs is False and new.vendor_trains_on_inputs is not False:
        reasons.append("training")
    if old.hosting in SAFER_HOSTING and new.hosting not in SAFER_HOSTING:
        reasons.append("hosting")
    return reasons


def flag_users(version: ToolEntryVersion, reasons: list[str], actor) -> list[CatalogueFlag]:
    """Flag every approved or submitted assessment answered with an earlier version of the entry (in the caller's
    transaction): a flag, the leaders told through the outbox, an audit event."""
    slug = version.entry.slug
    candidates = (
        Assessment.objects.filter(status__in=FLAGGED_STATUSES, versions__answers__cat_ref__startswith=f"{slug}@")
        .select_related("agency")
        .distinct()
        .order_by("pk")
    )
    flags = []
    for assessment in candidates:
        used = (assessment.latest_version().answers or {}).get(REF_KEY)
        number = entry_number(used, slug)
        if number is None or number >= version.number:
            continue
        flag, created = CatalogueFlag.objects.get_or_create(
            assessment=assessment, new_version=version, defaults={"used_ref": used, "reasons": reasons}
        )
        if not created:
            continue
        flags.append(flag)
        event = f"catalogue_changed:{assessment.uuid}:{version.ref}"
        extra = {"tool": version, "used_ref": used, "reason_names": labelled(CATALOGUE_REASONS, reasons)}
        queued = notifications.queue_event("catalogue_changed", assessment, event, extra)
        audit.record(
            actor,
            "assessment.catalogue_flagged",
            assessment,
            assessment.agency_id,
            {"used": used, "ref": version.ref, "reasons": reasons, "recipients": queued},
        )
    return flags


def expire_due(today: dt.date | None = None) -> dict[str, int]:
    """The daily check: an approval or data processing agreement whose end date has passed gets a new version
    (approval withdrawn, agreement gone), which flags the assessments that use it. Running twice changes nothing."""
    today = today or timezone.localdate()
    summary = {"approvals": 0, "agreements": 0}
    for entry in ToolEntry.objects.order_by("pk"):
        current = entry.current()
        if current is None:
            continue
        data: dict[str, Any] = {}
        notes = []
        if current.status == ToolStatus.APPROVED and current.approved_until and current.approved_until < today:
            data.update(status=ToolStatus.WITHDRAWN, status_since=today)
            notes.append(_("Godkjenningen gikk ut %(date)s.") % {"date": current.approved_until.isoformat()})
            summary["approvals"] += 1
        if current.dpa and current.dpa_valid_until and current.dpa_valid_until < today:
            data["dpa"] = False
            notes.append(_("Databehandleravtalen gikk ut %(date)s.") % {"date": current.dpa_valid_until.isoformat()})
            summary["agreements"] += 1
        if data:
            tool_change(entry=entry, data=data, actor=None, change_note=" ".join(notes))
    return summary


# --- The wizard: step 1 and locked answers -------------------------------------------------------------------


def locked_now(defn: Definition, answers: dict[str, Any]) -> set[str]:
    """Answers the chosen entry filled and the wizard locks (a field the entry leaves empty stays the leader's)."""
    return {k for k in locked_keys(defn, answers) if answers.get(k) not in (None, "")}


def refresh_values(defn: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers that bring a draft's tool facts up to the entry's current version (None removes one), or {}
    when the draft names no older version. The leader's deviation note is kept (services/catalogue_flags.py)."""
    current = newer_version(answers)
    if current is None:
        return {}
    after = apply_choice(defn, answers, current.as_entry())
    refreshed = {q.key: after.get(q.key) for q in catalogue_questions(defn)}
    return {k: v for k, v in refreshed.items() if v != answers.get(k)}


def step_values(defn: Definition, answers: dict[str, Any], new_values: dict[str, Any]) -> dict[str, Any]:
    """What a wizard step really saves. On the step with the tool choice, a chosen entry version fills its
    answers (on any step of the questionnaire); on every step, answers locked by the entry keep their value.

    A chosen `cat_ref` must be the newest version of an entry, or the version already stored: an old version
    with a wider approval cannot be picked by editing the form.
    """
    locked = locked_now(defn, answers)
    if CHOICE_KEY not in new_values:
        return {k: (answers.get(k) if k in locked else v) for k, v in new_values.items()}
    choice, ref = new_values.get(CHOICE_KEY), new_values.get(REF_KEY)
    if choice == LISTED and answers.get(CHOICE_KEY) == LISTED and ref == answers.get(REF_KEY):
        after, filled = dict(answers), locked  # the same entry version: its answers stay as they are
    elif choice == LISTED:
        version = resolve_ref(ref)
        if version is None or version.entry.current().pk != version.pk:
            raise ValidationError(_("Velg et verktøy fra verktøyoversikten."))
        after = apply_choice(defn, answers, version.as_entry())
        filled = set(catalogue_answers(defn, version.as_entry())[0])
    else:
        after, filled = apply_choice(defn, answers, None), set()
        if choice is None:
            after.pop(CHOICE_KEY, None)
    out = dict(new_values)
    for question in catalogue_questions(defn):
        key = question.key
        # What the chosen entry fills wins; a question on this step that it leaves to the leader keeps what the
        # leader answered, unless it was locked (that value was the previous entry's, and `after` cleared it).
        if key in filled or key not in new_values or key in locked:
            out[key] = after.get(key)
    out[CHOICE_KEY] = choice
    out[DEVIATION_KEY] = new_values.get(DEVIATION_KEY) if choice == LISTED else None
    return out


# --- Imported answers files -----------------------------------------------------------------------------


def _imported_version(ref: Any) -> tuple[ToolEntryVersion | None, str]:
    """The version an imported `cat_ref` names, or the problem with it in the user's language."""
    if not ref:
        return None, _("Filen sier at verktøyet er fra verktøyoversikten, men mangler hvilket (cat_ref).")
    slug, _sep, digits = str(ref).rpartition("@")
    number = whole_number(digits)
    if not slug or number is None:
        return None, _("«%(ref)s» er ikke en henvisning til verktøyoversikten (ventet kjennetegn@versjon).") % {
            "ref": ref
        }
    entry = ToolEntry.objects.filter(slug=slug).first()
    if entry is None:
        return None, _("Verktøyet «%(slug)s» finnes ikke i verktøyoversikten.") % {"slug": slug}
    version = entry.versions.select_related("entry").filter(number=number).first()
    if version is None:
        current = entry.current()
        return None, _("Versjon %(number)s av «%(name)s» finnes ikke i verktøyoversikten (nyeste er %(current)s).") % {
            "number": number,
            "name": current.name if current else slug,
            "current": current.ref if current else "–",
        }
    return version, ""


def imported_answers(defn: Definition, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """An imported answer set checked against the tool overview: `(answers, errors by key)`.

    A file that names a tool from the overview must name an entry version that exists, and every fact it holds
    that the entry fills must say what that version says (the wizard locks them; a file must not unlock them).
    Facts the file leaves out are filled from the version, as picking it in the wizard does. `score_answers`
    never reads the database and scores a file as it is; this check is the app's, at import.
    """
    if answers.get(CHOICE_KEY) != LISTED or REF_KEY not in defn.questions:
        return answers, {}
    version, problem = _imported_version(answers.get(REF_KEY))
    if version is None:
        return answers, {REF_KEY: problem}
    filled, _problems = catalogue_answers(defn, version.as_entry())
    errors = {}
    contradiction = _("Svaret «%(answer)s» stemmer ikke med %(ref)s i verktøyoversikten, som sier «%(value)s».")
    for key, value in filled.items():
        if key in answers and answers[key] != value:
            errors[key] = contradiction % {"answer": answers[key], "ref": version.ref, "value": value}
    if errors:
        return answers, errors
    return {**answers, **filled}, {}


# --- API tokens ------------------------------------------------------------------------------------------


def api_token_issue(*, name: str, actor) -> tuple[ApiToken, str]:
    """A new read-only token for the catalogue JSON; the plain token is returned once and never stored."""
    if not roles_for(actor).is_superuser:
        raise PermissionDenied
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(name=name[:200], token_hash=hash_token(raw), prefix=raw[:8], created_by=actor)
        audit.record(actor, "catalogue.token_issued", token, None, {"name": token.name, "prefix": token.prefix})
    return token, raw


def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    if not roles_for(actor).is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            audit.record(actor, "catalogue.token_revoked", token, None, {"name": token.name, "prefix": token.prefix})
    token.refresh_from_db()
    return token


def api_token_check(raw: str) -> ApiToken | None:
    """The live token whose hash matches `raw` (a bearer token from another system), or None."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
