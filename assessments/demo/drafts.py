"""Demo drafts and submitted assessments across agencies, for `seed_demo` (a step in `DEMO_STEPS`).

Made as a leader would make them: `assessment_create`, one `assessment_save_step` per wizard step in the
order the wizard shows them (so branching and `visited_steps` are real), then `assessment_submit` for the
submitted ones. Idempotent by agency and title. The cases are invented but realistic.
"""

from .. import services
from ..engine.loader import as_definition
from ..engine.visibility import visible_section_keys
from ..models import Agency, Assessment, Questionnaire

_NOTHING_PROHIBITED = dict.fromkeys(
    [
        "p_manipulation",
        "p_exploit_vulnerability",
        "p_social_scoring",
        "p_crime_prediction",
        "p_face_scraping",
        "p_emotion_workplace_school",
        "p_biometric_categorisation",
        "p_intimate_imagery",
    ],
    "no",
)
_NOT_HIGH_RISK = {"hr_area": ["none"], "hr_profiling": "no", "hr_exempt": "none", "hr_product": "no"}

# A chatbot on the agency's web pages answering residents about waste collection. It does not say that it
# is an AI (undisclosed_ai): UKE will ask for that to be fixed.
WASTE_CHATBOT = {
    "title": "Chatbot for spørsmål om avfallshenting",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": "En chatbot på nettsidene svarer innbyggere om hentedager, sortering og bestilling av "
    "henting av grovavfall. Den bygger på en språkmodell fra leverandøren og på våre egne "
    "sider om avfall.",
    "owner": "Kommunikasjonssjef",
    "ai_kind": ["generative"],
    "generates_content": "yes",
    "citizen_free_text": "yes",
    "bio_recognition": "none",
    "sec_credentials_input": "no",
    "gen_images": "no",
    "gen_management_decision": "no",
    "role": "buy",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "pilot",
    "citizen_facing": "yes",
    "decision_role": "none",
    "affected": ["residents"],
    "pd_any": "yes",
    "problem": "Kundesenteret får mange like spørsmål om hentedager, særlig rundt høytider, og ventetiden "
    "på telefon blir lang.",
    "goals": "Færre telefoner om hentedager (målt i kundesenterets statistikk) og svar døgnet rundt.",
    "benefit": 3,
    "users_reached": "many_residents",
    "no_go": "slow",
    "alternatives": "yes",
    "evidence": "test",
    "mandate": "yes",
    **_NOTHING_PROHIBITED,
    **_NOT_HIGH_RISK,
    "pd_special": "no",
    "pd_children": "no",
    "pd_scale": 2,
    "pd_profiling": "no",
    "pd_monitoring": "no",
    "pd_combine": "no",
    "pd_basis": "yes",
    "pd_minimise": "yes",
    "pd_vendor_train": "no",
    "pd_transfer": "no",
    "pd_dpa": "yes",
    "pd_dpia": "not_started",
    "eq_protected_attributes": "no",
    "eq_proxy_checked": "yes",
    "eq_groups_tested": "partly",
    "eq_representative_data": "yes",
    "eq_universal_design": "yes",
    "eq_consulted": "no",
    "tr_disclose": "no",
    "tr_label": "yes",
    "tr_explain": 2,
    "ho_human_review": "no",
    "ho_override": "yes",
    "ho_training": "yes",
    "ho_complaints": "yes",
    "ho_owner": "yes",
    "sec_classification": "open",
    "sec_hosting": "cloud_eea",
    "sec_abuse": "yes",
    "sec_access_control": "yes",
    "arc_records_kept": "yes",
    "arc_access_requests": "yes",
    "sec_fallback": "yes",
    "gen_sensitive_input": "no",
    "gen_enterprise_agreement": "yes",
    "gen_fact_check": "yes",
    "gen_copyright": "yes",
    "gen_pilot": "yes",
    "gen_output_use": "published",
}

