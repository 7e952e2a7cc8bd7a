"""Every word a person reads for a coded value: verdicts, levels, quadrants, statuses, roles, rule effects,
decisions and audit event types, each as one table code -> translatable label (bokmål msgids, English in the
catalogue). A table that a form also offers as a choice list is written as that list (`*_CHOICES`, in the order
the form shows) with its dict beside it.

The pages, the review, the CSV/JSON exports and the PDF report all read their labels here, so one value has
one name everywhere and in both languages (docs/glossary.md lists them). The scoring engine stays free of
Django and keeps plain codes, with one exception: the what-if note it stores names risk levels, so it keeps the
level words (`engine.scoring.LEVEL_LABELS`, `LEVEL_LABELS_EN`), which tests/test_labels.py holds equal to `LEVELS`.

Statuses, roles and decisions are `TextChoices` defined in `assessments/choices.py`, which the models name as
their own (`Assessment.Status`; the database stores their codes): their labels are re-exported here so callers
have one place to look, not defined twice.
"""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from assessments.choices import PlanItemStatus, ScanStatus
from assessments.models import PATH_CHOICES, Assessment, AssessmentVersion, Membership, MunicipalRole
from assessments.models.catalogue import Hosting, InfoClass, ToolEntryVersion, ToolStatus

VERDICT_CHOICES = [
    ("recommended", _("Anbefalt")),
    ("low_priority", _("Lav prioritet")),
    ("proceed_with_safeguards", _("Kun med tiltak")),
    ("advise_against", _("Frarådes")),
    ("stop", _("Stopp")),
    # The quick path (docs/quick-path.md): a screening with every absolute rule ruled out; no risk score.
    ("low_after_screening", _("Lav risiko etter hurtigsjekk")),
]
VERDICT_TEXTS = {
    "stop": _(
        "Tiltaket kan ikke tas i bruk slik det er beskrevet nå. Minst én absolutt regel slo til "
        "(se under), og det som utløser regelen, må endres før tiltaket kan vurderes på nytt."
    ),
    "recommended": _("Lav risiko og høyt behov: tiltaket kan gjennomføres når pliktene under er fulgt opp."),
    "low_priority": _("Lav risiko, men også lavt behov: vurder om gevinsten forsvarer innsatsen."),
    "proceed_with_safeguards": _(
        "Høyt behov, men høy risiko: tiltaket bør bare gjennomføres med tiltakene og pliktene under på plass."
    ),
    "advise_against": _("Høy risiko og lavt behov: risikoen står ikke i forhold til gevinsten, og tiltaket frarådes."),
    "low_after_screening": _(
        "Hurtigsjekken utelukker alle absolutte regler. Tiltaket kan gjennomføres når pliktene under er fulgt opp; "
        "det er ikke regnet ut noen risikopoengsum."
    ),
}
# The four fields of the risk × need matrix, named by where they lie (the verdict names what follows).
QUADRANT_CHOICES = [
    ("low_risk_high_need", _("Lav risiko, høyt behov")),
    ("low_risk_low_need", _("Lav risiko, lavt behov")),
    ("high_risk_high_need", _("Høy risiko, høyt behov")),
    ("high_risk_low_need", _("Høy risiko, lavt behov")),
]
LEVELS = {
    "low": _("Lav"),
    "moderate": _("Moderat"),
    "significant": _("Betydelig"),
    "very_high": _("Svært høy"),
}
RISK_AXES = {"low": _("lav risiko"), "high": _("høy risiko")}
NEED_AXES = {"low": _("lavt behov"), "high": _("høyt behov")}
CONTRIBUTION_KINDS = {"risk": _("Risiko"), "mitigation": _("Tiltak"), "need": _("Behov")}
RULE_EFFECTS = {"stop": _("Stopper tiltaket"), "high_risk": _("Gir høy risiko")}
AI_KIND_CHOICES = [
    ("integrated", _("Integrert i verktøy vi har")),
    ("self_developed", _("Egenutviklet eller bestilt")),
    ("generative", _("Generativ")),
]
STATUSES = dict(Assessment.Status.choices)
DECISIONS = dict(AssessmentVersion.Decision.choices)
ROLES = {**dict(Membership.Role.choices), **dict(MunicipalRole.Role.choices)}

