"""The wizard, walked as a browser walks it: one POST per step, following the redirects it answers with."""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from assessments import labels, services
from assessments.engine.loader import as_definition
from assessments.engine.visibility import missing_required
from assessments.models import Assessment, AssessmentVersion, AuditEvent
from assessments.views.wizard import MISSING_NAMED
from tests import answers as A
from tests.assessment_helpers import make_assessment

pytestmark = pytest.mark.django_db


def full(**overrides) -> dict:
    """An answer for every question of every section, then `overrides` (None removes the answer)."""
    data = {}
    for values in A.SECTIONS.values():
        data.update(values)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def new_draft(client, world, title="Copilot i Word for saksbehandlere") -> Assessment:
    response = client.post(reverse("assessments:assessment_new"), {"agency": world.agency_a.pk, "title": title})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Assessment.objects.get(agency=world.agency_a, title=title)


def step_url(assessment, step: str) -> str:
    return reverse("assessments:assessment_step", args=[assessment.uuid, step])


def post_step(client, assessment, step: str, answers: dict, **kwargs):
    assessment.refresh_from_db()
    return client.post(
        step_url(assessment, step),
        A.step_post(step, A.section_of(step, answers), assessment.revision, **kwargs),
    )


def walk(client, assessment, answers: dict) -> list[str]:
    """Answer each step the wizard leads to, until it sends us to the summary; the steps in order."""
    response = client.get(reverse("assessments:assessment_continue", args=[assessment.uuid]))
    steps = []
    while True:
        assert response.status_code == 302, response.content.decode()[:3000]
        step = resolve(response.url).kwargs["step"]
        if step == "summary":
            return steps
        assert step not in steps, f"the wizard came back to {step}"
        page = client.get(response.url)
        assert page.status_code == 200
        steps.append(step)
        response = post_step(client, assessment, step, answers)


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def leader(world, questionnaire):
    return world.client("leader_a")


# --- branching: each branch walked from "Ny vurdering" to submitted ---

BASE = A.BASE_STEPS
BRANCHES = [
    ("base", {}, BASE),
    (
        "generative_adds_its_step",
        {"ai_kind": ["generative"]},
        ["intro", "need", "prohibited", "high_risk", "equality", "transparency", "security", "generative"],
    ),
    (
        "integrated_and_generative",
        {"ai_kind": ["integrated", "generative"]},
        [*BASE[:-1], "generative", "integrated"],
    ),
    (
        "personal_data_when_pd_any_yes",
        {"pd_any": "yes"},
        ["intro", "need", "prohibited", "high_risk", "personal_data", *BASE[4:]],
    ),
    (
        "personal_data_when_pd_any_unknown",
        {"pd_any": "unknown"},
        ["intro", "need", "prohibited", "high_risk", "personal_data", *BASE[4:]],
    ),
    (
        "decision_support_adds_decisions",
        {"decision_role": "decision_support"},
        ["intro", "need", "prohibited", "high_risk", "decisions", *BASE[4:]],
    ),
    (
        "automated_decision_adds_decisions",
        {"decision_role": "automated_decision"},
        ["intro", "need", "prohibited", "high_risk", "decisions", *BASE[4:]],
    ),
    ("self_developed_by_role", {"role": "build"}, [*BASE[:-1], "self_developed", "integrated"]),
    (
        "high_risk_adds_fria",
        {"hr_area": ["public_services_benefits"], "hr_profiling": "yes"},
        [*BASE, "fria"],
    ),
    ("regulated_product_adds_fria", {"hr_product": "unknown"}, [*BASE, "fria"]),
    (
        "everything",
        {
            "ai_kind": ["integrated", "self_developed", "generative"],
            "pd_any": "yes",
            "decision_role": "decision_support",
            "hr_area": ["education"],
            "hr_profiling": "yes",
        },
        [
            "intro",
            "need",
            "prohibited",
            "high_risk",
            "personal_data",
            "decisions",
            "equality",
            "transparency",
            "security",
            "generative",
            "self_developed",
            "integrated",
            "fria",
        ],
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), [b[1:] for b in BRANCHES], ids=[b[0] for b in BRANCHES])
def test_it_walks_each_branch_and_submits(world, leader, overrides, expected):
    answers = full(**overrides)
    assessment = new_draft(leader, world)
    assert walk(leader, assessment, answers) == expected

    summary = leader.get(step_url(assessment, "summary"))
    assert summary.status_code == 200
    assert "Send inn til UKE" in text_of(summary)
    assessment.refresh_from_db()
    response = leader.post(
        step_url(assessment, "summary"),
        {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "submit"},
    )
    assert response.status_code == 302 and response.url == assessment.get_absolute_url()

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    version = assessment.versions.get()
    assert version.number == 1 and version.submitted_by == world.users["leader_a"]
    shown_keys = {key for step in expected for key in A.SECTIONS[step]}
    assert set(version.answers) <= shown_keys
    assert version.result["complete"] is True
    assert version.verdict == version.result["verdict"] and version.quadrant == version.result["quadrant"]
    assert AuditEvent.objects.filter(action="assessment.submitted", object_id=str(assessment.uuid)).exists()


