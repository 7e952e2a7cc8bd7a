"""The corrections of questionnaire 2026.10 (docs/legal-sources.md, "Differences from 2026.9"), each tested on 2026.10
and against 2026.9, which gave the other advice for the same answers: a missing data processing agreement, a tool not
chosen yet, a model the agency runs itself on the municipality's platform, unknown hosting, and a vendor that trains on
confidential input without personal data."""

from collections import Counter

import pytest

from assessments.engine.screening import screening_for
from assessments.engine.visibility import is_required, question_shown
from tests import advice_helpers as advice
from tests.test_advice_2026_9 import REPEATED_IN_ENGLISH, cited_numbers

CORRECTIONS = advice.Corrections("2026.9", "2026.10", defaults=advice.NOT_LISTED)
V9, V10, V10_DIR = CORRECTIONS.old, CORRECTIONS.new, CORRECTIONS.folder
scored = CORRECTIONS.scored
SCENARIOS = advice.SCENARIOS
MAIL_SORTING = SCENARIOS / "mail_sorting_hosting_unknown.json"
ARCHIVE_KEYS = V10_DIR / "archive_key_suggestions_dpa_not_covering_ai.json"
REPORTS = SCENARIOS / "v2026_8" / "tool_not_decided_internal_reports.json"
HEARING = V10_DIR / "hearing_submissions_summary_tool_not_chosen.json"
MAINTENANCE = V10_DIR / "maintenance_forecast_platform_not_chosen.json"
ROUTER_CLOUD = SCENARIOS / "self_built_inquiry_router_cloud_api.json"
ROUTER_PLATFORM = V10_DIR / "self_built_inquiry_router_municipal_platform.json"
APPLICATIONS = V10_DIR / "building_application_sorting_hosting_unknown.json"
PROCURED_CHAT = SCENARIOS / "procured_chat_personal_data.json"
TENDER_V8 = SCENARIOS / "v2026_8" / "tender_evaluation_confidential_no_personal_data.json"
TENDER = V10_DIR / "tender_evaluation_vendor_trains_on_input.json"


def what_if_keys(result) -> set:
    return {change["key"] for change in result.to_dict()["what_if"]["changes"]}


# 1. No data processing agreement.


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        ({}, True),  # neither pd_dpa nor int_dpa_covers: the agreement predates the AI feature
        ({"pd_dpa": "yes"}, True),  # integrated AI: the agreement does not cover the AI feature
        ({"int_dpa_covers": "yes"}, True),
        ({"pd_dpa": "yes", "int_dpa_covers": "yes"}, False),
        ({"role": "build", "sec_hosting": "municipal_platform"}, False),  # no supplier, no processor
        ({"role": "build"}, True),  # self-built on a cloud service in the EU: the cloud provider processes
        ({"pd_any": "no"}, False),  # no personal data
    ],
    ids=["no_agreement", "int_dpa_covers_no", "pd_dpa_no", "agreement", "own_platform", "own_build_in_cloud", "no_pd"],
)
def test_a_supplier_processing_personal_data_without_an_agreement_holds_the_risk_high(changes, fires):
    result = scored(ARCHIVE_KEYS, **changes)
    assert ("no_data_processing_agreement" in result.rule_ids) is fires
    # The rule follows the obligation's own condition on a supplier or cloud service, with personal data.
    supplier = changes.get("sec_hosting") != "municipal_platform" and changes.get("pd_any") != "no"
    assert ("data_processing_agreement" in result.obligation_codes) is supplier


def test_2026_9_said_recommended_without_an_agreement():
    assert scored(MAIL_SORTING, V9, pd_dpa="no").verdict == "recommended"
    before, after = scored(ARCHIVE_KEYS, V9), scored(ARCHIVE_KEYS)
    assert before.verdict == "recommended" and before.rule_ids == []
    assert after.rule_ids == ["no_data_processing_agreement"]
    assert after.verdict == "proceed_with_safeguards"
    assert after.risk["level"] == "significant"


def test_no_agreement_is_no_stop_and_the_what_if_names_the_agreement():
    rule = V10.rule("no_data_processing_agreement")
    assert rule.effect == "high_risk"
    assert "art. 28 nr. 3" in rule.source and "Art. 28(3)" in rule.source_en and "del 3" in rule.source
    assert "KI-formål" in rule.explanation and "AI purposes" in rule.explanation_en
    result = scored(ARCHIVE_KEYS)
    assert result.verdict != "stop"
    assert "pd_dpa" in what_if_keys(result)
    assert V10.obligation("data_processing_agreement").measure == "pd_dpa"
    lifted = scored(ARCHIVE_KEYS, pd_dpa="yes", int_dpa_covers="yes")
    assert "no_data_processing_agreement" not in lifted.rule_ids and lifted.verdict == "recommended"


