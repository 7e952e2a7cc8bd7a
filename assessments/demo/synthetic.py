"""Synthetic assessments at scale, for `seed_demo --assessments N` and the benchmarks in bench/.

N assessments across 60 agencies, in every state, with submitted versions whose stored results are
real results of real (generated) answers. Where an answer set says the tool is from the tool overview, it
names one of the overview's current entries and carries that entry's facts, as picking it in the wizard does,
so the overview and the register by tool have tools to count. Nothing goes through the services one by one and no report
PDF is made: rows are written in bulk (COPY on PostgreSQL, bulk.py), so 100,000 take minutes. Scoring is done once
for a pool of answer sets which the assessments then share.
"""

import json
import random
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from assessments.audit import chain as audit
from assessments.audit import key as audit_key
from assessments.demo import bulk
from assessments.engine.catalogue import CHOICE_KEY, LISTED, NOT_LISTED, apply_choice
from assessments.engine.loader import as_definition, questions
from assessments.engine.scoring import score
from assessments.engine.visibility import visible_answers
from assessments.models import Agency, Assessment, AssessmentVersion, AuditEvent, AuditHead, Questionnaire
from assessments.queries.catalogue import current_versions

SYNTHETIC_PREFIX = "Syntetisk vurdering"
SYNTHETIC_AGENCY_PREFIX = "Syntetisk virksomhet"
AGENCY_COUNT = 60
POOL_SIZE = 48
BATCH = 1000

# Share of each final state; drafts have no version.
STATUS_WEIGHTS = [
    (Assessment.Status.DRAFT, 12),
    (Assessment.Status.SUBMITTED, 25),
    (Assessment.Status.RETURNED, 8),
    (Assessment.Status.APPROVED, 38),
    (Assessment.Status.REJECTED, 10),
    (Assessment.Status.SUPERSEDED, 5),
    (Assessment.Status.WITHDRAWN, 2),
]

USES = [
    "Copilot i Word",
    "Chatbot for renovasjon",
    "Oversettelse av brev",
    "Sortering av e-post",
    "Talegjenkjenning i møter",
    "Prognose for barnehageplasser",
    "Oppsummering av saksdokumenter",
    "Bildegjenkjenning av skader på vei",
    "Rangering av søknader",
    "Kodeassistent",
]


def _pick(rng: random.Random, weighted: list[tuple[object, int]]):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def synthetic_answers(defn, rng: random.Random, *, risky: float = 0.1, shown_only: bool = True) -> dict:
    """A complete, valid set of answers, mostly harmless, sometimes not (`risky` tunes how often).

    Every question gets an answer; `visible_answers` then drops those that branching hides, so the
    result is what the wizard would have stored (`shown_only=False` keeps them all)."""
    answers: dict = {}
    for q in questions(defn):
        key, values = q.key, list(q.values)
        if q.type == "text":
            limit = q.max_length or 5000
            answers[key] = f"Syntetisk svar på {key}"[:limit]
        elif q.type == "scale":
            answers[key] = rng.choice(values)
        elif q.type == "multi":
            if "none" in values:
                others = [v for v in values if v != "none"]
                answers[key] = [rng.choice(others)] if rng.random() < risky else ["none"]
            elif q.min_items or q.required:
                answers[key] = sorted(rng.sample(values, rng.randint(1, min(2, len(values)))), key=values.index)
            else:
                answers[key] = [v for v in values if rng.random() < 0.3]
        elif key.startswith("p_") or key in ("hr_product", "gen_sensitive_input"):
            # Prohibited practices and the other stop triggers are rare.
            answers[key] = "no" if rng.random() > risky / 16 else rng.choice([v for v in values if v != "no"])
        elif key == "mandate":
            answers[key] = "yes" if rng.random() > risky else "unknown"
        elif key == "sec_classification":
            answers[key] = _pick(rng, [("open", 30), ("internal", 45), ("confidential", 23), ("classified", 2)])
        elif set(values) == {"yes", "no"}:
            answers[key] = "yes" if rng.random() < 0.65 else "no"
        elif set(values) == {"yes", "no", "unknown"}:
            answers[key] = _pick(rng, [("no", 70), ("yes", 22), ("unknown", 8)])
        else:
            answers[key] = rng.choice(values)
    return visible_answers(defn, answers) if shown_only else answers


