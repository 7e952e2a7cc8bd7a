"""The pages around an assessment: who sees what in each state, and that the actions do what they say."""

import re
import uuid

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, AuditEvent
from tests import answers as A
from tests.assessment_helpers import make_assessment, recalled_and_changed

pytestmark = pytest.mark.django_db

ROLES = ["leader_a", "contributor_a", "leader_b", "reviewer", "auditor", "anonymous"]
# state -> expected status of the assessment page per role (the visibility table in docs/permissions.md)
DETAIL = {
    "draft": [200, 404, 404, 404, 404, 302],
    "draft_invited": [200, 200, 404, 404, 404, 302],
    "submitted": [200, 200, 404, 200, 200, 302],
    "recalled": [200, 200, 404, 200, 200, 302],
    "withdrawn_draft": [200, 404, 404, 404, 404, 302],
}


def build(world, state: str) -> Assessment:
    complete = A.complete()
    if state == "draft":
        return make_assessment(world, "Utkast", answers=complete)
    if state == "draft_invited":
        return make_assessment(world, "Delt utkast", answers=complete, invite=True)
    assessment = make_assessment(world, "Sendt", answers=complete, submit=state in ("submitted", "recalled"))
    if state == "recalled":
        services.assessment_recall(assessment=assessment, user=world.users["leader_a"])
    if state == "withdrawn_draft":
        services.assessment_withdraw(assessment=assessment, user=world.users["leader_a"])
    return assessment


