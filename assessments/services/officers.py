"""Writes by the data protection officer and the security officer: advice on a submitted assessment.

Advice is a record beside the answers: it changes neither the answers nor the status, and it is never a
decision. The audit event holds ids only; the advice text stays in its own row.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.models import Assessment, OfficerAdvice
from assessments.permissions import authorize
from assessments.services.locking import lock
from assessments.services.review import required_text

ADVICE_MAX_LENGTH = 5000


def officer_advice_record(*, assessment: Assessment, user, role: str, text: str) -> OfficerAdvice:
    """Record one officer's advice on the newest submitted version of an assessment in their scope."""
    authorize(user, assessment, f"advise_{role}")
    text = required_text(text, field="text", limit=ADVICE_MAX_LENGTH, required_message=_("Skriv rådet ditt."))
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        version = locked.versions.order_by("-number").first()
        advice = OfficerAdvice.objects.create(assessment=locked, version=version, role=role, author=user, text=text)
        audit.record(
            user,
            "officer.advice_given",
            locked,
            locked.agency_id,
            {"role": role, "version": version.number, "advice_id": advice.pk},
        )
    return advice