# A commissioned model ranking applications for housing benefit by urgency: Annex III high risk with
# profiling, so FRIA and DPIA apply.
BENEFIT_RANKING = {
    "title": "Rangering av søknader om bostøtte",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": "En modell laget på bestilling rangerer nye søknader om kommunal bostøtte etter hvor "
    "akutt behovet ser ut til å være, slik at saksbehandlerne tar de mest presserende først. "
    "Saksbehandleren fatter alltid vedtaket.",
    "owner": "Leder for boligkontoret",
    "ai_kind": ["self_developed"],
    "generates_content": "no",
    "citizen_free_text": "no",
    "bio_recognition": "none",
    "sec_credentials_input": "no",
    "role": "commission",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "idea",
    "citizen_facing": "no",
    "decision_role": "decision_support",
    "affected": ["residents", "vulnerable_groups"],
    "pd_any": "yes",
    "problem": "Saksbehandlingstiden er lang, og de mest akutte søknadene blir ikke alltid behandlet først.",
    "goals": "Kortere tid til vedtak for de mest akutte sakene; måles per kvartal.",
    "benefit": 3,
    "users_reached": "many_residents",
    "no_go": "slow",
    "alternatives": "yes",
    "evidence": "none",
    "mandate": "yes",
    **_NOTHING_PROHIBITED,
    "hr_area": ["public_services_benefits"],
    "hr_profiling": "yes",
    "hr_exempt": "none",
    "hr_product": "no",
    "pd_special": "yes",
    "pd_children": "yes",
    "pd_scale": 3,
    "pd_profiling": "yes",
    "pd_monitoring": "no",
    "pd_combine": "yes",
    "pd_basis": "yes",
    "pd_minimise": "no",
    "pd_vendor_train": "no",
    "pd_transfer": "no",
    "pd_dpa": "yes",
    "pd_dpia": "in_progress",
    "fv_individual_decisions": "yes",
    "fv_discretion": "yes",
    "fv_explain": "yes",
    "fv_document": "yes",
    "fv_reversibility": 2,
    "fv_duration": 3,
    "fv_severity": 4,
    "fv_error_cost": 3,
    "eq_protected_attributes": "unknown",
    "eq_proxy_checked": "no",
    "eq_groups_tested": "not_tested",
    "eq_representative_data": "unknown",
    "eq_universal_design": "yes",
    "eq_consulted": "no",
    "tr_disclose": "yes",
    "tr_label": "yes",
    "tr_explain": 2,
    "ho_human_review": "yes",
    "ho_override": "yes",
    "ho_training": "no",
    "ho_complaints": "yes",
    "ho_owner": "yes",
    "sec_classification": "confidential",
    "sec_hosting": "municipal_platform",
    "sec_abuse": "no",
    "sec_access_control": "yes",
    "arc_records_kept": "yes",
    "arc_access_requests": "yes",
    "sec_fallback": "yes",
    "dev_training_data_source": "own_registers",
    "dev_training_data_notes": "Historiske søknader og vedtak fra fagsystemet 2019–2025, pseudonymisert.",
    "dev_data_quality": "no",
    "dev_accuracy_known": "no",
    "dev_continuous_learning": "no",
    "dev_versioning": "yes",
    "dev_ownership_agreed": "yes",
    "fria_process": "Rangeringen brukes når nye søknader fordeles i saksbehandlingskøen.",
    "fria_period": "Pilot i tolv måneder, deretter ny vurdering.",
    "fria_groups": "Søkere om bostøtte, blant dem barnefamilier og personer med nedsatt funksjonsevne.",
    "fria_harms": "Feil rangering kan gi urimelig ventetid for noen grupper og forskjellsbehandling.",
    "fria_oversight": "Saksbehandleren ser hele søknaden og kan alltid endre rekkefølgen.",
    "fria_response": "Avvik meldes i avvikssystemet; modellen kan slås av, og køen fordeles da manuelt.",
    "fria_rights": "Likebehandling, personvern og retten til forsvarlig saksbehandling.",
}

