"""Demo assessments with decisions and ready reports, for `seed_demo` (a step in `DEMO_STEPS`).

Everything goes through the services users go through (create, submit, approve/reject) and the report
task runs in-process (no broker), so `make run` shows signed reports right away. The answer sets are
realistic cases (a recommended use, a stopped one and a high-risk one); the tests use them too.
"""

from django.db import transaction

from .. import services
from ..models import Agency, Assessment, Questionnaire, Report
from ..tasks import render_report

_NO_PROHIBITED = dict.fromkeys(
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

# Copilot drafting letters in Word: integrated and generative, no personal data, procured -> recommended.
COPILOT_LETTERS = {
    "title": "Copilot i Word for utkast til standardbrev",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": (
        "Saksbehandlere i forvaltningsenheten bruker Copilot i Word til å lage første utkast til "
        "standardbrev og referater. Saksbehandleren leser, retter og står som avsender av alt som sendes ut."
    ),
    "owner": "Seksjonsleder for forvaltning",
    "ai_kind": ["integrated", "generative"],
    "generates_content": "yes",
    "citizen_free_text": "no",
    "bio_recognition": "none",
    "sec_credentials_input": "no",
    "gen_images": "no",
    "role": "buy",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "pilot",
    "citizen_facing": "no",
    "decision_role": "internal_support",
    "affected": ["employees"],
    "pd_any": "no",
    "problem": "Saksbehandlere bruker mye tid på å skrive standardbrev og referater fra bunnen av.",
    "goals": "Halvere tiden brukt på standardbrev; måles med tidsregistrering før og etter piloten.",
    "benefit": 3,
    "users_reached": "agency",
    "no_go": "slow",
    "alternatives": "yes",
    "evidence": "test",
    "mandate": "yes",
    **_NO_PROHIBITED,
    "hr_area": ["none"],
    "hr_profiling": "no",
    "hr_exempt": "none",
    "hr_product": "no",
    "eq_protected_attributes": "no",
    "eq_proxy_checked": "yes",
    "eq_groups_tested": "partly",
    "eq_representative_data": "yes",
    "eq_universal_design": "yes",
    "eq_consulted": "yes",
    "tr_disclose": "yes",
    "tr_label": "yes",
    "tr_explain": 2,
    "ho_human_review": "yes",
    "ho_override": "yes",
    "ho_training": "yes",
    "ho_complaints": "yes",
    "ho_owner": "yes",
    "sec_classification": "internal",
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
    "gen_output_use": "internal_draft",
    "int_central_control": "yes",
    "int_vendor_docs": "yes",
    "int_permissions_cleaned": "yes",
    "int_change_notice": "yes",
    "int_dpa_covers": "yes",
}

# Staff paste case notes into a free chatbot on their own initiative -> stop
# (sensitive input in an unmanaged tool).
FREE_CHATBOT = {
    **{k: v for k, v in COPILOT_LETTERS.items() if not k.startswith("int_")},
    "title": "Gratis chatbot til oppsummering av saksnotater",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": (
        "Ansatte har på eget initiativ begynt å lime inn saksnotater i en gratis chatbot på nett for å få "
        "korte oppsummeringer før møter."
    ),
    "ai_kind": ["generative"],
    "generates_content": "yes",
    "citizen_free_text": "yes",
    "bio_recognition": "none",
    "sec_credentials_input": "unknown",
    "gen_images": "no",
    "gen_management_decision": "no",
    "tool_source": "employee_initiative",
    "stage": "production",
    "pd_any": "yes",
    "pd_special": "yes",
    "pd_children": "yes",
    "pd_scale": 2,
    "pd_profiling": "no",
    "pd_monitoring": "no",
    "pd_combine": "no",
    "pd_basis": "no",
    "pd_minimise": "no",
    "pd_vendor_train": "unknown",
    "pd_transfer": "unknown",
    "pd_dpa": "no",
    "pd_dpia": "not_started",
    "gen_sensitive_input": "yes",
    "gen_enterprise_agreement": "no",
    "sec_classification": "confidential",
    "sec_hosting": "outside_eea",
}