# Audit event types: what the log's chained codes mean, for the screen and the exports.
EVENTS = {
    "assessment.created": _("Vurdering opprettet"),
    "assessment.step_saved": _("Steg lagret"),
    "assessment.submitted": _("Sendt inn"),
    "assessment.recalled": _("Hentet tilbake"),
    "assessment.withdrawn": _("Trukket"),
    "assessment.returned": _("Returnert for endring"),
    "assessment.approved": _("Godkjent"),
    "assessment.rejected": _("Avvist"),
    "assessment.superseded": _("Erstattet av ny vurdering"),
    "assessment.material_change_reported": _("Vesentlig endring meldt"),
    "assessment.exported": _("Svar lastet ned"),
    "assessment.contributor_added": _("Bidragsyter lagt til"),
    "assessment.language_changed": _("Språk i rapporten endret"),
    "assessment.contributor_removed": _("Bidragsyter fjernet"),
    "review.commented": _("Kommentar fra UKE"),
    "review.comment_replied": _("Svar til UKE på en kommentar"),
    "officer.advice_given": _("Råd fra personvernombud eller sikkerhetsleder"),
    "report.ready": _("Rapport laget"),
    "report.failed": _("Rapport feilet"),
    "report.downloaded": _("Rapport lastet ned"),
    "report.verified": _("Rapport kontrollert"),
    "report.preview_requested": _("Forhåndsvisning bestilt"),
    "auth.login": _("Logget inn"),
    "auth.logout": _("Logget ut"),
    "auth.login_failed": _("Mislykket innlogging"),
    "auth.oidc_login": _("Logget inn med Oslo kommune-konto"),
    "auth.oidc_refused": _("Innlogging med Oslo kommune-konto avvist"),
    "audit_log.exported": _("Revisjonsloggen eksportert"),
    "auditor.exported": _("Søk eksportert"),
    "register.exported": _("Registeret eksportert"),
    "role.granted": _("Rolle tildelt"),
    "role.changed": _("Rolle endret"),
    "role.revoked": _("Rolle fjernet"),
    "role.scope_changed": _("Tilgangsomfang endret"),
    "user.purged": _("Bruker slettet"),
    "user.deactivated": _("Bruker deaktivert"),
    "archive.delivered": _("Overlevert til arkivet"),
    "retention.applied": _("Personopplysninger slettet etter oppbevaringstiden"),
    "questionnaire.published": _("Spørreskjema publisert"),
    "questionnaire.replaced": _("Spørreskjema erstattet"),
    "notification.review_reminder_sent": _("Påminnelse om ny vurdering sendt"),
    "demo.bulk_seeded": _("Demodata lagt inn"),
    "admin.created": _("Opprettet i administrasjonen"),
    "admin.changed": _("Endret i administrasjonen"),
    "admin.deleted": _("Slettet i administrasjonen"),
    "auth.locked_out": _("Innlogging sperret etter for mange forsøk"),
    "assessment.questionnaire_moved": _("Flyttet til ny versjon av spørreskjemaet"),
    "assessment.screened": _("Hurtigsjekk gjennomført"),
    "assessment.full_required": _("Full vurdering kreves av UKE"),
    # The action plan (services/plans.py).
    "plan.item_created": _("Tiltak lagt til i planen"),
    "plan.item_no_longer_required": _("Tiltak ikke lenger påkrevd"),
    "plan.item_required_again": _("Tiltak påkrevd igjen"),
    "plan.item_texts_updated": _("Tiltakets tittel eller kilde oppdatert fra ny versjon"),
    "plan.item_carried_over": _("Tiltak overført til ny vurdering"),
    "plan.item_merged": _("Arbeid fra eget tiltak for samme oppgave overført"),
    "plan.condition_set": _("Vilkår fra UKE satt på tiltak"),
    "plan.status_changed": _("Status for tiltak endret"),
    "plan.item_updated": _("Tiltak endret"),
    "plan.commented": _("Kommentar til tiltak"),
    "plan.evidence_added": _("Dokumentasjon lagt til"),
    "plan.evidence_removed": _("Dokumentasjon fjernet"),
    "plan.evidence_downloaded": _("Dokumentasjon lastet ned"),
    "plan.evidence_scanned": _("Dokumentasjon virussjekket"),
    "plan.evidence_quarantined": _("Dokumentasjon satt i karantene av virussjekken"),
    "plan.evidence_refused": _("Dokumentasjon avvist av virussjekken"),
    "plan.in_use_recorded": _("Registrert tatt i bruk"),
    "plan.in_use_corrected": _("Dato for tatt i bruk rettet"),
    "plan.closed": _("Tiltaksplan lukket"),
    "plan.exported": _("Tiltaksplan eksportert"),
    "plan.status_report_made": _("Statusrapport for tiltaksplan laget"),
    "plan.status_report_requested": _("Statusrapport for tiltaksplan bestilt"),
    "plan.status_report_downloaded": _("Statusrapport for tiltaksplan lastet ned"),
    "plan.reassessment_started": _("Ny vurdering startet etter gjennomført tiltak"),
    "notification.plan_reminder_sent": _("Påminnelse om tiltak sendt"),
    "catalogue.created": _("Verktøy lagt til i verktøyoversikten"),
    "catalogue.changed": _("Verktøy endret i verktøyoversikten"),
    "catalogue.imported": _("Verktøyoversikten importert"),
    "catalogue.token_issued": _("API-nøkkel for verktøyoversikten utstedt"),
    "catalogue.token_revoked": _("API-nøkkel for verktøyoversikten trukket tilbake"),
    "assessment.catalogue_flagged": _("Må vurderes på nytt: verktøyet er endret"),
    "assessment.catalogue_flag_closed": _("Flagg for endret verktøy lukket: vurdert på nytt"),
    "assessment.catalogue_flag_dismissed": _("Flagg for endret verktøy avsluttet av UKE"),
    "assessment.catalogue_draft_told": _("Utkast varslet om endret verktøy"),
    # Public access (services/public_access.py).
    "public_access.exempted": _("Unntatt offentlighet"),
    "public_access.exemption_lifted": _("Unntak fra offentlighet opphevet"),
    "public_access.innsyn_copy_made": _("Innsynskopi laget"),
    "public_access.tool_exempted": _("Felt i verktøyoversikten unntatt offentlighet"),
    "public_access.tool_exemption_lifted": _("Unntak fra offentlighet i verktøyoversikten opphevet"),
    "public_access.tool_innsyn_exported": _("Innsynsuttrekk fra verktøyoversikten laget"),
}