CASES = [(state, role, status) for state, row in DETAIL.items() for role, status in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize(("state", "role", "status"), CASES, ids=[f"{s}-{r}" for s, r, _ in CASES])
def test_who_sees_the_assessment_page(world, questionnaire, state, role, status):
    assessment = build(world, state)
    response = world.client(role).get(reverse("assessments:assessment_detail", args=[assessment.uuid]))
    assert response.status_code == status
    if status == 404:
        assert assessment.title not in response.content.decode()


def test_the_page_shows_the_live_draft_result_to_its_editors(world, questionnaire):
    assessment = make_assessment(world, "Levende resultat", answers=A.complete(p_social_scoring="unknown"))
    html = world.client("leader_a").get(assessment.get_absolute_url()).content.decode()
    assert "fra utkastet slik det er lagret nå" in html
    assert "Konklusjon: Stopp" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "Forbudt KI-praksis" in html or "forbudt" in html.lower()
    assert "Fortsett utfyllingen" in html


def test_reviewers_see_the_submitted_version_not_the_recalled_draft(world, questionnaire):
    assessment = recalled_and_changed(world, "Versjon og utkast", problem="Ny hemmelig tekst")
    html = world.client("reviewer").get(assessment.get_absolute_url()).content.decode()
    assert "fra versjon 1" in html
    assert A.NEED["problem"] in html and "Ny hemmelig tekst" not in html
    assert "Fortsett utfyllingen" not in html and "Hent tilbake" not in html


def test_home_offers_new_assessment_to_leaders_only(world, questionnaire):
    assert "Ny vurdering" in world.client("leader_a").get(reverse("assessments:home")).content.decode()
    assert "Ny vurdering" not in world.client("contributor_a").get(reverse("assessments:home")).content.decode()


def test_a_leader_starts_an_assessment_and_lands_on_the_first_step(world, questionnaire):
    client = world.client("leader_a")
    page = client.get(reverse("assessments:assessment_new")).content.decode()
    assert f'value="{world.agency_a.pk}" selected' in page
    response = client.post(
        reverse("assessments:assessment_new"), {"agency": world.agency_a.pk, "title": "Ny chatbot"}, follow=True
    )
    assessment = Assessment.objects.get(title="Ny chatbot")
    assert response.redirect_chain[-1][0] == reverse("assessments:assessment_step", args=[assessment.uuid, "intro"])
    assert assessment.agency == world.agency_a and assessment.created_by == world.users["leader_a"]


def test_the_new_assessment_form_sent_twice_creates_one_draft(world, questionnaire):
    client = world.client("leader_a")
    url = reverse("assessments:assessment_new")
    tokens = [re.search(r'name="creation_token" value="([0-9a-f-]{36})"', client.get(url).content.decode())
              for _ in range(2)]  # fmt: skip
    assert tokens[0] and tokens[1] and tokens[0].group(1) != tokens[1].group(1)  # a new one with every page
    data = {"agency": world.agency_a.pk, "title": "Sendt to ganger", "creation_token": tokens[0].group(1)}
    first = client.post(url, data)
    again = client.post(url, {**data, "title": "Endret navn"}, follow=True)
    assessment = Assessment.objects.get()
    assert assessment.title == "Sendt to ganger" and first.url == again.redirect_chain[0][0]
    assert again.redirect_chain[0][0] == reverse("assessments:assessment_continue", args=[assessment.uuid])
    assert "Utkastet ble bare opprettet én gang" in again.content.decode()
    client.post(url, {**data, "title": "Nytt skjema", "creation_token": tokens[1].group(1)})
    assert Assessment.objects.count() == 2  # another page shown, another draft


def test_the_report_language_is_chosen_on_the_form_bokmal_unless_changed_and_shown_on_the_page(world, questionnaire):
    """A leader whose browser speaks English sees the pages in English, but the report and the e-mails are in
    bokmål unless the form says otherwise; the choice stands on the assessment's page."""
    client = world.client("leader_a")
    url = reverse("assessments:assessment_new")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<option value="nb" selected>\s*Norwegian', page), "bokmål is the preselected language"
    assert "Language of the report and the e-mails" in page
    english_page = {"agency": world.agency_a.pk, "title": "Bokmål fra engelsk side", "language": "nb"}
    client.post(url, english_page, HTTP_ACCEPT_LANGUAGE="en")
    client.post(url, {"agency": world.agency_a.pk, "title": "Engelsk rapport", "language": "en"})
    chosen = dict(Assessment.objects.values_list("title", "language"))
    assert chosen == {"Bokmål fra engelsk side": "nb", "Engelsk rapport": "en"}
    english = Assessment.objects.get(language="en")
    shown = client.get(reverse("assessments:assessment_detail", args=[english.uuid])).content.decode()
    form = shown.split('id="sprak"', 1)[1].split("</form>", 1)[0]  # the leader may change it on the draft
    assert re.search(r'<option value="en" selected>\s*Engelsk', form)


def test_a_form_sent_with_someone_elses_token_is_refused_with_a_message_not_an_error_page(world, questionnaire):
    url = reverse("assessments:assessment_new")
    token = str(uuid.uuid4())
    world.client("leader_a").post(url, {"agency": world.agency_a.pk, "title": "Først", "creation_token": token})
    data = {"agency": world.agency_b.pk, "title": "Lånt", "creation_token": token}
    response = world.client("leader_b").post(url, data)
    assert response.status_code == 400
    assert "Skjemaet kunne ikke sendes. Last siden på nytt og prøv igjen." in response.content.decode()
    assert list(Assessment.objects.values_list("title", flat=True)) == ["Først"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Ukjent språk", "language": "sv"}, "Velg bokmål eller engelsk"),
        ({"title": "x" * 201}, "201 tegn"),
        ({"title": ""}, "Gi vurderingen et navn"),
        ({"title": "I en annen virksomhet", "agency": "other"}, "Velg en virksomhet du er leder for"),
    ],
)
def test_new_assessment_refuses_bad_input(world, questionnaire, data, message):
    agency = world.agency_b.pk if data.get("agency") == "other" else world.agency_a.pk
    response = world.client("leader_a").post(reverse("assessments:assessment_new"), {**data, "agency": agency})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_leader_invites_and_removes_a_contributor_on_the_page(world, questionnaire):
    assessment = make_assessment(world, "Invitasjoner")
    client = world.client("leader_a")
    url = reverse("assessments:assessment_contributors", args=[assessment.uuid])
    contributor = world.users["contributor_a"]
    assert client.post(url, {"contributor": contributor.pk}).status_code == 302
    assert list(assessment.contributors.all()) == [contributor]
    assert world.client("contributor_a").get(assessment.get_absolute_url()).status_code == 200
    assert client.post(url, {"remove": contributor.pk}).status_code == 302
    assert not assessment.contributors.exists()
    assert world.client("contributor_a").get(assessment.get_absolute_url()).status_code == 404


def test_a_person_outside_the_agency_cannot_be_invited_on_the_page(world, questionnaire):
    assessment = make_assessment(world, "Bare egne")
    response = world.client("leader_a").post(
        reverse("assessments:assessment_contributors", args=[assessment.uuid]),
        {"contributor": world.users["leader_b"].pk},
    )
    assert response.status_code == 200
    assert "Velg en bidragsyter i virksomheten" in response.content.decode()
    assert not assessment.contributors.exists()


