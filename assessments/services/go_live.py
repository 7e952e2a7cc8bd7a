"""Going live ("tatt i bruk"): the leader records the day an approved solution was taken into use, once UKE's
before-use conditions are done, and corrects it when it was recorded wrongly. The day lies between the approval
(and the day the last before-use condition was done) and today; the audit log keeps every recorded and corrected
day with the reason."""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import lifecycle
from assessments.audit import chain as audit
from assessments.lifecycle import StateConflict
from assessments.models import Assessment
from assessments.models.plans import PlanItem, PlanItemHistory
from assessments.permissions import authorize
from assessments.presentation.display import format_date, localized
from assessments.services.locking import lock


def blocking_items(assessment: Assessment) -> list[PlanItem]:
    """The before-use items not yet done (`PlanItem.blocks_go_live`)."""
    return [item for item in assessment.plan_items.filter(before_use=True) if item.blocks_go_live]


def undocumented_items(assessment: Assessment) -> list[PlanItem]:
    """The before-use items marked done without a record (`PlanItem.documented`): done before UKE made them a
    condition, or whose only file was removed or held back by the virus scan since."""
    done = assessment.plan_items.filter(before_use=True, required=True, status=PlanItem.Status.DONE)
    return [item for item in done if not item.documented]


def approved_on(assessment: Assessment) -> dt.date | None:
    """The day (in Oslo) the version that approved the assessment was decided; None when none has."""
    version = assessment.approved_version()
    return timezone.localdate(version.decided_at) if version and version.decided_at else None


def record_in_use(*, assessment: Assessment, user, since: dt.date) -> Assessment:
    """The leader records "tatt i bruk": only on an approved assessment whose before-use items are done, on a
    day from the approval until today (a wrong day is corrected with `correct_in_use`)."""
    authorize(user, assessment, "lead")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        lifecycle.check("record_in_use", locked)
        if locked.in_use_since:
            raise StateConflict(_("Det er allerede registrert at løsningen er tatt i bruk."), locked)
        _check_go_live(locked, since)
        Assessment.objects.filter(pk=locked.pk).update(in_use_since=since, updated_at=timezone.now())
        audit.record(user, "plan.in_use_recorded", locked, locked.agency_id, {"since": since.isoformat()})
    assessment.refresh_from_db()
    return assessment


def correct_in_use(*, assessment: Assessment, user, since: dt.date, reason: str, shown: dt.date) -> Assessment:
    """The leader corrects a go-live day recorded wrongly, within the same bounds and with a reason; the audit log
    keeps the day it replaces. `shown` is the day the leader's page showed: a colleague's correction made since
    is not overwritten unseen (refused as a form error, not a conflict page, so the typed reason stays). Status
    reports already sealed keep the day they were made with."""
    authorize(user, assessment, "lead")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        lifecycle.check("record_in_use", locked)
        recorded = locked.in_use_since
        if not recorded:
            raise StateConflict(
                _("Det er ikke registrert at løsningen er tatt i bruk, så det er ingen dato å rette."), locked
            )
        if recorded != shown:
            # Shown on the form (the reason typed stays on screen); a reload gives the form the new day.
            message = _(
                "Datoen er endret av noen andre siden du åpnet siden: den er nå %(date)s. Last inn siden på nytt "
                "før du retter den. Ingenting ble endret."
            )
            raise ValidationError(message % {"date": format_date(recorded)}, code="stale")
        if since == recorded:
            raise ValidationError({"since": _("Dette er datoen som allerede er registrert.")})
        _check_go_live_day(locked, since)
        Assessment.objects.filter(pk=locked.pk).update(in_use_since=since, updated_at=timezone.now())
        details = {"since": since.isoformat(), "previous_since": recorded.isoformat(), "reason": reason}
        audit.record(user, "plan.in_use_corrected", locked, locked.agency_id, details)
    assessment.refresh_from_db()
    return assessment


def _check_go_live(assessment: Assessment, since: dt.date) -> None:
    """Every reason to refuse a go-live at once, so the leader does not fix one only to meet the other: UKE's
    before-use conditions still open or done without a record (for the whole form) and a day out of bounds (for
    the date field)."""
    errors = {}
    blocking = blocking_items(assessment)
    if blocking:
        message = _("Disse tiltakene må være ferdige før løsningen tas i bruk: %(items)s.")
        items = "; ".join(localized(item, "title") for item in blocking)
        errors[NON_FIELD_ERRORS] = [ValidationError(message % {"items": items}, code="before_use_open")]
    undocumented = undocumented_items(assessment)
    if undocumented:
        message = _(
            "Disse vilkårene fra UKE er satt til ferdig, men mangler dokumentasjon: %(items)s. Legg ved en fil eller "
            "lenke, eller skriv en kommentar om hva som er gjort."
        )
        items = "; ".join(localized(item, "title") for item in undocumented)
        error = ValidationError(message % {"items": items}, code="before_use_undocumented")
        errors.setdefault(NON_FIELD_ERRORS, []).append(error)
    try:
        _check_go_live_day(assessment, since)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)


def _check_go_live_day(assessment: Assessment, since: dt.date) -> None:
    """A solution is taken into use on a day from its approval until today; refused with the field's name."""
    if since > timezone.localdate():
        raise ValidationError({"since": _("Datoen kan ikke være fram i tid.")})
    approved = approved_on(assessment)
    if approved and since < approved:
        message = _("Datoen kan ikke være før vurderingen ble godkjent (%(date)s). Velg en dato fra og med den.")
        raise ValidationError({"since": message % {"date": format_date(approved)}})
    met = conditions_met_on(assessment)
    if met and since < met:
        message = _(
            "Datoen kan ikke være før det siste tiltaket UKE krevde før bruk, ble ferdig (%(date)s). "
            "Velg en dato fra og med den."
        )
        raise ValidationError({"since": message % {"date": format_date(met)}})


def conditions_met_on(assessment: Assessment) -> dt.date | None:
    """The day the last of UKE's before-use conditions was marked done (None without any): a solution cannot have
    gone live before them. Read from the items' history, where each change of status is a row (a status set by the
    agency, or taken over from a separate item for the same task)."""
    last = PlanItemHistory.objects.filter(
        item__assessment=assessment, item__before_use=True, item__required=True,
        change__in=("status_changed", "item_merged"), state__status=PlanItem.Status.DONE,
    ).aggregate(last=Max("at"))["last"]  # fmt: skip
    return timezone.localdate(last) if last else None