VERDICTS = dict(VERDICT_CHOICES)
# Why "Godkjenn" is refused for a stop (the service's error and the review page's note), naming the verdict by its
# label so a renamed verdict is renamed here too.
STOP_NOT_APPROVABLE = format_lazy(
    _("En vurdering med konklusjonen «{stop}» kan ikke godkjennes, bare returneres eller avvises."),
    stop=VERDICTS["stop"],
)
QUADRANTS = dict(QUADRANT_CHOICES)
AI_KINDS = dict(AI_KIND_CHOICES)
# An action plan item's history names its changes by the audit events' codes without "plan.".
PLAN_CHANGES = {code.removeprefix("plan."): text for code, text in EVENTS.items() if code.startswith("plan.")}
PLAN_STATUSES = dict(PlanItemStatus.choices)
SCAN_STATUSES = dict(ScanStatus.choices)


def label(labels: dict, code: Any, unknown: str = "") -> str:
    """The label of `code` in the active language; `unknown` (never the raw code) when there is none."""
    if code in (None, ""):
        return ""
    found = labels.get(code)
    return str(found) if found is not None else (unknown or str(_("(ukjent verdi)")))


def labelled(labels: dict, codes: Iterable) -> list[str]:
    return [label(labels, code) for code in codes]


def for_batch(labels: dict) -> Callable[[Any], str]:
    """`label` for the rows of one page or export chunk: each code is translated once (the rows repeat a
    few codes, and translating a label is most of what a row's label costs)."""
    return functools.cache(functools.partial(label, labels))


