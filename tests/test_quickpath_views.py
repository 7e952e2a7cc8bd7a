"""The quick path's pages: "Ny vurdering" offers it first, the screening form (radio buttons, «Usikker» always),
its result, submitting as forenklet, the wizard showing the carried answers, and UKE's review."""

import re

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import assessment_approve
from assessments.services import catalogue as catalogue_service
from assessments.services import quickpath as service
from tests.catalogue_helpers import DRAFTING, make_tool, published_v3, screened
from tests.test_quickpath_services import approved_simplified, next_assessment

pytestmark = pytest.mark.django_db


def screening_post(world, tool, **changes):
    return {"agency": world.agency_a.pk, "title": "Skriveassistent", "cat_choice": tool, **DRAFTING, **changes}


def test_new_offers_the_quick_check_first_and_the_full_wizard(world):
    published_v3()
    client = world.client("leader_a")
    page = client.get(reverse("assessments:assessment_new")).content.decode()
    assert "Start hurtigsjekken" in page and reverse("assessments:quickpath_new") in page
    page = client.get(reverse("assessments:assessment_new") + "?full=1").content.decode()
    assert "Start hurtigsjekken" not in page


def test_the_screening_form_lists_tools_and_always_offers_unsure(world):
    published_v3()
    make_tool(world)
    page = world.client("leader_a").get(reverse("assessments:quickpath_new")).content.decode()
    assert "Kommunechat" in page
    assert page.count('value="unsure"') == 12  # every question, twelve at most
    assert "Gå rett til hele skjemaet" in page


def test_without_a_screening_the_page_sends_to_the_full_start(world, questionnaire):
    response = world.client("leader_a").get(reverse("assessments:quickpath_new"))
    assert response.status_code == 302 and response.url == reverse("assessments:assessment_new")


def test_a_drafting_assistant_is_submitted_as_forenklet(world):
    published_v3()
    tool = make_tool(world)
    client = world.client("leader_a")
    response = client.post(reverse("assessments:quickpath_new"), screening_post(world, tool.ref))
    assert response.status_code == 302
    assessment = Assessment.objects.get(title="Skriveassistent")
    page = client.get(response.url).content.decode()
    assert "Lav risiko etter hurtigsjekk" in page and "Send inn som forenklet vurdering" in page

    response = client.post(reverse("assessments:quickpath_submit", args=[assessment.uuid]))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.path == "simplified"
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Resultat av hurtigsjekken" in page and "Lav risiko etter hurtigsjekk" in page

    reviewer = world.client("reviewer")
    page = reviewer.get(reverse("assessments:review_detail", args=[assessment.uuid])).content.decode()
    assert "Lav risiko etter hurtigsjekk" in page and "Krev full vurdering" in page


def test_the_screening_sent_twice_creates_one_draft(world):
    published_v3()
    tool = make_tool(world)
    client = world.client("leader_a")
    page = client.get(reverse("assessments:quickpath_new")).content.decode()
    token = re.search(r'name="creation_token" value="([0-9a-f-]{36})"', page).group(1)
    first = client.post(reverse("assessments:quickpath_new"), screening_post(world, tool.ref, creation_token=token))
    again = client.post(
        reverse("assessments:quickpath_new"), screening_post(world, tool.ref, creation_token=token), follow=True
    )
    assessment = Assessment.objects.get(title="Skriveassistent")
    assert first.url == again.redirect_chain[0][0] == reverse("assessments:quickpath_result", args=[assessment.uuid])
    assert "Utkastet ble bare opprettet én gang" in again.content.decode()


def test_the_draft_page_leads_back_to_an_open_quick_check_and_only_to_an_open_one(world):
    published_v3()
    tool = make_tool(world)
    client = world.client("leader_a")
    client.post(reverse("assessments:quickpath_new"), screening_post(world, tool.ref))
    open_one = Assessment.objects.get(title="Skriveassistent")
    back = f'href="{reverse("assessments:quickpath_result", args=[open_one.uuid])}"'
    page = client.get(open_one.get_absolute_url()).content.decode()
    assert back in page and "Tilbake til hurtigsjekken" in page
    # Not for UKE, who cannot send it in, and not once it is sent in.
    assert back not in world.client("reviewer").get(open_one.get_absolute_url()).content.decode()
    client.post(reverse("assessments:quickpath_submit", args=[open_one.uuid]))
    assert back not in client.get(open_one.get_absolute_url()).content.decode()
    # A quick check that sends the leader to the full form has no way back to offer.
    client.post(
        reverse("assessments:quickpath_new"),
        screening_post(world, tool.ref, title="Barnas skriveassistent", scr_personal_data="children"),
    )
    closed = Assessment.objects.get(title="Barnas skriveassistent")
    assert "Tilbake til hurtigsjekken" not in client.get(closed.get_absolute_url()).content.decode()


def screening_result(world, **changes):
    """The leader's quick check on an approved overview tool with `changes`: the tool, the client and the result
    page it leads to."""
    published_v3()
    tool = make_tool(world)
    client = world.client("leader_a")
    response = client.post(reverse("assessments:quickpath_new"), screening_post(world, tool.ref, **changes))
    return tool, client, client.get(response.url).content.decode()