@pytest.mark.parametrize(
    ("overrides", "verdict"), [({}, "recommended"), ({"p_manipulation": "yes"}, "stop")], ids=["as_answered", "stop"]
)
def test_the_confirmation_names_the_conclusion_being_submitted(world, leader, overrides, verdict):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(**overrides))
    assessment.refresh_from_db()
    page = text_of(
        leader.post(
            step_url(assessment, "summary"),
            {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "confirm"},
        )
    )
    assert f"Konklusjonen du sender inn: {labels.VERDICTS[verdict]}." in page
    assert ("UKE kan ikke godkjenne vurderingen" in page) is (verdict == "stop")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT  # confirming is not submitting


def test_an_incomplete_draft_posted_to_confirm_gets_the_summary_not_a_provisional_conclusion(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(decision_role="automated_decision", fv_basis_auto=None))
    assessment.refresh_from_db()
    data = {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "confirm"}
    response = leader.post(step_url(assessment, "summary"), data)
    assert response.status_code == 302 and response.url == step_url(assessment, "summary")


def test_a_review_decided_the_same_day_is_said_to_take_under_a_day(world, leader):
    for number in range(3):
        decided = make_assessment(world, f"Avgjort {number}", answers=full(), submit=True)
        services.assessment_approve(assessment=decided, user=world.users["reviewer"])
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    assessment.refresh_from_db()
    data = {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "confirm"}
    page = text_of(leader.post(step_url(assessment, "summary"), data))
    assert "tar vanligvis under en dag" in page and "omtrent 0 dager" not in page


def test_the_progress_counts_steps_as_branching_changes(world, leader):
    assessment = new_draft(leader, world)
    first = leader.get(step_url(assessment, "intro"))
    assert "Steg 1 av 8" in text_of(first)  # 7 steps shown before any answer + the summary
    assert "antallet steg kan endre seg" in text_of(first)
    post_step(leader, assessment, "intro", full(pd_any="yes", ai_kind=["integrated", "generative"]))
    second = leader.get(step_url(assessment, "need"))
    assert "Steg 2 av 11" in text_of(second)
    assert "Personopplysninger" in text_of(second) and "Generativ KI" in text_of(second)


def test_pd_any_no_removes_the_personal_data_step_and_its_answers_are_dropped(world, leader):
    assessment = new_draft(leader, world)
    assert "personal_data" in walk(leader, assessment, full(pd_any="yes"))
    response = post_step(leader, assessment, "intro", full(pd_any="no"), action="save")
    assert response.status_code == 302

    summary = leader.get(step_url(assessment, "summary"))
    html = text_of(summary)
    assert summary.status_code == 200
    assert "Noen svar tas ikke med" in html
    assert "Personopplysninger og DPIA" in html  # named in the notice, as the section of the dropped answers
    progress = re.search(r'<ol class="progress">.*?</ol>', html, re.S).group(0)
    assert "Personopplysninger" not in progress

    assessment.refresh_from_db()
    assert "pd_special" in assessment.answers  # kept in the draft, should the answer change back
    leader.post(
        step_url(assessment, "summary"),
        {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "submit"},
    )
    version = assessment.versions.get()
    assert not any(key.startswith("pd_") and key != "pd_any" for key in version.answers)