# 2. A tool not chosen yet.


@pytest.mark.parametrize("path", [REPORTS, HEARING, MAINTENANCE], ids=["reports", "hearing", "maintenance"])
def test_a_tool_not_chosen_holds_the_risk_high_and_does_not_stop(path):
    before, after = scored(path, V9), scored(path)
    assert before.verdict == "stop" and "sensitive_input_unmanaged_tool" in before.rule_ids
    assert after.verdict != "stop"
    assert "sensitive_input_unmanaged_tool" not in after.rule_ids
    assert "tool_not_chosen" in after.rule_ids and "choose_tool_under_agreement" in after.obligation_codes
    assert after.risk["axis"] == "high"


@pytest.mark.parametrize(
    ("tool_source", "stop", "not_chosen"),
    [("employee_initiative", True, False), ("not_decided", False, True), ("procured", False, False)],
)
def test_only_a_tool_staff_use_on_their_own_initiative_stops(tool_source, stop, not_chosen):
    result = scored(MAINTENANCE, tool_source=tool_source)
    assert ("sensitive_input_unmanaged_tool" in result.rule_ids) is stop
    assert ("tool_not_chosen" in result.rule_ids) is not_chosen
    assert ("choose_tool_under_agreement" in result.obligation_codes) is not_chosen


def test_a_tool_not_chosen_with_open_information_only_gets_no_rule():
    result = scored(MAINTENANCE, sec_classification="open")
    assert "tool_not_chosen" not in result.rule_ids


def test_the_stop_no_longer_names_a_tool_not_chosen_and_the_duty_says_what_to_do():
    stop = V10.rule("sensitive_input_unmanaged_tool")
    assert "ikke avklart ennå hvilket verktøy" not in stop.explanation
    assert "not been chosen yet" not in stop.explanation_en
    rule = V10.rule("tool_not_chosen")
    assert rule.effect == "high_risk"
    for ref in ("art. 25 nr. 1", "art. 28 nr. 1", "art. 35 nr. 1", "2.1.2", "del 3"):
        assert ref in rule.source, ref
    duty = V10.obligation("choose_tool_under_agreement")
    assert "databehandleravtale" in duty.why and "trener" in duty.why and "meld en endring" in duty.why
    assert "data processing agreement" in duty.why_en and "report a change" in duty.why_en


# 3. A model the agency runs itself on the municipality's platform.


def test_a_model_run_on_the_municipal_platform_does_not_stop():
    changes = {"sec_hosting": "municipal_platform", "gen_enterprise_agreement": "no", "pd_transfer": "no"}
    before, after = scored(ROUTER_CLOUD, V9, **changes), scored(ROUTER_CLOUD, **changes)
    assert before.verdict == "stop" and "sensitive_input_unmanaged_tool" in before.rule_ids
    assert after.verdict != "stop" and "sensitive_input_unmanaged_tool" not in after.rule_ids
    # No supplier processes the data, so no data processing agreement is listed, and the stop's text does not point
    # at one.
    assert "data_processing_agreement" not in after.obligation_codes
    assert scored(ROUTER_PLATFORM).verdict == "proceed_with_safeguards"


@pytest.mark.parametrize(
    ("changes", "stop"),
    [
        ({"sec_hosting": "cloud_eea"}, True),  # a cloud API without the municipality's agreement
        ({"role": "buy", "sec_hosting": "municipal_platform"}, True),  # a bought service: its agreement decides
        ({"gen_enterprise_agreement": "yes"}, False),
    ],
    ids=["cloud", "bought", "agreement"],
)
def test_the_no_agreement_branch_still_stops_other_services(changes, stop):
    assert ("sensitive_input_unmanaged_tool" in scored(ROUTER_PLATFORM, **changes).rule_ids) is stop


def test_the_texts_say_a_self_hosted_model_counts_as_an_agreement_and_a_dpa_where_a_supplier_processes():
    question = V10.questions["gen_enterprise_agreement"]
    assert "kommunens egen plattform" in question.help and "svar «Ja»" in question.help
    assert "municipality's own platform" in question.help_en and "answer 'Yes'" in question.help_en
    stop = V10.rule("sensitive_input_unmanaged_tool")
    assert "se pliktene" not in stop.explanation and "see the obligations" not in stop.explanation_en
    assert "Der en leverandør behandler personopplysninger" in stop.explanation
    assert "Where a supplier processes personal data" in stop.explanation_en


# 4. Unknown hosting.