# Translating information letters with a procured generative tool: a draft that is ready to submit.
LETTER_TRANSLATION = {
    "title": "Oversettelse av informasjonsbrev med KI",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": "Informasjonsbrev om bydelens tjenester oversettes til de vanligste språkene med et "
    "oversettelsesverktøy kommunen har avtale om. En translatør kontrollerer hver tekst.",
    "owner": "Kommunikasjonsrådgiver",
    "ai_kind": ["generative"],
    "generates_content": "yes",
    "citizen_free_text": "no",
    "bio_recognition": "none",
    "sec_credentials_input": "no",
    "gen_images": "no",
    "role": "buy",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "pilot",
    "citizen_facing": "yes",
    "decision_role": "none",
    "affected": ["residents"],
    "pd_any": "no",
    "problem": "Informasjon på flere språk kommer sent ut fordi oversettelse tar lang tid.",
    "goals": "Oversatte brev samme uke som det norske; måles i antall dager fra norsk til oversatt versjon.",
    "benefit": 3,
    "users_reached": "many_residents",
    "no_go": "lower_quality",
    "alternatives": "yes",
    "evidence": "test",
    "mandate": "yes",
    **_NOTHING_PROHIBITED,
    **_NOT_HIGH_RISK,
    "eq_protected_attributes": "no",
    "eq_proxy_checked": "yes",
    "eq_groups_tested": "documented",
    "eq_representative_data": "yes",
    "eq_universal_design": "yes",
    "eq_consulted": "yes",
    "tr_disclose": "yes",
    "tr_label": "yes",
    "tr_explain": 3,
    "ho_human_review": "yes",
    "ho_override": "yes",
    "ho_training": "yes",
    "ho_complaints": "yes",
    "ho_owner": "yes",
    "sec_classification": "open",
    "sec_hosting": "cloud_eea",
    "sec_abuse": "no",
    "sec_access_control": "yes",
    "arc_records_kept": "yes",
    "arc_access_requests": "yes",
    "sec_fallback": "yes",
    "gen_sensitive_input": "no",
    "gen_enterprise_agreement": "yes",
    "gen_fact_check": "yes",
    "gen_copyright": "yes",
    "gen_pilot": "yes",
    "gen_output_use": "published",
}

# Minutes of Teams meetings with Copilot: started, two steps filled in, a contributor invited.
TEAMS_MINUTES = {
    "title": "Referatskriving med Copilot i Teams",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": "Copilot i Teams lager utkast til referat fra interne møter. Møteleder retter og godkjenner.",
    "owner": "Stabssjef",
    "ai_kind": ["integrated", "generative"],
    "generates_content": "yes",
    "citizen_free_text": "no",
    "role": "buy",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "idea",
    "citizen_facing": "no",
    "decision_role": "internal_support",
    "affected": ["employees"],
    "pd_any": "yes",
    "problem": "Referater fra interne møter blir skrevet sent eller ikke i det hele tatt.",
    "benefit": 2,
    "users_reached": "unit",
    "no_go": "little_change",
    "alternatives": "yes",
    "evidence": "none",
    "mandate": "yes",
}

# (agency, leader's username, answers, how many steps to fill (None: all), submit, invite the contributor)
DEMO_ASSESSMENTS = [
    ("Renovasjons- og gjenvinningsetaten", "leder.renovasjon", WASTE_CHATBOT, None, True, False),
    ("Bydel Grorud", "leder.grorud", BENEFIT_RANKING, None, True, False),
    ("Bydel Grorud", "leder.grorud", LETTER_TRANSLATION, None, False, False),
    ("Bydel Frogner", "leder", TEAMS_MINUTES, 2, False, True),
]


def fill_steps(assessment: Assessment, user, answers: dict, steps: int | None = None) -> Assessment:
    """Save `answers` one wizard step at a time, in the order the wizard shows the steps."""
    defn = as_definition(assessment.questionnaire.definition)
    saved: list[str] = []
    while steps is None or len(saved) < steps:
        pending = [k for k in visible_section_keys(defn, assessment.answers) if k not in saved]
        if not pending:
            break
        section = pending[0]
        values = {q.key: answers.get(q.key) for q in defn.section(section).questions}
        assessment = services.assessment_save_step(
            assessment=assessment,
            section=section,
            values=values,
            expected_revision=assessment.revision,
            user=user,
        ).assessment
        saved.append(section)
    return assessment


def seed_demo_assessments(users: dict) -> dict:
    made = {"created": 0, "submitted": 0}
    if Questionnaire.latest() is None:
        return made
    for agency_name, username, answers, steps, submit, invite in DEMO_ASSESSMENTS:
        agency = Agency.objects.get(name=agency_name)
        if Assessment.objects.filter(agency=agency, title=answers["title"]).exists():
            continue
        leader = users[username]
        assessment = services.assessment_create(agency=agency, user=leader, title=answers["title"], source="demo")
        if invite:
            services.assessment_invite_contributor(assessment=assessment, user=leader, contributor=users["bidragsyter"])
        assessment = fill_steps(assessment, leader, answers, steps)
        made["created"] += 1
        if submit:
            services.assessment_submit(assessment=assessment, user=leader)
            made["submitted"] += 1
    return made
