"""The audit log as a person reads it: each event's details in words, per event type.

The log stores plain codes and ids (that is what is chained and exported). On the screen every detail is
named and its value labelled: which step, which questions by their labels, which decision, which role, whose
account. Details this module does not know are not dumped raw: the row says the CSV export has them.
Links lead only to assessments the reader may open.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, Case, OuterRef, Q, QuerySet, Subquery, UUIDField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Replace, Trim
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import labels
from assessments.engine.loader import as_definition
from assessments.models import Agency, AuditEvent, Questionnaire, Report
from assessments.permissions import visible_assessments
from assessments.presentation.display import format_date, localized, quoted_list
from assessments.services import MATERIAL_CHANGE_KINDS
from assessments.text import whole_number

logger = logging.getLogger(__name__)

SOURCES = {"new": gettext_lazy("Ny"), "import": gettext_lazy("Importert fra fil")}
# Details that only tie events together (ids the screen shows in other ways); the export keeps them.
# A plan item's id and key ("obligation:dpia") are internal too: the event's subject is the assessment.
HIDDEN = {"comment_id", "report", "assessment", "new_assessment", "replaces", "by_assessment", "sha256",
          "item", "key", "previous_key", "from_item", "from_key"}  # fmt: skip


UUID_TEXT = r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$"


def _name_of(user_id) -> Subquery:
    """The full name of the account `user_id`, or its username where it has none."""
    full_name = Trim(Concat("first_name", Value(" "), "last_name"))
    user = get_user_model().objects.filter(pk=user_id)
    return Subquery(user.annotate(name=Coalesce(NullIf(full_name, Value("")), "username")).values("name")[:1])


class EventReader:
    """Words for one page of events; looks up names, titles and questions once per page."""

    def __init__(self, user, events: Iterable):
        events = list(events)
        latest = Questionnaire.latest()
        # Question and step keys are never renamed between versions: the latest definition names them all.
        self.defn = as_definition(latest.definition) if latest else None
        # The assessments are found from the page's events in SQL: a lookup by a list of their ids would be
        # skipped on a page without one, and the number of queries would depend on the events shown. The
        # id without its dashes reads as a UUID on PostgreSQL and is how SQLite stores one.
        # Only ids that read as one: a cast of anything else would fail the whole page on PostgreSQL.
        about = AuditEvent.objects.filter(
            pk__in=[e.pk for e in events], object_type="assessment", object_id__regex=UUID_TEXT
        )
        about = about.values(as_uuid=Cast(Replace("object_id", Value("-"), Value("")), UUIDField()))
        self.assessments = {
            str(a.uuid): a for a in visible_assessments(user).filter(uuid__in=about).only("uuid", "title", "agency")
        }
        self.people = {e.person_id: e.person_name for e in events if e.person_id and e.person_name}

    @staticmethod
    def with_names(events: QuerySet, *, person: bool = True) -> QuerySet:
        """The events with the names of their actor, their agency and (unless `person` is false, as for the
        export, which names no one else) the person they name (an account the event is about, or a detail's
        `user_id`), read in the events' own query: a query of its own for the names is made only when the page
        shows an event naming someone, and the page's number of queries would then depend on which events it
        shows."""
        named = events.annotate(
            actor_name=_name_of(OuterRef("actor_id")),
            agency_name=Subquery(Agency.objects.filter(pk=OuterRef("agency_id")).values("name")[:1]),
        )
        if not person:
            return named
        digits = r"^[0-9]{1,18}$"
        person_id = Case(
            When(Q(object_type="user", object_id__regex=digits), then=Cast("object_id", BigIntegerField())),
            When(details__user_id__regex=digits, then=Cast(KT("details__user_id"), BigIntegerField())),
        )
        return named.annotate(person_id=person_id, person_name=_name_of(OuterRef("person_id")))

    # --- what the event is about -----------------------------------------------------------------

    def subject(self, event) -> dict[str, str]:
        """`{"text": ..., "url": ...}`: the event's object in words, linked when the reader may open it."""
        if event.object_type == "assessment":
            assessment = self.assessments.get(event.object_id)
            if assessment is None:
                return {"text": _("En vurdering du ikke har tilgang til"), "url": ""}
            return {"text": _("Vurdering «%(title)s»") % {"title": assessment.title}, "url": _review_url(assessment)}
        if event.object_type == "report":
            return {"text": _("Rapport"), "url": ""}
        if event.object_type == "user":
            name = self.people.get(whole_number(event.object_id))
            return {"text": _("Brukeren %(name)s") % {"name": name} if name else _("En bruker"), "url": ""}
        if event.object_type == "questionnaire":
            return {"text": _("Spørreskjema"), "url": ""}
        return {"text": "", "url": ""}

    # --- the details -----------------------------------------------------------------------------

    def details(self, event) -> list[str]:
        data = event.details if isinstance(event.details, dict) else {}
        lines, unknown = [], False
        for key, value in data.items():
            if key in HIDDEN or value in (None, "", []):
                continue
            try:
                line = self._line(event.action, key, value)
            except (TypeError, ValueError, AttributeError):
                # The log is never rewritten (it is hash-chained): a detail stored in a shape this module does
                # not expect, by an older version of the app, is left to the CSV export, not a failed page.
                logger.warning("audit event %s: detail %r not shown", event.pk, key)
                line = None
            if line is None:
                unknown = True
            elif line:
                lines.append(line)
        if unknown:
            lines.append(_("Flere opplysninger står i CSV-eksporten."))
        return lines

    def _line(self, action: str, key: str, value: Any) -> str | None:
        """One detail in words; "" to leave it out, None when this module does not know it."""
        simple = {
            "version": _("Versjon %(value)s"),
            "from_version": _("Bygger på versjon %(value)s"),
            "by_version": _("Erstattet av versjon %(value)s"),
            "revision": _("Lagring nr. %(value)s"),
            "comments": _("Kommentarer fra UKE: %(value)s"),
            "attempts": _("Forsøk: %(value)s"),
            "recipients": _("Mottakere: %(value)s"),
            "assessments": _("Vurderinger: %(value)s"),
            "versions": _("Versjoner: %(value)s"),
            "evidence_copied": _("Filer og lenker overført: %(value)s"),
        }
        if key in simple:
            return simple[key] % {"value": value}
        if action.startswith("catalogue."):
            line = _catalogue_line(key, value)
            if line is not None:
                return line
        if key == "section":
            return _("Steg: %(value)s") % {"value": self._section(value)}
        if key == "changed":
            return self._changed(value)
        if key == "question_key":
            return _("Gjelder spørsmålet «%(value)s»") % {"value": self._question(value)}
        if key == "verdict":
            return _("Konklusjon: %(value)s") % {"value": labels.label(labels.VERDICTS, value)}
        if key == "review_by":
            return _("Ny vurdering innen %(value)s") % {"value": _date(value)}
        if key in ("kinds", "material_change"):
            names = [str(MATERIAL_CHANGE_KINDS.get(k, "")) for k in value if k in MATERIAL_CHANGE_KINDS]
            return _("Endret: %(value)s") % {"value": ", ".join(names)}
        if key == "questionnaire":
            return _("Spørreskjema versjon %(value)s") % {"value": value}
        if key == "source":
            return _("Kilde: %(value)s") % {"value": SOURCES.get(value, _("annen"))}
        if key == "kind" and action.startswith("report."):
            return _("Type: %(value)s") % {"value": labels.label(dict(Report.Kind.choices), value)}
        if key == "role":
            return _("Rolle: %(value)s") % {"value": labels.label(labels.ROLES, value)}
        if key == "user_id":
            return _("Person: %(value)s") % {"value": self.people.get(value, _("slettet bruker"))}
        if key in ("valid", "intact", "known_account", "user_created"):
            return _yes_no(key, value)
        if key in ("since", "previous_since"):
            template = _("Tatt i bruk fra %(value)s") if key == "since" else _("Rettet fra %(value)s")
            return template % {"value": _date(value)}
        if key == "reason":
            return _("Begrunnelse: %(value)s") % {"value": value}
        if key in ("filters", "format"):
            return _("Med filter") if key == "filters" else _("Format: %(value)s") % {"value": str(value).upper()}
        return None

    def _changed(self, value: Any) -> str | None:
        """`changed` means one thing per kind of event: the questions of a saved step, whether marking an
        exemption replaced one, and how many entries of the tool overview an import gave a new version."""
        if isinstance(value, list):
            return _("Endrede svar: %(value)s") % {"value": quoted_list(self._question(k) for k in value)}
        if isinstance(value, bool):
            return _("Erstattet et unntak som var merket fra før") if value else ""
        if isinstance(value, int):
            return _("Verktøy med ny versjon: %(value)s") % {"value": value}
        return None

    def _section(self, key: str) -> str:
        section = next((s for s in self.defn.sections if s.key == key), None) if self.defn else None
        return localized(section, "title") if section else _("(ukjent steg)")

    def _question(self, key: str) -> str:
        question = self.defn.questions.get(key) if self.defn else None
        if not key:
            return _("generell kommentar")
        return localized(question, "label") if question else _("(ukjent spørsmål)")