def _answer_pool(questionnaire: Questionnaire, rng: random.Random) -> list[tuple[dict, dict]]:
    defn = as_definition(questionnaire.definition)
    tools = [version.as_entry() for version in current_versions()]
    pool = []
    for i in range(POOL_SIZE):
        answers = synthetic_answers(defn, rng, risky=0.05 + 0.5 * (i % 4) / 3, shown_only=False)
        if answers.get(CHOICE_KEY) == LISTED and tools:
            answers = apply_choice(defn, answers, tools[i % len(tools)])
        elif answers.get(CHOICE_KEY) == LISTED:  # an empty overview: the leader answers its questions as usual
            answers[CHOICE_KEY] = NOT_LISTED
        answers = visible_answers(defn, answers)
        pool.append((answers, score(defn, answers).to_dict()))
    return pool


def _agencies(rng: random.Random) -> list[Agency]:
    """The real agencies first, topped up with synthetic ones to 60."""
    agencies = list(Agency.objects.order_by("pk")[:AGENCY_COUNT])
    missing = AGENCY_COUNT - len(agencies)
    if missing > 0:
        taken = set(Agency.objects.filter(name__startswith=SYNTHETIC_AGENCY_PREFIX).values_list("name", flat=True))
        new = []
        number = 1
        while len(new) < missing:
            name = f"{SYNTHETIC_AGENCY_PREFIX} {number:02d}"
            if name not in taken:
                new.append(Agency(name=name, kind=Agency.Kind.OTHER, slug=f"syntetisk-virksomhet-{number:02d}"))
            number += 1
        Agency.objects.bulk_create(new)
        agencies = list(Agency.objects.order_by("pk")[:AGENCY_COUNT])
    return agencies


@contextmanager
def _serialised_once(shared: list):
    """Thousands of rows share the pool's few answer sets and results (15 kB of JSON each): serialise
    each of those once, not once per row, which is most of the time a bulk insert takes otherwise. The
    backend's own adapter makes the first one, so the stored value is exactly what it would store."""
    ops = connection.ops
    original = ops.adapt_json_value
    shared_ids = {id(value) for value in shared}
    memo: dict = {}

    def adapt(value, encoder):
        if id(value) not in shared_ids:
            return original(value, encoder)
        if id(value) not in memo:
            adapted = original(value, encoder)
            if isinstance(adapted, str):  # SQLite and others: the JSON text itself
                memo[id(value)] = adapted
            else:  # psycopg's Jsonb wrapper: keep it, with the text made once
                text = (adapted.dumps or json.dumps)(value)
                memo[id(value)] = type(adapted)(value, dumps=lambda _value, text=text: text)
        return memo[id(value)]

    ops.adapt_json_value = adapt
    try:
        yield
    finally:
        del ops.adapt_json_value  # back to the class's method


@contextmanager
def _explicit_timestamps():
    """auto_now(_add) fields overwrite the values given to bulk_create; let them through while seeding, so
    ages are spread over the past without a second write to every row."""
    fields = [
        Assessment._meta.get_field("created_at"),
        Assessment._meta.get_field("updated_at"),
        AssessmentVersion._meta.get_field("submitted_at"),
    ]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def seed_bulk_assessments(n: int, *, seed: int = 2026) -> dict:
    """Top the synthetic assessments up to `n` (running it twice does not double them)."""
    questionnaire = Questionnaire.latest()
    if questionnaire is None:
        raise RuntimeError("No questionnaire is published: run seed_demo without --assessments first.")
    existing = Assessment.objects.filter(title__startswith=SYNTHETIC_PREFIX).count()
    to_make = max(0, n - existing)
    if not to_make:
        return {"created": 0, "total": existing}
    rng = random.Random(seed + existing)  # nosec B311 - demo data, not security
    pool = _answer_pool(questionnaire, rng)
    shared = [value for answers_and_result in pool for value in answers_and_result]
    with transaction.atomic(), _serialised_once(shared):
        bulk.fast_compression()
        agencies = _agencies(rng)
        plans = _plans(rng, pool, existing, to_make)
        # Ages in days, with a few minutes between assessments so the order by age is a stable one.
        now = timezone.now()
        created = [now - timedelta(days=plan[3] + 3, minutes=i % 1000) for i, plan in enumerate(plans)]
        made = _insert_assessments(plans, agencies, existing, questionnaire, created, shared)
        versions = _versions(rng, made, plans, questionnaire, created)
        _write(AssessmentVersion, versions, shared)
        events = _audit_trail(made, versions)
        audit.record(None, "demo.bulk_seeded", details={"assessments": to_make, "versions": len(versions)})
    return {"created": to_make, "versions": len(versions), "events": events, "total": existing + to_make}


