"""Demo entries of the tool overview, and demo assessments that pick them in step 1 (as the wizard would).

Every entry is marked `is_demo` and named "(demo)": nobody should read them as UKE's real decisions. The facts are
plausible, not claims about any real product.
"""

import datetime as dt

from assessments import services
from assessments.demo.decided import COPILOT_LETTERS
from assessments.demo.drafts import fill_steps
from assessments.engine.loader import as_definition
from assessments.models import Agency, Assessment, Questionnaire
from assessments.models.catalogue import ToolEntry
from assessments.services import catalogue

_BASE = {"generates_content": True, "status_since": dt.date(2026, 9, 1), "guideline_url": "", "note": ""}

# slug -> the first version's facts
DEMO_TOOLS = {
    "demo-kommunechat": {
        **_BASE,
        "name": "Kommunechat (demo)",
        "vendor": "Eksempelleverandør AS",
        "edition": "Virksomhetsavtale med kommunens innlogging",
        "description": "Chat-assistent for ansatte, innlogget med kommunens konto. Samtaler lagres ikke hos "
        "leverandøren etter økten.",
        "hosting": "cloud_eea",
        "dpa": True,
        "dpa_reference": "DEMO-DBA-001",
        "dpa_valid_until": dt.date(2028, 12, 31),
        "vendor_trains_on_inputs": False,
        "enterprise_agreement": True,
        "max_class": "internal",
        "personal_data_allowed": False,
        "special_categories_allowed": False,
        "status": "approved",
        "approved_until": dt.date(2027, 12, 31),
        "note": "Godkjent for intern informasjon uten personopplysninger. Demooppføring.",
    },
    "demo-gratis-chat": {
        **_BASE,
        "name": "Gratis nettchat (demo)",
        "vendor": "Forbrukertjeneste på nett",
        "edition": "Gratisversjon med privat konto",
        "description": "Åpen chattjeneste for forbrukere. Innhold kan brukes til å trene leverandørens modeller.",
        "hosting": "outside_eea",
        "dpa": False,
        "vendor_trains_on_inputs": True,
        "enterprise_agreement": False,
        "max_class": "open",
        "personal_data_allowed": False,
        "special_categories_allowed": False,
        "status": "not_approved",
        "note": "Ikke godkjent: ingen avtale, og leverandøren trener på det som legges inn. Demooppføring.",
    },
    "demo-motetranskribering": {
        **_BASE,
        "name": "Møtetranskribering (demo)",
        "vendor": "Eksempel Tale AS",
        "edition": "Prøvelisens",
        "description": "Tar opp og transkriberer møter og lager utkast til referat.",
        "hosting": "cloud_eea",
        "dpa": True,
        "dpa_reference": "DEMO-DBA-014",
        "dpa_valid_until": dt.date(2027, 6, 30),
        "vendor_trains_on_inputs": False,
        "enterprise_agreement": True,
        "max_class": "internal",
        "personal_data_allowed": True,
        "special_categories_allowed": False,
        "status": "under_assessment",
        "note": "UKE vurderer verktøyet. Til det er avklart, regnes risikoen som høy. Demooppføring.",
    },
    "demo-saksbehandling-ki": {
        **_BASE,
        "name": "KI i saksbehandlingssystemet (demo)",
        "vendor": "Eksempel Sak AS",
        "edition": "Innebygd KI-modul i kommunens saksbehandlingssystem",
        "description": "Foreslår journalføring, oppsummerer saksdokumenter og lager utkast til saksfremlegg.",
        "hosting": "municipal_platform",
        "dpa": True,
        "dpa_reference": "DEMO-DBA-003",
        "dpa_valid_until": dt.date(2029, 6, 30),
        "vendor_trains_on_inputs": False,
        "enterprise_agreement": True,
        "max_class": "confidential",
        "personal_data_allowed": True,
        "special_categories_allowed": False,
        "status": "approved",
        "note": "Godkjent i kommunens egen drift. Demooppføring.",
    },
}

# Demo assessments that pick a tool: (agency, leader, answers, tool slug, submit)
_NOTES = {
    **COPILOT_LETTERS,
    "title": "Kommunechat til utkast til interne notater",
    "description": "Ansatte i staben bruker Kommunechat til første utkast av interne notater og oppsummeringer "
    "av offentlige dokumenter. Ingen personopplysninger legges inn.",
}
_MINUTES = {
    **COPILOT_LETTERS,
    "title": "Transkribering av interne møter",
    "description": "Møtetranskribering tar opp interne møter og lager utkast til referat som møteleder retter.",
}
DEMO_CATALOGUE_ASSESSMENTS = [
    ("Bydel Frogner", "leder", _NOTES, "demo-kommunechat", True),
    ("Bydel Grorud", "leder.grorud", _MINUTES, "demo-motetranskribering", False),
]


def seed_catalogue(users: dict) -> dict:
    """The demo entries (idempotent), then the demo assessments that use them."""
    made = {"tools": 0, "assessments": 0}
    for slug, data in DEMO_TOOLS.items():
        if not ToolEntry.objects.filter(slug=slug).exists():
            catalogue.tool_create(slug=slug, data=data, actor=users["uke"], is_demo=True)
            made["tools"] += 1
    latest = Questionnaire.latest()
    if latest is None or "cat_choice" not in as_definition(latest.definition).questions:
        return made  # a questionnaire before 2026.3 has no tool question
    for agency_name, username, answers, slug, submit in DEMO_CATALOGUE_ASSESSMENTS:
        agency = Agency.objects.get(name=agency_name)
        if Assessment.objects.filter(agency=agency, title=answers["title"]).exists():
            continue
        leader = users[username]
        ref = ToolEntry.objects.get(slug=slug).current().ref
        assessment = services.assessment_create(agency=agency, user=leader, title=answers["title"], source="demo")
        assessment = fill_steps(assessment, leader, {**answers, "cat_choice": "listed", "cat_ref": ref})
        made["assessments"] += 1
        if submit:
            services.assessment_submit(assessment=assessment, user=leader)
    return made