def test_childrens_data_goes_to_the_wizard_with_the_reason_and_the_answers(world):
    _tool, client, page = screening_result(world, scr_personal_data="children")
    assert "Tiltaket trenger en full vurdering" in page
    assert "Opplysningene gjelder barn eller andre sårbare" in page
    assert "Send inn som forenklet vurdering" not in page and "Fortsett i hele skjemaet" in page
    assessment = Assessment.objects.get(title="Skriveassistent")
    assert assessment.answers["pd_children"] == "yes"
    # The wizard shows the carried answer as answered.
    step = Assessment.objects.get(pk=assessment.pk).questionnaire.definition
    section = next(s["key"] for s in step["sections"] if any(q["key"] == "decision_role" for q in s["questions"]))
    page = client.get(reverse("assessments:assessment_step", args=[assessment.uuid, section])).content.decode()
    assert re.search(r'<input[^>]*value="internal_support"[^>]*checked', page), page[:200]


def test_a_closed_screening_cannot_be_submitted(world):
    published_v3()
    assessment, _result = screened(world, "X", tool="not_listed")
    client = world.client("leader_a")
    response = client.post(reverse("assessments:quickpath_submit", args=[assessment.uuid]), follow=True)
    assert "Fortsett i hele skjemaet" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_bad_input_is_refused_with_the_answers_kept(world):
    published_v3()
    response = world.client("leader_a").post(
        reverse("assessments:quickpath_new"), screening_post(world, "ukjent@9", title="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Gi vurderingen et navn." in page
    assert re.search(r'<input[^>]*value="internal"[^>]*checked', page)
    assert not Assessment.objects.exists()


def test_uke_requires_the_full_assessment(world):
    published_v3()
    assessment, _result = screened(world, "X")
    version = service.screening_submit(assessment=assessment, user=world.users["leader_a"])
    response = world.client("reviewer").post(
        reverse("assessments:quickpath_require_full", args=[assessment.uuid]),
        {"full-version": version.number, "full-reason": "Brukes bredt."},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "returned" and assessment.path == "full"


def test_the_register_marks_a_simplified_assessment_and_filters_by_it(world, django_capture_on_commit_callbacks):
    published_v3()
    assessment, _result = screened(world, "Forenklet sak")
    service.screening_submit(assessment=assessment, user=world.users["leader_a"])
    assessment_approve(assessment=assessment, user=world.users["reviewer"])
    client = world.client("reviewer")
    page = client.get(reverse("assessments:register") + "?verdict=low_after_screening").content.decode()
    assert "Forenklet sak" in page and "forenklet" in page
    page = client.get(reverse("assessments:register") + "?verdict=recommended").content.decode()
    assert "Forenklet sak" not in page


FULL_REQUIRED = "Denne vurderingen må gjøres i hele skjemaet"


def test_after_a_change_of_the_use_the_quick_path_is_not_offered_and_the_reason_is_shown(world):
    old, _tool = approved_simplified(world)
    client = world.client("leader_a")
    # Reporting the change already says so.
    page = client.get(reverse("assessments:material_change", args=[old.uuid])).content.decode()
    assert "Den nye vurderingen blir en full vurdering" in page
    new = next_assessment(world, old, ["data"])
    page = client.get(reverse("assessments:quickpath_result", args=[new.uuid])).content.decode()
    assert FULL_REQUIRED in page and "Nye data eller nye kilder" in page
    assert "Send inn som forenklet vurdering" not in page and "Fortsett i hele skjemaet" in page
    response = client.post(reverse("assessments:quickpath_submit", args=[new.uuid]), follow=True)
    assert "Etter en vesentlig endring må vurderingen gjøres i hele skjemaet" in response.content.decode()
    new.refresh_from_db()
    assert new.status == "draft" and not new.versions.exists()
    # The old one replaced nothing: its page says nothing of it.
    assert FULL_REQUIRED not in client.get(old.get_absolute_url()).content.decode()


def test_after_its_tool_changed_in_the_overview_the_next_assessment_says_it_is_full(world):
    old, tool = approved_simplified(world)
    catalogue_service.tool_change(entry=tool.entry, data={"max_class": "open"}, actor=world.users["reviewer"])
    new = next_assessment(world, old, ["tool"], screened=False)  # as the material change opens it
    page = world.client("leader_a").get(new.get_absolute_url()).content.decode()
    assert FULL_REQUIRED in page
    assert "Endring i verktøyoversikten" in page and "mindre følsom informasjon enn før" in page


def test_the_result_marks_what_may_apply_apart_from_what_does(world):
    """Special categories send the leader on; whether children are concerned was not asked, so it may apply."""
    tool, _client, page = screening_result(world, scr_personal_data="special")
    items = dict(re.findall(r"<li>([^<]+)(?: <span class=\"hint\">\(([^)]*)\)</span>)?</li>", page))
    assert items["Opplysningene gjelder barn eller andre sårbare"] == "kan gjelde, avklares i hele skjemaet"
    assert items[f"{tool.name} er ikke godkjent for personopplysninger"] == ""  # it does apply
