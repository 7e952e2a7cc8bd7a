"""The assessment's lifecycle as a table: its statuses, the transitions between them and who makes each.

    draft ──submit──▶ submitted ──approve──▶ approved ──(its replacement approved)──▶ superseded
      ▲                 │  │  └───reject───▶ rejected
      └──recall─────────┘  └───return───▶ returned ──submit──▶ submitted
    draft, returned, submitted ──withdraw──▶ withdrawn

The services ask `check()` before they change a status, and raise `StateConflict` (the one exception for
"not in the state this action needs"), which the views answer with 409 in one place
(`permissions.conflict_is_409`). Who may act is checked by the permission layer, not here: the services call
`permissions.authorize` with "lead" for the leader's transitions and "review" for the reviewer's. `actor` records
that role beside the transition for the reader; docs/lifecycle.md's "who" column says the same in words.

A reviewer's decision on a version is stored as `AssessmentVersion.Decision`; the status it leads to is
`DECISION_STATUS[decision]` (the two share values today, but a decision is not a status). Their codes and
labels are in `choices.py`, with every other code the models store.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from assessments.choices import AssessmentStatus as Status
from assessments.choices import ReviewDecision as Decision

# The verdict of a hard rule: an assessment with it can be returned or rejected, never approved.
STOP_VERDICT = "stop"

OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
DECIDED_STATUSES = (Status.APPROVED, Status.REJECTED, Status.SUPERSEDED)


class Actor:
    LEADER = "leader"  # the agency's leader (a contributor only edits the draft)
    REVIEWER = "reviewer"  # an UKE reviewer without a conflict of interest
    SYSTEM = "system"  # a consequence of another transition, never asked for directly


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: the action needs the state but keeps it (a new assessment is made instead)
    actor: str
    refusal: object  # a lazy message, with %(status)s for the current status' label


class StateConflict(Exception):
    """The assessment is not (any longer) in the state the action needs: nothing was changed.

    `str()` is the message for the user, in the active language; `assessment` is the row as it is now.
    """

    def __init__(self, message, assessment=None):
        self.assessment = assessment
        super().__init__(str(message))


NOT_EDITABLE = gettext_lazy("Vurderingen er ikke et utkast og kan ikke endres.")
NOT_SUBMITTABLE = gettext_lazy("Bare utkast og returnerte vurderinger kan sendes inn.")
NOT_RECALLABLE = gettext_lazy("Bare innsendte vurderinger som ikke er behandlet, kan hentes tilbake.")
NOT_WITHDRAWABLE = gettext_lazy("Vurderingen er allerede avgjort eller trukket, og kan ikke trekkes.")
NOT_UNDER_REVIEW = gettext_lazy("Vurderingen har status «%(status)s» og kan ikke behandles nå. Ingenting ble endret.")
NOT_APPROVED = gettext_lazy("Bare en godkjent vurdering kan meldes endret; denne har status «%(status)s».")
NOT_USABLE = gettext_lazy("Bare en godkjent vurdering kan tas i bruk.")

# name: (from these statuses, to this status or None when the status stays, who, the refusal)
_TRANSITIONS = [
    Transition("save", EDITABLE_STATUSES, None, Actor.LEADER, NOT_EDITABLE),
    Transition("submit", EDITABLE_STATUSES, Status.SUBMITTED, Actor.LEADER, NOT_SUBMITTABLE),
    Transition("recall", (Status.SUBMITTED,), Status.DRAFT, Actor.LEADER, NOT_RECALLABLE),
    Transition("withdraw", OPEN_STATUSES, Status.WITHDRAWN, Actor.LEADER, NOT_WITHDRAWABLE),
    Transition("report_material_change", (Status.APPROVED,), None, Actor.LEADER, NOT_APPROVED),
    Transition("record_in_use", (Status.APPROVED,), None, Actor.LEADER, NOT_USABLE),
    Transition("comment", (Status.SUBMITTED,), None, Actor.REVIEWER, NOT_UNDER_REVIEW),
    Transition("return", (Status.SUBMITTED,), Status.RETURNED, Actor.REVIEWER, NOT_UNDER_REVIEW),
    Transition("approve", (Status.SUBMITTED,), Status.APPROVED, Actor.REVIEWER, NOT_UNDER_REVIEW),
    Transition("reject", (Status.SUBMITTED,), Status.REJECTED, Actor.REVIEWER, NOT_UNDER_REVIEW),
    Transition("supersede", (Status.APPROVED,), Status.SUPERSEDED, Actor.SYSTEM, NOT_UNDER_REVIEW),
]
TRANSITIONS = {transition.name: transition for transition in _TRANSITIONS}

DECISION_STATUS = {
    Decision.RETURNED: Status.RETURNED,
    Decision.APPROVED: Status.APPROVED,
    Decision.REJECTED: Status.REJECTED,
}
DECISION_TRANSITION = {Decision.RETURNED: "return", Decision.APPROVED: "approve", Decision.REJECTED: "reject"}


def allowed(name: str, status: str) -> bool:
    return status in TRANSITIONS[name].sources


def check(name: str, assessment) -> Transition:
    """The transition `name` if the assessment's status allows it; StateConflict otherwise."""
    transition = TRANSITIONS[name]
    if assessment.status not in transition.sources:
        label = Status(assessment.status).label if assessment.status in Status.values else assessment.status
        raise StateConflict(str(transition.refusal) % {"status": label}, assessment)
    return transition