def test_choosing_generative_later_adds_its_step_before_the_summary(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    post_step(leader, assessment, "intro", full(ai_kind=["integrated", "generative"]), action="save")
    response = leader.get(step_url(assessment, "summary"))
    assert response.status_code == 302 and response.url == step_url(assessment, "generative")
    assert walk(leader, assessment, full()) == ["generative", "integrated"]


# --- drafts live in the database ---


def test_the_draft_survives_a_new_session_on_another_device(world, leader):
    assessment = new_draft(leader, world)
    answers = full(description="Skrevet på jobb-PC-en i går.")
    post_step(leader, assessment, "intro", answers)
    post_step(leader, assessment, "need", answers)
    assert not [key for key in leader.session.keys() if key.startswith("wizard")]

    tomorrow = Client()
    tomorrow.force_login(world.users["leader_a"])
    response = tomorrow.get(reverse("assessments:assessment_continue", args=[assessment.uuid]))
    assert response.url == step_url(assessment, "prohibited")
    intro = text_of(tomorrow.get(step_url(assessment, "intro")))
    assert "Skrevet på jobb-PC-en i går." in intro
    assert re.search(r'value="buy"[^>]*checked', intro)


def test_the_summary_says_where_the_duties_are_followed_up(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    page = text_of(leader.get(step_url(assessment, "summary")))
    assert "Plikter – sjekkliste" in page
    assert "blir pliktene punkter i tiltaksplanen" in page


def test_the_summary_lists_its_parts_and_each_link_has_a_target(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    page = leader.get(step_url(assessment, "summary")).content.decode()
    nav = re.search(r'<nav class="page-contents".*?</nav>', page, re.S).group(0)
    targets = re.findall(r'href="#([\w-]+)"', nav)
    assert {"result-title", "obligations-title", "submit-title", "answers"} <= set(targets)
    for target in targets:
        assert page.count(f'id="{target}"') == 1, target
    obligations = len(re.findall(r"<li>\s*<p><span class=\"checkbox\"", page))
    assert obligations and f"{obligations} plikter" in nav


def post_back(client, assessment, step: str, answers: dict, query: str, **kwargs):
    """A step posted to its own URL with `query`, as the browser does (the form has no action)."""
    assessment.refresh_from_db()
    data = A.step_post(step, A.section_of(step, answers), assessment.revision, **kwargs)
    return client.post(step_url(assessment, step) + query, data)


def test_a_missing_answer_opened_from_the_summary_is_saved_back_to_the_summary(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(decision_role="automated_decision", fv_basis_auto=None))
    summary = text_of(leader.get(step_url(assessment, "summary")))
    link = step_url(assessment, "decisions") + "?tilbake=summary#q-fv_basis_auto"
    assert f'href="{link}"' in summary
    page = text_of(leader.get(step_url(assessment, "decisions") + "?tilbake=summary"))
    assert "Lagre og gå til oppsummeringen" in page
    answers = full(decision_role="automated_decision", fv_basis_auto="yes")
    # "Lagre" stays on the step and keeps the way back; "Lagre og fortsett" then goes to the summary.
    response = post_back(leader, assessment, "decisions", answers, "?tilbake=summary", action="save")
    assert response.url == step_url(assessment, "decisions") + "?tilbake=summary"
    response = post_back(leader, assessment, "decisions", answers, "?tilbake=summary")
    assert response.status_code == 302 and response.url == step_url(assessment, "summary")


@pytest.mark.parametrize("query", ["", "?tilbake=intro", "?tilbake=https://evil.example.org/"])
def test_without_the_way_back_save_and_continue_goes_to_the_next_step(world, leader, query):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    response = post_back(leader, assessment, "high_risk", full(), query)
    assert response.url == step_url(assessment, "equality")


def test_the_way_back_is_ignored_while_the_summary_is_not_reached(world, leader):
    assessment = new_draft(leader, world)
    response = post_back(leader, assessment, "intro", full(), "?tilbake=summary")
    assert response.url == step_url(assessment, "need")


def test_each_save_is_confirmed_with_the_time(world, leader):
    assessment = new_draft(leader, world)
    response = post_step(leader, assessment, "intro", full())
    page = leader.get(response.url)
    assert re.search(r"Lagret kl\. \d\d:\d\d:\d\d", text_of(page))


def test_a_new_draft_says_it_is_created_until_its_first_step_is_refused(world, leader):
    assessment = new_draft(leader, world)
    created = "Utkastet er opprettet"
    assert created in text_of(leader.get(step_url(assessment, "intro")))
    refused = text_of(post_step(leader, assessment, "intro", full(description="x" * 5001)))
    # Beside "not saved" the note that answers are saved would read as a contradiction.
    assert "ble ikke lagret" in refused and created not in refused


def _marked_required(page: str, key: str) -> bool:
    block = page.split(f'id="q-{key}"', 1)[1].split("</legend>", 1)[0]
    return "må besvares" in block


def test_a_conditionally_required_question_is_marked_and_named_when_left_empty(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(decision_role="decision_support"))
    assert not _marked_required(text_of(leader.get(step_url(assessment, "decisions"))), "fv_basis_auto")
    post_step(leader, assessment, "intro", full(decision_role="automated_decision"))
    page = text_of(leader.get(step_url(assessment, "decisions")))
    assert _marked_required(page, "fv_basis_auto")
    # Left empty, the warning on the next page names the step and the question, not just a count.
    response = post_step(leader, assessment, "decisions", full(decision_role="automated_decision", fv_basis_auto=None))
    shown = text_of(leader.get(response.url))
    link = f'<a href="{step_url(assessment, "decisions")}">Forvaltningsrett og avgjørelser</a>'
    assert f"Steget «{link}» har 1 påkrevd spørsmål uten svar" in shown
    assert f"«{A.DEFINITION.questions['fv_basis_auto'].label}»" in shown


def test_a_step_left_mostly_empty_is_linked_and_counted_not_quoted_question_by_question(world, leader):
    assessment = new_draft(leader, world)
    intro = {q.key for q in A.DEFINITION.section("intro").questions}
    response = post_step(leader, assessment, "intro", {})
    shown = text_of(leader.get(response.url))
    missing = [k for k in missing_required(A.DEFINITION, {}) if k in intro]
    assert len(missing) > MISSING_NAMED
    link = f'<a href="{step_url(assessment, "intro")}">{A.DEFINITION.section("intro").title}</a>'
    assert f"Steget «{link}» har {len(missing)} påkrevde spørsmål uten svar. Du kan svare senere" in shown
    assert f"«{A.DEFINITION.questions[missing[0]].label}»" not in shown


def test_an_invited_contributor_edits_the_draft_but_cannot_submit(world, leader):

    assessment = new_draft(leader, world)
    services.assessment_invite_contributor(
        assessment=assessment, user=world.users["leader_a"], contributor=world.users["contributor_a"]
    )
    contributor = world.client("contributor_a")
    assert walk(contributor, assessment, full()) == BASE
    summary = contributor.get(step_url(assessment, "summary"))
    assert "Bare virksomhetslederen kan sende inn" in text_of(summary)
    assessment.refresh_from_db()
    response = contributor.post(
        step_url(assessment, "summary"),
        {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "submit"},
    )
    assert response.status_code == 403
    assert assessment.versions.count() == 0


# --- navigation keeps what was typed ---


def test_going_back_saves_the_current_step_first(world, leader):
    assessment = new_draft(leader, world)
    answers = full(problem="Et problem skrevet før jeg gikk tilbake.")
    post_step(leader, assessment, "intro", answers)
    response = post_step(leader, assessment, "need", answers, action="prev")
    assert response.url == step_url(assessment, "intro")
    assessment.refresh_from_db()
    assert assessment.answers["problem"] == "Et problem skrevet før jeg gikk tilbake."


def test_jumping_to_a_visited_step_saves_the_current_step_first(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    response = post_step(
        leader,
        assessment,
        "security",
        full(sec_hosting="municipal_platform"),
        action="next",
        wizard_goto_step="need",
    )
    assert response.url == step_url(assessment, "need")
    assessment.refresh_from_db()
    assert assessment.answers["sec_hosting"] == "municipal_platform"


def test_a_step_that_does_not_validate_keeps_the_input_on_screen_instead_of_navigating(world, leader):
    assessment = new_draft(leader, world)
    post_step(leader, assessment, "intro", full())
    answers = full(problem="Dette skal ikke forsvinne.", benefit=9)
    response = post_step(leader, assessment, "need", answers, action="prev")
    html = text_of(response)
    assert response.status_code == 400
    assert "Dette skal ikke forsvinne." in html
    assert "ikke et gyldig valg" in html
    assert "Gå videre uten å lagre" in html and step_url(assessment, "intro") in html
    assessment.refresh_from_db()
    assert "problem" not in assessment.answers


# --- bad input: refused, nothing from the request stored, nothing saved lost ---


@pytest.fixture
def started(world, leader):
    """A draft whose first step is saved."""
    assessment = new_draft(leader, world)
    post_step(leader, assessment, "intro", full())
    assessment.refresh_from_db()
    return assessment


def unchanged(assessment, before: Assessment) -> bool:
    assessment.refresh_from_db()
    return (assessment.answers, assessment.revision, assessment.visited_steps) == (
        before.answers,
        before.revision,
        before.visited_steps,
    )


BAD_STEP_VALUES = [
    ("invalid_choice", "intro", {"role": "sell"}, "ikke et gyldig valg"),
    ("invalid_multi_value", "intro", {"ai_kind": ["integrated", "quantum"]}, "ikke et gyldig valg"),
    ("none_combined", "high_risk", {"hr_area": ["none", "education"]}, "kan ikke kombineres"),
    ("scale_out_of_range", "need", {"benefit": 5}, "ikke et gyldig valg"),
    ("scale_not_a_number", "need", {"benefit": "mye"}, "ikke et gyldig valg"),
    ("text_over_5000", "intro", {"description": "x" * 5001}, "5001 tegn"),
    ("title_over_200", "intro", {"title": "x" * 201}, "201 tegn"),
]


@pytest.mark.parametrize(
    ("step", "bad", "message"), [b[1:] for b in BAD_STEP_VALUES], ids=[b[0] for b in BAD_STEP_VALUES]
)
def test_it_refuses_bad_values_with_a_linked_norwegian_error(world, leader, started, step, bad, message):
    walk(leader, started, full())
    started.refresh_from_db()
    before = Assessment.objects.get(pk=started.pk)
    response = post_step(leader, started, step, full(**bad))
    html = text_of(response)
    assert response.status_code == 400
    assert message in html
    key = next(iter(bad))
    assert f'id="id_{step}-{key}_error"' in html
    described = " ".join(re.findall(r'aria-describedby="([^"]*)"', html)).split()
    assert f"id_{step}-{key}_error" in described
    assert "data-error-summary" in html
    assert unchanged(started, before)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("nb", "«{label}» kan ikke kombineres med andre valg."),
        ("en", "“{label}” cannot be combined with other choices."),
    ],
)
def test_none_combined_is_refused_naming_the_visible_choice_in_the_users_language(
    world, leader, started, language, sentence
):
    leader.post(reverse("set_language"), {"language": language, "next": "/"})
    walk(leader, started, full())
    response = post_step(leader, started, "high_risk", full(hr_area=["none", "education"]))
    assert response.status_code == 400
    question = as_definition(started.questionnaire.definition).questions["hr_area"]
    label = question.choice_label("none", language)
    assert label != "none"
    html = text_of(response)
    assert sentence.format(label=label) in html
    assert "«none»" not in html and "“none”" not in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "Svarene på dette steget ble ikke lagret: 1 feil må rettes"),
        ("en", "The answers on this step were not saved: 1 error must be corrected"),
    ],
)
def test_the_error_summary_says_the_steps_answers_were_not_saved(world, leader, started, language, heading):
    leader.post(reverse("set_language"), {"language": language, "next": "/"})
    walk(leader, started, full())
    response = post_step(leader, started, "need", full(benefit=5))
    assert response.status_code == 400
    assert heading in text_of(response)