def test_recall_and_withdraw_from_the_page(world, questionnaire):
    assessment = make_assessment(world, "Livsløp", answers=A.complete(), submit=True)
    client = world.client("leader_a")
    assert "Hent tilbake til utkast" in client.get(assessment.get_absolute_url()).content.decode()
    recalled = client.post(reverse("assessments:assessment_recall", args=[assessment.uuid]), follow=True)
    assert "UKE ser den ikke i køen før du sender den inn på nytt" in recalled.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    confirm = client.get(reverse("assessments:assessment_withdraw", args=[assessment.uuid]))
    assert "Dette kan ikke angres" in confirm.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT  # a GET changes nothing
    client.post(reverse("assessments:assessment_withdraw", args=[assessment.uuid]))
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.WITHDRAWN
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Trekk vurderingen" not in page and "Fortsett utfyllingen" not in page


def test_recall_twice_is_refused_with_a_message(world, questionnaire):
    assessment = make_assessment(world, "To ganger", answers=A.complete(), submit=True)
    client = world.client("leader_a")
    client.post(reverse("assessments:assessment_recall", args=[assessment.uuid]))
    response = client.post(reverse("assessments:assessment_recall", args=[assessment.uuid]), follow=True)
    assert "kan hentes tilbake" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT


def test_the_checklist_points_to_the_plan_once_there_is_one(world, questionnaire):
    draft = make_assessment(world, "Utkast", answers=A.complete())
    page = world.client("leader_a").get(draft.get_absolute_url()).content.decode()
    assert "Når vurderingen er sendt inn, blir pliktene punkter" in page
    sent = make_assessment(world, "Sendt inn", answers=A.complete(), submit=True)
    page = world.client("leader_a").get(sent.get_absolute_url()).content.decode()
    assert "Pliktene er punkter i tiltaksplanen" in page and "Når vurderingen er sendt inn, blir" not in page
    assert reverse("assessments:plan_detail", args=[sent.uuid]) in page
    services.assessment_recall(assessment=sent, user=world.users["leader_a"])
    page = world.client("leader_a").get(sent.get_absolute_url()).content.decode()
    assert "Når vurderingen er sendt inn, blir pliktene punkter" in page  # the draft's result, not the plan's


def test_a_returned_assessment_on_the_home_page_tells_each_member_what_is_theirs_to_do(world):
    assessment = make_assessment(world, "Returnert chatbot", answers=A.complete(), submit=True)
    services.assessment_return(assessment=assessment, user=world.users["reviewer"], reason="Mangler svar.")
    home = reverse("assessments:home")
    leader = world.client("leader_a").get(home).content.decode()
    contributor = world.client("contributor_a").get(home).content.decode()
    assert "Returnert chatbot" in leader and "Returnert chatbot" in contributor
    assert "rett svarene og send inn på nytt" in leader
    assert "rett svarene og send inn på nytt" not in contributor
    assert "Lederen eller en invitert bidragsyter retter svarene, og lederen sender inn på nytt." in contributor


def test_the_leader_changes_the_report_language_on_a_draft_and_it_is_logged(world, questionnaire):
    assessment = make_assessment(world, "Språkbytte", answers=A.complete())
    client = world.client("leader_a")
    page = client.get(reverse("assessments:assessment_detail", args=[assessment.uuid])).content.decode()
    assert 'action="{}"'.format(reverse("assessments:assessment_language", args=[assessment.uuid])) in page
    response = client.post(reverse("assessments:assessment_language", args=[assessment.uuid]), {"language": "en"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.language == "en"
    event = AuditEvent.objects.get(action="assessment.language_changed")
    assert event.details == {"from": "nb", "to": "en"}
    refused = client.post(reverse("assessments:assessment_language", args=[assessment.uuid]), {"language": "sv"})
    assert refused.status_code == 302 and Assessment.objects.get(pk=assessment.pk).language == "en"
    assert "Velg bokmål eller engelsk." in client.get(refused.url).content.decode()


def test_a_submitted_assessment_keeps_its_report_language(world, questionnaire):
    assessment = make_assessment(world, "Innsendt språk", answers=A.complete(), submit=True)
    client = world.client("leader_a")
    page = client.get(reverse("assessments:assessment_detail", args=[assessment.uuid])).content.decode()
    assert reverse("assessments:assessment_language", args=[assessment.uuid]) not in page
    response = client.post(reverse("assessments:assessment_language", args=[assessment.uuid]), {"language": "en"})
    assert response.status_code == 409
    assert Assessment.objects.get(pk=assessment.pk).language == "nb"