@pytest.mark.parametrize(
    ("changes", "fires"),
    [({}, True), ({"sec_hosting": "cloud_eea"}, False), ({"pd_any": "no", "pd_dpa": None}, False)],
    ids=["unknown", "answered", "no_personal_data"],
)
def test_unknown_hosting_with_personal_data_holds_the_risk_high(changes, fires):
    result = scored(APPLICATIONS, **changes)
    assert ("hosting_unclarified" in result.rule_ids) is fires


def test_2026_9_said_recommended_with_unknown_hosting():
    for path in (MAIL_SORTING, APPLICATIONS):
        before, after = scored(path, V9), scored(path)
        assert before.verdict == "recommended"
        assert after.verdict == "proceed_with_safeguards" and after.rule_ids == ["hosting_unclarified"]


def test_unknown_hosting_is_a_fact_to_clear_up_not_a_measure():
    rule = V10.rule("hosting_unclarified")
    assert rule.effect == "high_risk"
    assert "art. 28 nr. 1" in rule.source and "art. 32" in rule.source and "kap. V" in rule.source
    assert "chapter V" in rule.source_en
    result = scored(APPLICATIONS)
    assert "sec_hosting" not in what_if_keys(result)
    assert "Uavklart hvor personopplysningene lagres" in result.to_dict()["what_if"]["note"]
    assert "personopplysninger" in V10.questions["sec_hosting"].help


# 5. A vendor that trains on confidential input without personal data.


def test_the_question_is_shown_for_confidential_input_and_required_without_personal_data():
    """Shown whenever prompts may hold confidential information, so that a contradiction reading personal data in
    does not hide an answer already given; required only where pd_vendor_train is not asked."""
    question = V10.questions["gen_vendor_train"]
    assert question.section == "generative"
    assert "interne eller taushetsbelagte informasjonen" in question.label
    assert "internal or confidential information" in question.label_en
    assert question.catalogue_field == V10.questions["pd_vendor_train"].catalogue_field
    for sensitive, pd_any, shown, required in [
        ("yes", "no", True, True),
        ("unknown", "no", True, True),
        ("no", "no", False, False),
        ("yes", "yes", True, False),  # with personal data pd_vendor_train is required; this one may be answered
        ("yes", "unknown", True, False),
    ]:
        answers = {"ai_kind": ["generative"], "gen_sensitive_input": sensitive, "pd_any": pd_any}
        assert question_shown(question, answers) is shown
        assert is_required(V10, question, answers) is required


def test_a_contradiction_reading_personal_data_in_keeps_the_vendor_training_stop():
    """Ranking residents without personal data is a contradiction whose worse reading is personal data: the
    answer that the vendor trains on the input must still stop the use."""
    result = scored(TENDER, gen_vendor_train="yes", hr_profiling="yes")
    assert "profiling_without_personal_data" in {c["id"] for c in result.to_dict()["consistency"]}
    assert "vendor_trains_on_confidential_input" in result.rule_ids and result.verdict == "stop"


def test_with_personal_data_the_stop_is_said_once():
    both = scored(TENDER, gen_vendor_train="yes", pd_any="yes", pd_vendor_train="yes")
    assert "vendor_trains_on_personal_data" in both.rule_ids
    assert "vendor_trains_on_confidential_input" not in both.rule_ids


def test_the_quick_path_carries_every_fact_of_the_tool_overview():
    catalogue_questions = {key for key, question in V10.questions.items() if question.catalogue_field}
    assert catalogue_questions <= set(screening_for(V10).given)


def test_a_tool_not_decided_but_already_piloted_still_stops():
    piloted = scored(HEARING, stage="pilot")
    assert "tool_not_decided_but_in_use" in {c["id"] for c in piloted.to_dict()["consistency"]}
    assert "sensitive_input_unmanaged_tool" in piloted.rule_ids and piloted.verdict == "stop"
    assert scored(HEARING).verdict != "stop"  # an idea: the tool is still to be chosen


def test_a_model_run_on_the_municipal_platform_has_no_tool_to_choose():
    self_hosted = scored(MAINTENANCE, sec_hosting="municipal_platform")
    assert "tool_not_chosen" not in self_hosted.rule_ids
    assert "tool_not_chosen" in scored(MAINTENANCE).rule_ids  # the platform is not decided


@pytest.mark.parametrize(
    ("answer", "stop", "unclarified"),
    [("yes", True, False), ("unknown", False, True), ("no", False, False), (None, False, False)],
)
def test_a_vendor_training_on_confidential_input_stops_and_dont_know_holds_the_risk_high(answer, stop, unclarified):
    result = scored(TENDER, gen_vendor_train=answer)
    assert ("vendor_trains_on_confidential_input" in result.rule_ids) is stop
    assert (result.verdict == "stop") is stop
    assert ("vendor_training_confidential_unclarified" in result.rule_ids) is unclarified