def test_text_at_the_limits_is_accepted_and_line_breaks_count_once(world, leader, started):
    description = ("y" * 99 + "\r\n") * 49 + "z" * 50  # 4950 + 49 line breaks, each sent as CRLF
    title = "t" * 200
    response = post_step(leader, started, "intro", full(description=description, title=title))
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.answers["description"] == description.replace("\r\n", "\n").strip()
    assert started.answers["title"] == title and started.title == title


def test_it_refuses_a_post_whose_management_form_names_another_step(world, leader, started):
    before = Assessment.objects.get(pk=started.pk)
    data = A.step_post("need", A.section_of("need", full()), started.revision)
    data[f"{A.PREFIX}-current_step"] = "intro"  # forged: the need step's data claiming to be intro
    response = leader.post(step_url(started, "need"), data)
    assert response.status_code == 400
    assert "et annet steg" in text_of(response)
    assert unchanged(started, before)


def test_it_refuses_a_tampered_management_form(world, leader, started):
    before = Assessment.objects.get(pk=started.pk)
    data = A.step_post("need", A.section_of("need", full()), started.revision)
    del data[f"{A.PREFIX}-current_step"]
    response = leader.post(step_url(started, "need"), data)
    assert response.status_code == 400
    assert "Ingenting ble lagret" in text_of(response)
    assert unchanged(started, before)