def _catalogue_line(key: str, value: Any) -> str | None:
    """A detail of the tool overview's events (an entry made, changed or imported, an API key), or None."""
    if key == "ref":
        return _("Verktøy: %(value)s") % {"value": value}
    if key == "refs" and isinstance(value, list):
        shown = ", ".join(str(ref) for ref in value[:20])
        return _("Verktøy: %(value)s") % {"value": shown + (" …" if len(value) > 20 else "")}
    if key == "status":
        return _("Status: %(value)s") % {"value": labels.label(labels.TOOL_STATUSES, value)}
    if key == "created" and isinstance(value, int):
        return _("Nye verktøy: %(value)s") % {"value": value}
    if key == "rows_refused":
        return _("Rader som ikke kunne leses: %(value)s") % {"value": value}
    if key == "name":
        return _("Navn: %(value)s") % {"value": value}
    if key == "prefix":
        return _("Nøkkelen begynner med %(value)s") % {"value": value}
    if key in ("from", "used"):
        template = _("Forrige versjon: %(value)s") if key == "from" else _("Versjonen vurderingen bruker: %(value)s")
        return template % {"value": value}
    if key == "note":
        return _("Merknad: %(value)s") % {"value": value}
    if key == "flag":
        return ""  # the flag's id: the event's text and the review page say which flag
    return None


def _review_url(assessment) -> str:
    return reverse("assessments:review_detail", args=[assessment.uuid])


def _date(value: str) -> str:
    try:
        return format_date(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _yes_no(key: str, value: Any) -> str:
    questions = {
        "valid": gettext_lazy("Seglet er gyldig"),
        "intact": gettext_lazy("Filen er uendret"),
        "known_account": gettext_lazy("Kjent brukerkonto"),
        "user_created": gettext_lazy("Ny bruker opprettet"),
    }
    return f"{questions[key]}: {_('ja') if value else _('nei')}"
