"""Demo data for `seed_demo`, kept out of the production modules. Everything is idempotent and made
through the same services users use (the synthetic assessments at scale excepted: see `synthetic`).

- this module: the agencies, the demo users and the published questionnaires, and `seed()` which runs
  every step below in order;
- `decided`: approved and rejected assessments with ready, signed reports;
- `drafts`: drafts and submitted assessments across agencies, filled step by step as in the wizard;
- `in_review`: one assessment returned with UKE's comments and one resubmitted with changes;
- `plans`: action plans of approved assessments in different states;
- `catalogue`: the tool overview's demo entries and two assessments that pick them;
- `synthetic`: thousands of generated assessments for `seed_demo --assessments N` and the benchmarks, written
  with `bulk` (PostgreSQL's COPY, `bulk_create` elsewhere).
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from assessments.demo.catalogue import seed_catalogue
from assessments.demo.decided import seed_reports as seed_decided
from assessments.demo.drafts import seed_demo_assessments
from assessments.demo.in_review import seed_review_demo
from assessments.demo.plans import seed_plans
from assessments.demo.synthetic import seed_bulk_assessments
from assessments.models import Agency, Membership, MunicipalRole
from assessments.services.questionnaires import publish_released as seed_questionnaires  # the demo's first step

# The documented demo password; seed_demo refuses to run without DEBUG or --force.
DEMO_PASSWORD = "kiv-demo-2026"  # noqa: S105  # nosec B105 - see the line above
FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# username -> (first name, last name, agency name or None, role)
DEMO_USERS = {
    "leder": ("Lene", "Leder", "Bydel Frogner", "leader"),
    "bidragsyter": ("Bjørn", "Bidragsyter", "Bydel Frogner", "contributor"),
    "leder.grorud": ("Gro", "Grorud", "Bydel Grorud", "leader"),
    "leder.renovasjon": ("Rune", "Renås", "Renovasjons- og gjenvinningsetaten", "leader"),
    "uke": ("Ulrik", "Kontrollør", None, "reviewer"),
    "revisor": ("Rita", "Revisor", None, "auditor"),
    "personvernombud": ("Petra", "Personvernombud", None, "dpo"),
    "sikkerhetsleder": ("Sigurd", "Sikkerhetsleder", None, "security_officer"),
    "admin": ("Ada", "Administrator", None, "superuser"),
}


def seed_agencies() -> int:
    data = yaml.safe_load((FIXTURES / "agencies.yaml").read_text(encoding="utf-8"))
    created = 0
    for kind, names in data.items():
        for name in names:
            _, was_created = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
            created += was_created
    return created


def seed_users() -> dict[str, object]:
    User = get_user_model()
    users = {}
    for username, (first, last, agency_name, role) in DEMO_USERS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.oslo.kommune.no"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        if role == "superuser":
            user.is_staff = user.is_superuser = True
        user.save()
        if agency_name:
            Membership.objects.get_or_create(
                user=user, agency=Agency.objects.get(name=agency_name), defaults={"role": role}
            )
        elif role in ("reviewer", "auditor", "dpo", "security_officer"):
            MunicipalRole.objects.get_or_create(user=user, role=role)
        users[username] = user
    return users


def seed_reports(users: dict) -> dict:
    """Approved and rejected demo assessments with ready, signed reports."""
    return seed_decided(users)


def seed_assessments(users: dict) -> dict:
    """Drafts and submitted assessments across agencies, made step by step as in the wizard."""
    return seed_demo_assessments(users)


def seed_review(users: dict) -> dict:
    """A returned assessment with UKE's comments and a resubmitted one with changes."""
    return seed_review_demo(users)


def seed_tools(users: dict) -> dict:
    """The tool overview's demo entries, and demo assessments that pick them."""
    return seed_catalogue(users)


# Each step is called with the demo users and returns a count.
DEMO_STEPS = [seed_reports, seed_assessments, seed_review, seed_plans, seed_tools]


def seed(bulk_assessments: int = 0) -> dict:
    with transaction.atomic():
        agencies = seed_agencies()
        users = seed_users()
        questionnaires = seed_questionnaires()
    summary = {"agencies_created": agencies, "users": sorted(users), "questionnaires_published": questionnaires}
    for step in DEMO_STEPS:
        summary[step.__name__] = step(users)
    if bulk_assessments:
        summary["bulk_assessments"] = seed_bulk_assessments(bulk_assessments)
    return summary