@pytest.mark.parametrize("revision", ["", "abc", "-1"])
def test_it_refuses_a_missing_or_malformed_revision(world, leader, started, revision):
    before = Assessment.objects.get(pk=started.pk)
    data = A.step_post("need", A.section_of("need", full()), 0)
    data["revision"] = revision
    assert leader.post(step_url(started, "need"), data).status_code == 400
    assert unchanged(started, before)


def test_it_refuses_a_revision_from_the_future(world, leader, started):
    before = Assessment.objects.get(pk=started.pk)
    data = A.step_post("need", A.section_of("need", full()), started.revision + 5)
    assert leader.post(step_url(started, "need"), data).status_code == 409
    assert unchanged(started, before)


def test_it_refuses_a_skipped_step(world, leader, started):
    before = Assessment.objects.get(pk=started.pk)
    response = post_step(leader, started, "security", full())
    assert response.status_code == 400
    assert "hoppes over" in text_of(response)
    assert unchanged(started, before)
    # Opening it is not possible either: the wizard sends the user to the first open step.
    response = leader.get(step_url(started, "security"), follow=True)
    assert response.redirect_chain[-1][0] == step_url(started, "need")
    assert "det første steget du ikke har åpnet ennå" in text_of(response)


def test_it_refuses_a_post_to_a_step_that_branching_hides(world, leader, started):
    walk(leader, started, full())  # pd_any = no: no personal data step
    started.refresh_from_db()
    before = Assessment.objects.get(pk=started.pk)
    response = post_step(leader, started, "personal_data", full())
    assert response.status_code == 400
    assert "vises ikke" in text_of(response)
    assert unchanged(started, before)
    assert leader.get(step_url(started, "personal_data")).status_code == 302


