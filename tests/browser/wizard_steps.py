"""Walking the wizard in a browser: the answers of the journey and how a step is filled.

The answers describe a generative tool with personal data (so both branches are on), bought and procured
(so no stop rule fires) and reviewed by people: a plan that UKE can approve. Questions are found on the
page itself (each is a `div.question` with id `q-<key>`), so the walk follows whatever the questionnaire
shows, and fails when it shows a question this file has no answer for.
"""

import re

from playwright.sync_api import expect

ANSWERS = {
    # intro
    "title": "Skrivehjelp for byggesaksbrev",
    "description": "En generativ språkmodell foreslår utkast til svarbrev i byggesaker. Saksbehandleren "
    "leser, retter og sender selv.",
    "owner": "Enhetsleder for byggesak",
    "cat_choice": "not_listed",  # 2026.3: not in the tool overview, so the tool's facts are answered below
    "ai_kind": ["generative"],
    "generates_content": "yes",
    "role": "buy",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "pilot",
    "citizen_facing": "no",
    "citizen_free_text": "no",
    "decision_role": "none",
    "affected": ["employees", "residents"],
    "pd_any": "yes",
    # need
    "problem": "Lang svartid på enkle henvendelser i byggesaker.",
    "goals": "Halvere tiden til første svar; måles i sakssystemet.",
    "benefit": "3",
    "users_reached": "unit",
    "no_go": "slow",
    "alternatives": "yes",
    "evidence": "test",
    "mandate": "yes",
    # prohibited
    **{
        key: "no"
        for key in (
            "p_manipulation",
            "p_exploit_vulnerability",
            "p_social_scoring",
            "p_crime_prediction",
            "p_face_scraping",
            "p_emotion_workplace_school",
            "p_biometric_categorisation",
            "p_intimate_imagery",
        )
    },
    # high_risk
    "hr_area": ["none"],
    "hr_profiling": "no",
    "hr_exempt": "none",
    "hr_product": "no",
    "bio_recognition": "none",
    # personal_data
    "pd_special": "no",
    "pd_children": "no",
    "pd_scale": "1",
    "pd_profiling": "no",
    "pd_monitoring": "no",
    "pd_combine": "no",
    "pd_basis": "yes",
    "pd_minimise": "yes",
    "pd_vendor_train": "no",
    "pd_transfer": "no",
    "pd_dpa": "yes",
    "pd_dpia": "done_acceptable",
    # decisions (shown once decision_role is changed to decision_support)
    "fv_individual_decisions": "no",
    "fv_discretion": "no",
    "fv_explain": "yes",
    "fv_document": "yes",
    "fv_reversibility": "1",
    "fv_duration": "1",
    "fv_severity": "1",
    "fv_error_cost": "1",
    # equality
    "eq_protected_attributes": "no",
    "eq_proxy_checked": "yes",
    "eq_groups_tested": "partly",
    "eq_representative_data": "yes",
    "eq_universal_design": "yes",
    "eq_consulted": "yes",
    # transparency
    "tr_disclose": "yes",
    "tr_label": "yes",
    "tr_explain": "3",
    "ho_human_review": "yes",
    "ho_override": "yes",
    "ho_training": "yes",
    "ho_complaints": "yes",
    "ho_owner": "yes",
    # security
    "sec_classification": "internal",
    "sec_credentials_input": "no",
    "sec_hosting": "cloud_eea",
    "sec_abuse": "no",
    "sec_access_control": "yes",
    "arc_records_kept": "yes",
    "arc_access_requests": "yes",
    "sec_fallback": "yes",
    # generative
    "gen_sensitive_input": "no",
    "gen_enterprise_agreement": "yes",
    "gen_fact_check": "yes",
    "gen_copyright": "yes",
    "gen_pilot": "yes",
    "gen_output_use": "internal_draft",
    "gen_images": "no",
    "gen_management_decision": "yes",
}
# Optional questions the journey leaves empty on purpose.
# Not required for these answers: the legal basis for automated decisions, and (2026.3) the facts of a tool from
# the tool overview, which the journey does not pick.
UNANSWERED = {
    "fv_basis_auto",
    "cat_ref",
    "cat_name",
    "cat_status",
    "cat_max_class",
    "cat_personal_data",
    "cat_special_categories",
    "cat_deviation",
}

STEP_URL = re.compile(r"/steg/([a-z_]+)/")


def current_step(page) -> str:
    match = STEP_URL.search(page.url)
    assert match, f"not on a wizard step: {page.url}"
    return match.group(1)


def step_count(page) -> int:
    """m in the heading's "Steg n av m"."""
    match = re.search(r"Steg (\d+) av (\d+)", page.locator("h1").inner_text())
    assert match, f"no 'Steg n av m' in the heading on {page.url}"
    return int(match.group(2))


def progress_titles(page) -> list[str]:
    """The step titles in the progress list, without numbers and "(not available yet)" notes."""
    titles = []
    for text in page.locator(".wizard-progress li").all_inner_texts():
        first_line = text.strip().splitlines()[0]
        titles.append(re.sub(r"^\d+\.\s*", "", first_line).split(" (")[0].strip())
    return titles


def question_keys(page) -> list[str]:
    return [block.get_attribute("id")[2:] for block in page.locator("div.question").all()]


def answer_question(page, step: str, key: str, value) -> None:
    name = f"{step}-{key}"
    inputs = page.locator(f'[name="{name}"]')
    assert inputs.count(), f"no input named {name} on {page.url}"
    first = inputs.first
    kind = first.get_attribute("type") or first.evaluate("e => e.tagName.toLowerCase()")
    if kind == "radio":
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    elif kind == "checkbox":
        wanted = set(value)
        for box in inputs.all():
            box.set_checked(box.get_attribute("value") in wanted)
    else:
        first.fill(value)


def answer_step(page, answers: dict = ANSWERS) -> list[str]:
    """Answer every question shown on the current step; returns their keys."""
    step = current_step(page)
    keys = question_keys(page)
    for key in keys:
        if key in UNANSWERED:
            continue
        assert key in answers, f"the journey has no answer for {key!r} on step {step}"
        answer_question(page, step, key, answers[key])
    return keys


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def save_and_continue(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Lagre og fortsett"))
    expect(page.locator(".error-summary")).to_have_count(0)