def _write(model, objects: list, shared: list | None = None) -> None:
    """Insert the rows: by COPY with reserved ids on PostgreSQL (bulk.py), by bulk_create elsewhere."""
    ids = bulk.reserve_ids(model, len(objects))
    if ids is not None:
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
    with _explicit_timestamps():
        bulk.insert(model, objects, shared)
    if objects and objects[0].pk is None:  # a backend that does not return ids from bulk inserts
        raise RuntimeError("bulk insert returned no ids")


def _plans(rng: random.Random, pool: list, existing: int, to_make: int) -> list[tuple]:
    """(status, answers, result, age in days, title, review-by) for each assessment to make."""
    not_stopped = [item for item in pool if item[1]["verdict"] != "stop"]
    today = timezone.localdate()
    plans = []
    for i in range(to_make):
        status = _pick(rng, STATUS_WEIGHTS)
        answers, result = rng.choice(not_stopped if status in ("approved", "superseded") else pool)
        age = rng.randint(0, 400)
        title = f"{SYNTHETIC_PREFIX} {existing + i + 1:05d}: {rng.choice(USES)}"
        review_by = None
        if status == "approved":
            months = 6 if result["risk"]["axis"] == "high" else 12
            review_by = today - timedelta(days=age) + timedelta(days=30 * months)
        plans.append((status, answers, result, age, title, review_by))
    return plans


def _insert_assessments(plans, agencies, existing: int, questionnaire, created, shared) -> list[Assessment]:
    made = [
        Assessment(
            uuid=uuid.uuid4(),
            agency=agencies[(existing + i) % len(agencies)],
            questionnaire=questionnaire,
            title=title,
            status=status,
            answers=answers,
            review_by=review_by,
            created_at=created[i],
            updated_at=created[i],
        )
        for i, (status, answers, _result, _age, title, review_by) in enumerate(plans)
    ]
    _write(Assessment, made, shared)
    return made


_FINAL_DECISION = {"approved": "approved", "superseded": "approved", "rejected": "rejected", "returned": "returned"}


def _versions(rng: random.Random, made, plans, questionnaire, created) -> list[AssessmentVersion]:
    versions = []
    for i, (assessment, plan) in enumerate(zip(made, plans, strict=True)):
        status, answers, result, _age, _title, _review_by = plan
        if status == "draft":
            continue
        numbers = 2 if status == "submitted" and rng.random() < 0.3 else 1
        for number in range(1, numbers + 1):
            decision = _FINAL_DECISION.get(status, "") if number == numbers else "returned"
            versions.append(
                AssessmentVersion(
                    assessment=assessment,
                    number=number,
                    questionnaire=questionnaire,
                    answers=answers,
                    result=result,
                    verdict=result["verdict"],
                    quadrant=result["quadrant"],
                    decision=decision,
                    decision_reason="Syntetisk begrunnelse." if decision in ("returned", "rejected") else "",
                    submitted_at=created[i] + timedelta(days=number),
                    decided_at=created[i] + timedelta(days=number + 1) if decision else None,
                )
            )
    return versions


def _audit_trail(assessments: list[Assessment], versions: list[AssessmentVersion]) -> int:
    """What the services would have logged (created, submitted, decided), in time order, chained onto
    the log like audit.record does, but hashed here and written in batches: the audit log then has the
    size it would have at this many assessments."""
    entries = [(a.created_at, "assessment.created", a.uuid, a.agency_id, {}) for a in assessments]
    for v in versions:
        a = v.assessment
        entries.append((v.submitted_at, "assessment.submitted", a.uuid, a.agency_id, {"version": v.number}))
        if v.decision:
            entries.append((v.decided_at, f"assessment.{v.decision}", a.uuid, a.agency_id, {"version": v.number}))
    entries.sort(key=lambda entry: entry[0])
    head, _created = AuditHead.objects.get_or_create(pk=1)
    head = AuditHead.objects.select_for_update().get(pk=head.pk)
    prev = head.last_hash
    events = []
    for created_at, action, uuid_, agency_id, details in entries:
        event = AuditEvent(
            action=action,
            object_type="assessment",
            object_id=str(uuid_),
            agency_id=agency_id,
            created_at=created_at,
            details=details,
            prev_hash=prev,
            key_id=audit_key.key_id(),
        )
        event.hash = prev = audit.compute_hash(event)
        events.append(event)
    _write(AuditEvent, events)
    if events:
        # The head may only move to the newest event (a PostgreSQL trigger checks it): name that event.
        newest = events[-1].pk or AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        AuditHead.objects.filter(pk=head.pk).update(
            count=head.count + len(events), last_hash=prev, last_event_id=newest
        )
    return len(events)