# Ranking applicants for municipal housing: Annex III public services + profiling -> high risk, FRIA, DPIA.
HOUSING_RANKING = {
    **{k: v for k, v in COPILOT_LETTERS.items() if not k.startswith(("int_", "gen_"))},
    "title": "Prioritering av søknader om kommunal bolig",
    "cat_choice": "not_listed",  # 2026.3: the tool is not in the tool overview
    "description": (
        "Et innkjøpt system foreslår en rekkefølge for behandling av søknader om kommunal bolig ut fra "
        "opplysninger i søknaden. Saksbehandler fatter vedtaket."
    ),
    "owner": "Leder for boligkontoret",
    "ai_kind": ["self_developed"],
    "generates_content": "no",
    "citizen_free_text": "no",
    "bio_recognition": "none",
    "sec_credentials_input": "no",
    "role": "commission",
    "stage": "idea",
    "citizen_facing": "no",
    "decision_role": "decision_support",
    "affected": ["residents", "vulnerable_groups"],
    "pd_any": "yes",
    "problem": "Ventetiden på behandling er lang, og de mest akutte sakene blir ikke alltid sett først.",
    "benefit": 4,
    "users_reached": "many_residents",
    "no_go": "service_lost",
    "evidence": "none",
    "hr_area": ["public_services_benefits"],
    "hr_profiling": "yes",
    "sec_classification": "confidential",
    "pd_special": "yes",
    "pd_children": "yes",
    "pd_scale": 3,
    "pd_profiling": "yes",
    "pd_monitoring": "no",
    "pd_combine": "yes",
    "pd_basis": "yes",
    "pd_minimise": "yes",
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
    "fv_severity": 3,
    "fv_error_cost": 3,
    "dev_training_data_source": "own_registers",
    "dev_data_quality": "yes",
    "dev_accuracy_known": "no",
    "dev_continuous_learning": "no",
    "dev_versioning": "yes",
    "dev_ownership_agreed": "yes",
    "fria_process": "Forslag til behandlingsrekkefølge for søknader om kommunal bolig.",
    "fria_period": "Pilot i 12 måneder fra oppstart, deretter ny vurdering.",
    "fria_groups": "Søkere om kommunal bolig, blant dem barnefamilier og personer med nedsatt funksjonsevne.",
    "fria_harms": "Feil rekkefølge kan gi lengre ventetid for dem med størst behov.",
    "fria_oversight": "Saksbehandler ser alltid hele søknaden og kan endre rekkefølgen.",
    "fria_response": "Avvik meldes i avvikssystemet; systemet kan slås av og saker behandles manuelt.",
    "fria_rights": "Likebehandling, personvern og retten til en forsvarlig saksbehandling.",
}

# title -> (answers, decision, reason)
DEMO_DECISIONS = [
    (
        COPILOT_LETTERS,
        "approved",
        "Godt beskrevet pilot med tydelig menneskelig kontroll. Husk opplæring før bredere utrulling.",
    ),
    (
        FREE_CHATBOT,
        "rejected",
        "Saksnotater med personopplysninger kan ikke legges inn i et verktøy kommunen ikke har avtale om. "
        "Bruken må stanses; se veilederens «Du skal aldri».",
    ),
]


def seed_reports(users: dict) -> dict:
    """Approved and rejected demo assessments in Bydel Frogner, each with a ready report (idempotent)."""
    leader, reviewer = users["leder"], users["uke"]
    agency = Agency.objects.get(name="Bydel Frogner")
    questionnaire = Questionnaire.latest()
    made = {"created": 0, "reports_ready": 0}
    if questionnaire is None:
        return made
    for answers, decision, reason in DEMO_DECISIONS:
        assessment = Assessment.objects.filter(agency=agency, title=answers["title"]).first()
        if assessment is None:
            with transaction.atomic():
                assessment = services.assessment_create(
                    agency=agency,
                    user=leader,
                    title=answers["title"],
                    questionnaire=questionnaire,
                    answers=dict(answers),
                    source="demo",
                )
            services.assessment_submit(assessment=assessment, user=leader)
            if decision == "approved":
                services.assessment_approve(assessment=assessment, user=reviewer, comment=reason)
            else:
                services.assessment_reject(assessment=assessment, user=reviewer, reason=reason)
            made["created"] += 1
        # In-process even when a broker is configured: a worker that also gets the task finds it done.
        for report in Report.objects.filter(assessment=assessment, kind=Report.Kind.SIGNED).exclude(
            status=Report.Status.READY
        ):
            render_report.apply(args=(report.pk,))
        made["reports_ready"] += Report.objects.filter(
            assessment=assessment, kind=Report.Kind.SIGNED, status=Report.Status.READY
        ).count()
    return made