def test_2026_9_said_recommended_for_a_tender_tool_that_trains_on_the_tenders():
    assert scored(TENDER_V8, V9).verdict == "recommended"
    assert "gen_vendor_train" not in V9.questions
    assert scored(TENDER).verdict == "stop"


def test_the_rules_cite_the_guide_and_the_duty_of_confidentiality():
    for rule_id in ("vendor_trains_on_confidential_input", "vendor_training_confidential_unclarified"):
        rule = V10.rule(rule_id)
        assert "2.1.1 (prinsipp 3)" in rule.source and "§ 13" in rule.source
        assert "section 13" in rule.source_en
    assert V10.rule("vendor_trains_on_confidential_input").effect == "stop"
    assert V10.rule("vendor_training_confidential_unclarified").effect == "high_risk"


# The version as a whole.


def test_2026_10_keeps_the_questions_and_weights_of_2026_9_and_adds_one_without_points():
    assert set(V10.questions) - set(V9.questions) == {"gen_vendor_train"}
    new = V10.questions["gen_vendor_train"]
    assert not (new.risk or new.mitigation or new.need)
    for key, question in V9.questions.items():
        assert V10.questions[key].values == question.values, key
        for value in question.values:
            for axis in ("risk", "mitigation", "need"):
                assert V10.questions[key].points(axis, value) == question.points(axis, value), (key, value, axis)


def test_2026_10_adds_five_rules_and_one_obligation():
    new_rules = {rule.id for rule in V10.rules} - {rule.id for rule in V9.rules}
    assert new_rules == {
        "no_data_processing_agreement",
        "hosting_unclarified",
        "tool_not_chosen",
        "vendor_trains_on_confidential_input",
        "vendor_training_confidential_unclarified",
    }
    assert [rule for rule in new_rules if V10.rule(rule).effect == "stop"] == ["vendor_trains_on_confidential_input"]
    new_obligations = {o.code for o in V10.obligations} - {o.code for o in V9.obligations}
    assert new_obligations == {"choose_tool_under_agreement"}


# Every source in English cites the same numbers as the bokmål one: each question's (as 2026.9's test), and each new
# rule's and obligation's.
NEW_ITEMS = [V10.rule(rule.id) for rule in V10.rules if rule.id not in {r.id for r in V9.rules}] + [
    o for o in V10.obligations if o.code not in {old.code for old in V9.obligations}
]
SOURCED = (
    [("section", q) for q in V10.questions.values() if q.source]
    + [("screening", q) for q in screening_for(V10).questions if q.source]
    + [("item", item) for item in NEW_ITEMS]
)


@pytest.mark.parametrize(
    ("kind", "item"), SOURCED, ids=lambda value: getattr(value, "key", None) or getattr(value, "id", None) or value
)
def test_every_source_has_an_english_source_citing_the_same_numbers(kind, item):
    key = getattr(item, "key", None)
    assert item.source_en, f"{key or item} has no source_en"
    extra = Counter(REPEATED_IN_ENGLISH.get((kind, key), []))
    assert cited_numbers(item.source_en) == cited_numbers(item.source) + extra


# 6. Texts a first-time leader tripped over.


def test_a_bought_ready_made_product_has_a_kind_of_ai_that_fits():
    integrated = next(c for c in V10.questions["ai_kind"].choices if c.value == "integrated")
    before = next(c for c in V9.questions["ai_kind"].choices if c.value == "integrated")
    assert "kjøpes nå" in integrated.label and "bought now" in integrated.label_en
    assert "kjøpes nå" not in before.label
    assert V10.section("integrated").title == "Integrert KI i ferdige verktøy"


def test_help_texts_ask_only_for_what_their_question_takes():
    assert "første steg" in V10.questions["eq_consulted"].help  # the description is on the first step
    assert "Beskriv" not in V10.questions["sec_fallback"].help  # a yes/no question
    assert "hytt og pine" not in V10.questions["p_face_scraping"].label
    assert "saken deres" in V10.questions["tr_disclose"].help and "their case" in V10.questions["tr_disclose"].help_en


def test_the_profiling_stop_speaks_of_the_vulnerable_people_it_covers():
    rule = V10.rule("profiling_vulnerable_without_basis")
    assert "sårbare personer" in rule.explanation and "vulnerable people" in rule.explanation_en
    assert "75" in rule.source and "75" in rule.source_en