# The tool overview (Verktøyoversikten): statuses and what made an entry stricter (services/catalogue.py).
TOOL_STATUSES = dict(ToolStatus.choices)
INFO_CLASSES = dict(InfoClass.choices)
HOSTINGS = dict(Hosting.choices)
CATALOGUE_REASONS = {
    "status": _("Verktøyet er ikke lenger godkjent"),
    "class": _("Verktøyet er godkjent for mindre følsom informasjon enn før"),
    "personal_data": _("Verktøyet er ikke lenger godkjent for personopplysninger"),
    "special_categories": _("Verktøyet er ikke lenger godkjent for særlige kategorier av personopplysninger"),
    "dpa": _("Databehandleravtalen gjelder ikke lenger"),
    "training": _("Leverandøren kan nå trene på det som legges inn"),
    "hosting": _("Verktøyet lagrer eller driftes ikke lenger i kommunen eller EU/EØS"),
}

# The quick path: a full assessment, or a simplified one that ended with the screening's conclusion.
PATHS = dict(PATH_CHOICES)


# Public access (offentleglova): the legal bases UKE may choose when it exempts part of an assessment or of a
# tool overview entry, as (code, what the choice list shows). The citation alone is what a public page and the
# innsyn copy show (docs/legal-sources.md, "Offentleglova", says what each rests on and what is unverified).
EXEMPTION_BASIS_CHOICES = [
    (
        "oftl13_personal",
        _(
            "Taushetsplikt om personlige forhold: offentleglova § 13 første ledd, jf. forvaltningsloven § 13 første "
            "ledd nr. 1"
        ),
    ),
    (
        "oftl13_business",
        _(
            "Taushetsplikt om forretningshemmeligheter: offentleglova § 13 første ledd, jf. forvaltningsloven § 13 "
            "første ledd nr. 2"
        ),
    ),
    ("oftl24_3", _("Sikkerhet – innsyn ville lette straffbare handlinger: offentleglova § 24 tredje ledd")),
]
EXEMPTION_CITATIONS = {
    "oftl13_personal": _("offentleglova § 13 første ledd, jf. forvaltningsloven § 13 første ledd nr. 1"),
    "oftl13_business": _("offentleglova § 13 første ledd, jf. forvaltningsloven § 13 første ledd nr. 2"),
    "oftl24_3": _("offentleglova § 24 tredje ledd"),
}
EXEMPTION_BASES = dict(EXEMPTION_BASIS_CHOICES)
# Free text of an assessment outside the answers that UKE may exempt as a whole.
EXEMPT_FIELD_CHOICES = [
    ("decision_reason", _("UKEs begrunnelse og vilkår")),
    ("comments", _("UKEs kommentarer")),
    ("screening", _("Svarene i hurtigsjekken")),
]
EXEMPT_FIELDS = dict(EXEMPT_FIELD_CHOICES)
# The fields of a tool overview entry UKE may exempt (its name, status and approval stay public), labelled with
# the entry's own field labels, so the choice list cannot name a field otherwise than the tool's form does.
TOOL_EXEMPT_FIELD_CHOICES = [
    (name, capfirst(ToolEntryVersion._meta.get_field(name).verbose_name))
    for name in (
        "vendor",
        "edition",
        "description",
        "hosting",
        "dpa_reference",
        "dpa_valid_until",
        "guideline_url",
        "note",
    )
]
TOOL_EXEMPT_FIELDS = dict(TOOL_EXEMPT_FIELD_CHOICES)


def exemption_notice(basis: str) -> str:
    """The line that stands where exempt content was left out, in the active language."""
    return str(_("Unntatt offentlighet – hjemmel: %(citation)s") % {"citation": label(EXEMPTION_CITATIONS, basis)})