def test_an_unknown_step_is_not_found(world, leader, started):
    assert leader.get(step_url(started, "nonsense")).status_code == 404
    data = A.step_post("nonsense", {}, started.revision)
    assert leader.post(step_url(started, "nonsense"), data).status_code == 404


def test_it_refuses_to_submit_with_required_answers_missing(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(problem="", benefit=None))
    assessment.refresh_from_db()
    summary = text_of(leader.get(step_url(assessment, "summary")))
    assert "kan ikke sendes inn før 2 påkrevde spørsmål er besvart" in summary
    assert 'href="#missing-answers"' in summary and 'id="missing-answers"' in summary  # the note links to the list
    assert 'value="submit"' not in summary
    response = leader.post(
        step_url(assessment, "summary"),
        {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "submit"},
    )
    assert response.status_code == 400
    assert "påkrevde spørsmål" in text_of(response)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    assert not AssessmentVersion.objects.exists()


def test_a_submitted_assessment_cannot_be_edited_through_the_wizard(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    assessment.refresh_from_db()
    leader.post(
        step_url(assessment, "summary"),
        {f"{A.PREFIX}-current_step": "summary", "revision": assessment.revision, "action": "submit"},
    )
    assert leader.get(step_url(assessment, "intro")).url == assessment.get_absolute_url()
    assert post_step(leader, assessment, "intro", full(title="Endret etterpå")).status_code == 403
    assessment.refresh_from_db()
    assert assessment.answers["title"] == A.INTRO["title"]


# --- two writers ---


@pytest.fixture
def shared(world, leader):

    assessment = new_draft(leader, world)
    services.assessment_invite_contributor(
        assessment=assessment, user=world.users["leader_a"], contributor=world.users["contributor_a"]
    )
    walk(leader, assessment, full())
    assessment.refresh_from_db()
    return assessment


def test_two_writers_on_the_same_answers_are_detected_and_the_second_keeps_the_input(world, leader, shared):
    contributor = world.client("contributor_a")
    seen = shared.revision  # both open the need step at this revision
    first = leader.post(
        step_url(shared, "need"),
        A.step_post("need", A.section_of("need", full(problem="Lederens beskrivelse.")), seen),
    )
    assert first.status_code == 302

    second = contributor.post(
        step_url(shared, "need"),
        A.step_post("need", A.section_of("need", full(problem="Bidragsyterens beskrivelse.")), seen),
    )
    html = text_of(second)
    assert second.status_code == 409
    assert "Noen andre har lagret endringer" in html
    assert "Lederens beskrivelse." in html  # what is saved now
    assert "Bidragsyterens beskrivelse." in html  # the second writer's input, still on screen
    shared.refresh_from_db()
    assert shared.answers["problem"] == "Lederens beskrivelse."

    # Saving again, now knowing about the change, is a deliberate choice and goes through.
    new_revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    third = contributor.post(
        step_url(shared, "need"),
        A.step_post("need", A.section_of("need", full(problem="Bidragsyterens beskrivelse.")), int(new_revision)),
    )
    assert third.status_code == 302
    shared.refresh_from_db()
    assert shared.answers["problem"] == "Bidragsyterens beskrivelse."


def test_two_writers_on_different_steps_are_merged_and_told(world, leader, shared):
    contributor = world.client("contributor_a")
    seen = shared.revision
    leader.post(
        step_url(shared, "need"),
        A.step_post("need", A.section_of("need", full(problem="Lederens beskrivelse.")), seen),
    )
    response = contributor.post(
        step_url(shared, "security"),
        A.step_post("security", A.section_of("security", full(sec_hosting="municipal_platform")), seen),
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.answers["problem"] == "Lederens beskrivelse."
    assert shared.answers["sec_hosting"] == "municipal_platform"
    page = text_of(contributor.get(response.url))
    assert "Mens du fylte ut, lagret noen andre svar" in page


def test_a_branching_change_by_another_writer_keeps_the_input_of_the_hidden_step(world, leader):

    assessment = new_draft(leader, world)
    services.assessment_invite_contributor(
        assessment=assessment, user=world.users["leader_a"], contributor=world.users["contributor_a"]
    )
    walk(leader, assessment, full(pd_any="yes"))
    assessment.refresh_from_db()
    seen = assessment.revision
    leader.post(
        step_url(assessment, "intro"),
        A.step_post("intro", A.section_of("intro", full(pd_any="no")), seen, action="save"),
    )
    response = world.client("contributor_a").post(
        step_url(assessment, "personal_data"),
        A.step_post("personal_data", A.section_of("personal_data", full(pd_scale=4)), seen),
    )
    html = text_of(response)
    assert response.status_code == 409
    assert "vises ikke" in html
    assert re.search(r'value="4"[^>]*checked', html)
    assessment.refresh_from_db()
    assert assessment.answers["pd_scale"] == A.PERSONAL_DATA["pd_scale"]


def test_a_stale_summary_is_not_submitted(world, leader, shared):
    seen = shared.revision
    world.client("contributor_a").post(
        step_url(shared, "need"),
        A.step_post("need", A.section_of("need", full(problem="Endret rett før innsending.")), seen),
    )
    response = leader.post(
        step_url(shared, "summary"),
        {f"{A.PREFIX}-current_step": "summary", "revision": seen, "action": "submit"},
    )
    assert response.status_code == 409
    assert "Endret rett før innsending." in text_of(response)
    assert shared.versions.count() == 0


# --- page structure: help, error summary, no scripts needed ---


def test_each_question_has_its_help_in_a_details_element_and_the_page_needs_no_inline_script(world, leader):
    assessment = new_draft(leader, world)
    html = text_of(leader.get(step_url(assessment, "intro")))
    assert html.count('<details class="help">') == 12
    assert "<script>" not in html and " style=" not in html
    assert '<form method="post" id="wizard-form"' in html


@pytest.mark.parametrize(("reply", "message"), [
    ("x" * (services.REVIEW_COMMENT_MAX_LENGTH + 1), "Svaret er for langt"),
    ("Målene\x00 er endret", "tegn som ikke kan lagres"),  # PostgreSQL refuses NUL: an error, not a 500
])  # fmt: skip
def test_a_reply_to_uke_that_cannot_be_kept_keeps_the_saved_answers_and_shows_the_reply_again(
    world, leader, reply, message
):

    assessment = new_draft(leader, world)
    walk(leader, assessment, full())
    assessment.refresh_from_db()
    services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    reviewer = world.users["reviewer"]
    comment = services.review_comment_add(assessment=assessment, user=reviewer, text="Mål?", question_key="goals")
    services.assessment_return(assessment=assessment, user=reviewer, reason="Rett målene.")
    response = post_step(
        leader, assessment, "need", full(goals="Nye mål."), action="next", **{f"reply-{comment.pk}": reply}
    )
    html = text_of(response)
    assert response.status_code == 200
    assert message in html and reply.replace("\x00", "") in html.replace("\x00", "").replace("&#x0;", "")
    assessment.refresh_from_db()
    assert assessment.answers["goals"] == "Nye mål."
    comment.refresh_from_db()
    assert not comment.reply


def test_a_step_names_only_the_answers_that_added_it(world, leader):
    """The self-built step follows a self-built kind of AI *or* building it: answered "integrated" and "we
    build it", only the second is the reason, though the step's condition names both questions."""
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(role="build"))
    page = text_of(leader.get(step_url(assessment, "self_developed")))
    added_by = re.search(r'<p class="added-by">(.*?)</p>', page, re.S).group(1)
    assert A.DEFINITION.questions["role"].label in added_by
    assert A.DEFINITION.questions["ai_kind"].label not in added_by


def test_the_new_page_and_every_step_say_what_dont_know_does(world, leader):
    assert "«Vet ikke»: det regnes som svaret som gir høyest risiko" in text_of(
        leader.get(reverse("assessments:assessment_new"))
    )
    assessment = new_draft(leader, world)
    assert "«Vet ikke» regnes som svaret som gir høyest risiko" in text_of(leader.get(step_url(assessment, "intro")))


def test_the_step_list_marks_a_visited_step_with_required_answers_missing(world, leader):
    assessment = new_draft(leader, world)
    walk(leader, assessment, full(problem="", benefit=None))
    page = text_of(leader.get(step_url(assessment, "summary")))
    unfinished = re.findall(r"(\d+)\. ([^<]+)</(?:button|a|span)><span class=\"progress-unfinished\">", page)
    assert [title for _number, title in unfinished] == [A.DEFINITION.section("need").title]


def test_a_stopped_result_says_in_short_what_stops_it_and_what_sending_it_in_means(world, leader):
    stopped = make_assessment(world, "Utkast med stopp", answers=A.complete(p_emotion_workplace_school="unknown"))
    stopped.visited_steps = A.BASE_STEPS
    stopped.save(update_fields=["visited_steps"])
    page = text_of(leader.get(step_url(stopped, "summary")))
    short = re.search(r'<ul class="verdict__short">(.*?)</ul>', page, re.S).group(1)
    assert "Stopper tiltaket: Forbudt KI-praksis." in short and "plikter må følges opp" in short
    assert "Konklusjonen er «Stopp». Kan du endre eller avklare" in page
    calm = make_assessment(world, "Utkast uten stopp", answers=A.complete())
    calm.visited_steps = A.BASE_STEPS
    calm.save(update_fields=["visited_steps"])
    page = text_of(leader.get(step_url(calm, "summary")))
    assert "Stopper tiltaket" not in page and "Konklusjonen er «Stopp»" not in page
