"""The action plan pages: the review's approval with conditions, the plan and item pages, evidence upload
errors, the go-live gate, exports, the register and UKE's overdue overview."""

import datetime as dt
import html
import io
import re

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Evidence, PlanItem, norwegian_slugify
from tests.answers import complete
from tests.assessment_helpers import PDF, make_assessment


@pytest.fixture
def assessment(world):
    return make_assessment(world, "Planside i bydel A", answers=complete(), submit=True)


def approve(world, assessment, **conditions):
    data = {"approve-version": 1, "approve-reason": "", "confirmed": 1}
    data.update({f"conditions-{k}": v for k, v in conditions.items()})
    return world.client("reviewer").post(reverse("assessments:review_approve", args=[assessment.uuid]), data)


def test_the_approve_form_offers_the_plan_items(world, assessment):
    page = world.client("reviewer").get(reverse("assessments:review_detail", args=[assessment.uuid]))
    item = assessment.plan_items.first()
    assert 'name="conditions-before_use"' in page.content.decode() and item.title in page.content.decode()


def test_the_approve_form_has_one_row_per_item_with_a_labelled_box_for_each_condition(world, assessment):
    page = world.client("reviewer").get(reverse("assessments:review_detail", args=[assessment.uuid])).content.decode()
    table = page.split('class="data conditions-table"', 1)[1].split("</table>", 1)[0]
    items = list(assessment.plan_items.filter(required=True))
    assert table.count("<tr>") == len(items) + 1  # the header row and one per item, not two lists of the items
    for item in items:
        for name, condition in (("before_use", "før løsningen tas i bruk"), ("deadline", "innen en frist")):
            box = re.search(
                rf'<input type="checkbox" name="conditions-{name}" value="{item.pk}"[^>]*id="([^"]+)"', table
            )
            assert box, (item.key, name)
            label = re.search(rf'<label class="visually-hidden" for="{box.group(1)}">([^<]+)</label>', table)
            assert label and item.title in label.group(1) and condition in label.group(1)


def test_the_approval_marks_before_use_and_deadline_items(world, assessment):
    first, second = assessment.plan_items.order_by("pk")[:2]
    day = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    response = approve(world, assessment, before_use=[first.pk], deadline=[second.pk], deadline_date=day)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.before_use and not second.before_use and second.condition_due.isoformat() == day
    page = world.client("leader_a").get(reverse("assessments:plan_item", args=[assessment.uuid, second.pk]))
    assert "UKE har satt fristen til" in page.content.decode()  # the empty field is the agency's own deadline


def test_a_deadline_without_a_date_is_a_clear_error_and_nothing_is_decided(world, assessment):
    item = assessment.plan_items.first()
    response = approve(world, assessment, deadline=[item.pk])
    assert response.status_code == 400 and "Velg en frist" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_a_refused_condition_is_in_the_error_summary_linked_to_its_field(world, assessment):
    first, second = assessment.plan_items.filter(required=True)[:2]
    response = approve(world, assessment, deadline=[first.pk])
    summary = response.content.decode().split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_conditions-deadline_date">Godkjenn – Velg en frist' in summary
    response = approve(world, assessment, before_use=[second.pk], deadline=[second.pk], deadline_date="2099-01-01")
    summary = response.content.decode().split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert '<a href="#approval-conditions">Godkjenn – Et tiltak kan ikke både' in summary
    assert 'id="approval-conditions"' in response.content.decode()


def test_the_leader_cannot_record_in_use_until_before_use_items_are_done(world, assessment):
    item = assessment.plan_items.first()
    approve(world, assessment, before_use=[item.pk])
    leader = world.client("leader_a")
    in_use = reverse("assessments:plan_in_use", args=[assessment.uuid])
    today = timezone.localdate().isoformat()
    refused = leader.post(in_use, {"since": today})
    assert refused.status_code == 400 and item.title in refused.content.decode()
    evidence_url = reverse("assessments:plan_evidence_add", args=[assessment.uuid, item.pk])
    assert leader.post(evidence_url, {"file": SimpleUploadedFile("dpia.pdf", PDF)}).status_code == 302
    item_url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    assert leader.post(item_url, {"status": "done"}).status_code == 302
    assert leader.post(in_use, {"since": today}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.in_use_since == timezone.localdate()
    register = world.client("reviewer").get(reverse("assessments:register")).content.decode()
    assert "i bruk fra" in register


def test_the_plan_page_names_a_condition_done_without_a_record_before_the_go_live_is_tried(world, assessment):
    """Done before UKE made it a condition: the page links it with what to add; a comment clears it."""
    item = assessment.plan_items.first()
    leader = world.client("leader_a")
    item_url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    assert leader.post(item_url, {"status": "done"}).status_code == 302
    approve(world, assessment, before_use=[item.pk])
    plan_url = reverse("assessments:plan_detail", args=[assessment.uuid])
    alert = leader.get(plan_url).content.decode().split('id="blocking"', 1)[1].split("</div>", 1)[0]
    assert "mangler dokumentasjon" in alert and f'href="{item_url}"' in alert
    documented = {"status": "done", "comment": "DPIA godkjent av personvernombudet."}
    assert leader.post(item_url, documented).status_code == 302
    assert 'id="blocking"' not in leader.get(plan_url).content.decode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bilde.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "er ikke det navnet sier"),
        ("virus.exe", b"MZ\x90\x00", "Bare disse filtypene"),
        ("!!!", b"%PDF-1.7\n%%EOF\n", "Filnavnet «fil» har ingen filtype"),  # nothing left of the name: no 400 page
        ("«»", b"%PDF-1.7\n%%EOF\n", "Filnavnet «fil» har ingen filtype"),
        ("../../../etc/passwd", b"%PDF-1.7\n%%EOF\n", "Filnavnet «passwd» har ingen filtype. Gi filen navn som"),
        ("rapport.", b"%PDF-1.7\n%%EOF\n", "Filnavnet «rapport.» har ingen filtype"),
    ],
)
def test_a_wrong_file_gives_a_clear_error_and_stores_nothing(world, assessment, name, data, message):
    item = assessment.plan_items.first()
    url = reverse("assessments:plan_evidence_add", args=[assessment.uuid, item.pk])
    response = world.client("leader_a").post(url, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400 and message in response.content.decode()
    assert "<title>Feil:" in response.content.decode()
    assert not Evidence.objects.exists() and not default_storage.exists("evidence")
    assert (
        "<title>Feil:"
        not in world.client("leader_a")
        .get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk]))
        .content.decode()
    )


def test_a_too_large_file_gives_a_clear_error(world, assessment, settings):
    settings.KIV_MAX_UPLOAD_BYTES = 1024
    item = assessment.plan_items.first()
    url = reverse("assessments:plan_evidence_add", args=[assessment.uuid, item.pk])
    response = world.client("leader_a").post(url, {"file": SimpleUploadedFile("stor.pdf", PDF * 100)})
    assert response.status_code == 400 and "for stor" in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_intranet_link_is_accepted_and_shown_escaped_as_its_href(world, assessment):
    item = assessment.plan_items.first()
    leader = world.client("leader_a")
    url = reverse("assessments:plan_evidence_add", args=[assessment.uuid, item.pk])
    link = 'https://intranett/sak/1?a="><script>x</script>'
    assert leader.post(url, {"url": link}).status_code == 302
    assert Evidence.objects.get(item=item).url == link
    page = leader.get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk])).content.decode()
    assert f'<a href="{html.escape(link)}" rel="noopener noreferrer">' in page and "<script>x" not in page
    refused = leader.post(url, {"url": "https://intranett/sak 2"})
    assert refused.status_code == 400 and "ikke har mellomrom" in refused.content.decode()
    assert leader.post(url, {"url": "javascript:alert(1)"}).status_code == 400
    assert Evidence.objects.filter(item=item).count() == 1


def test_another_agencys_item_and_evidence_are_404(world, assessment):
    other = make_assessment(world, "Annen plan", answers=complete(), submit=True)
    item = other.plan_items.first()
    # An item id of another assessment under this assessment's URL is not found either.
    url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    assert world.client("leader_a").get(url).status_code == 404
    assert world.client("leader_b").get(reverse("assessments:plan_detail", args=[other.uuid])).status_code == 404


def test_exports_list_the_items(world, assessment):
    csv = world.client("auditor").get(reverse("assessments:plan_export_csv", args=[assessment.uuid]))
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert assessment.plan_items.first().title in body
    xlsx = world.client("auditor").get(reverse("assessments:plan_export_xlsx", args=[assessment.uuid]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_export_file_name_keeps_the_norwegian_letters_readable(world, assessment):
    type(assessment).objects.filter(pk=assessment.pk).update(title="Spørsmål og svar på nett")
    csv = world.client("auditor").get(reverse("assessments:plan_export_csv", args=[assessment.uuid]))
    assert "tiltaksplan-sporsmal-og-svar-pa-nett" in csv["Content-Disposition"]


def test_the_exports_headers_are_in_the_users_language(world, assessment):
    url = reverse("assessments:plan_export_csv", args=[assessment.uuid])
    english = world.client("auditor").get(url, HTTP_ACCEPT_LANGUAGE="en")
    header = b"".join(english.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "Required" in header and "Before use" in header and "Påkrevd" not in header
    xlsx = world.client("auditor").get(
        reverse("assessments:plan_export_xlsx", args=[assessment.uuid]), HTTP_ACCEPT_LANGUAGE="en"
    )
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Action plan"]
    norwegian = world.client("auditor").get(url)
    assert "Påkrevd" in b"".join(norwegian.streaming_content).decode("utf-8-sig").splitlines()[0]


def test_uke_sees_overdue_items_with_counts_and_filters(world, assessment):
    approve(world, assessment)
    item = assessment.plan_items.first()
    PlanItem.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    page = world.client("reviewer").get(reverse("assessments:plan_overdue"))
    body = page.content.decode()
    assert item.title in body and "1 forfalt tiltak" in body
    filtered = world.client("reviewer").get(reverse("assessments:plan_overdue"), {"before_use": "on"})
    assert item.title not in filtered.content.decode()
    # An obligation done by a measure counts as a measure too, and the list says which kind each item is.
    PlanItem.objects.filter(pk=item.pk).update(kind="obligation", measure_key="pd_dpia")
    measures = world.client("reviewer").get(reverse("assessments:plan_overdue"), {"kind": "measure"}).content.decode()
    assert item.title in measures and "Plikt og tiltak for lavere risiko" in measures
    # An invalid filter is not used as no filter (views/filters.py).
    invalid = world.client("reviewer").get(reverse("assessments:plan_overdue"), {"kind": "nonsense"}).content.decode()
    assert item.title not in invalid and "Søket ble ikke brukt: rett feltene over." in invalid
    home = world.client("reviewer").get(reverse("assessments:home")).content.decode()
    assert "1 forfalt tiltak i tiltaksplanene" in home
    leader_home = world.client("leader_a").get(reverse("assessments:home")).content.decode()
    assert item.title in leader_home
    register = world.client("reviewer").get(reverse("assessments:register")).content.decode()
    assert "1 tiltak forfalt" in register


def test_a_rejected_plan_is_read_only(world, assessment):
    world.client("reviewer").post(
        reverse("assessments:review_reject", args=[assessment.uuid]),
        {"reject-version": 1, "reject-reason": "Nei", "confirmed": 1},
    )
    item = assessment.plan_items.first()
    page = world.client("leader_a").get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk]))
    assert "kan ikke endres" in page.content.decode()
    post = world.client("leader_a").post(
        reverse("assessments:plan_item", args=[assessment.uuid, item.pk]), {"status": "done"}
    )
    assert post.status_code == 409


def test_a_reload_of_the_refused_go_live_leads_back_to_the_plan(world, assessment):
    response = world.client("leader_a").get(reverse("assessments:plan_in_use", args=[assessment.uuid]))
    assert response.status_code == 302 and response["Location"].endswith("/tiltak/#go-live")
    assert world.client("leader_b").get(reverse("assessments:plan_in_use", args=[assessment.uuid])).status_code == 404


def test_a_go_live_before_the_approval_is_refused_at_the_field_with_the_date_kept(world, assessment):
    approve(world, assessment)
    leader = world.client("leader_a")
    in_use = reverse("assessments:plan_in_use", args=[assessment.uuid])
    refused = leader.post(in_use, {"since": "2001-01-01"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "kan ikke være før vurderingen ble godkjent" in page
    assert 'value="2001-01-01"' in page
    leader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = leader.post(in_use, {"since": "2001-01-01"}).content.decode()
    assert "cannot be before the assessment was approved" in english and 'value="2001-01-01"' in english
    assessment.refresh_from_db()
    assert assessment.in_use_since is None


def test_the_leader_corrects_the_go_live_day_on_the_plan_page(world, assessment):
    approve(world, assessment)
    leader = world.client("leader_a")
    plan = reverse("assessments:plan_detail", args=[assessment.uuid])
    correct = reverse("assessments:plan_in_use_correct", args=[assessment.uuid])
    assert correct not in leader.get(plan).content.decode()  # nothing recorded yet: nothing to correct
    today = timezone.localdate()
    leader.post(reverse("assessments:plan_in_use", args=[assessment.uuid]), {"since": today.isoformat()})
    page = leader.get(plan).content.decode()
    assert correct in page and 'type="hidden" name="shown"' in page  # the day the leader saw, sent back
    assert 'for="id_shown"' not in page and "novalidate" in page.split('id="correct-go-live"')[1][:2000]
    assert correct not in world.client("contributor_a").get(plan).content.decode()
    refused = leader.post(correct, {"since": today.isoformat(), "reason": "", "shown": today.isoformat()})
    page = refused.content.decode()
    assert refused.status_code == 400 and "<title>Feil:" in page and '<details id="correct-go-live" open>' in page
    same_day = leader.post(correct, {"since": today.isoformat(), "reason": "Tastet feil", "shown": today.isoformat()})
    assert same_day.status_code == 400 and "allerede er registrert" in same_day.content.decode()
    yesterday = today - dt.timedelta(days=1)
    before_approval = leader.post(
        correct, {"since": yesterday.isoformat(), "reason": "Tastet feil", "shown": today.isoformat()}
    )
    assert before_approval.status_code == 400 and "Tastet feil</textarea>" in before_approval.content.decode()
    assessment.versions.update(decided_at=timezone.now() - dt.timedelta(days=5))
    done = leader.post(
        correct, {"since": yesterday.isoformat(), "reason": "Tastet feil", "shown": today.isoformat()}, follow=True
    )
    assert done.redirect_chain[-1][0].endswith("/tiltak/#go-live") and "er rettet" in done.content.decode()
    assert leader.get(correct)["Location"].endswith("/tiltak/#go-live")
    assessment.refresh_from_db()
    assert assessment.in_use_since == yesterday
    # A second tab still showing today's date: refused on the form, the reason kept, nothing changed.
    stale = leader.post(correct, {"since": today.isoformat(), "reason": "Min grunn", "shown": today.isoformat()})
    body = stale.content.decode()
    assert stale.status_code == 400 and "endret av noen andre" in body and "Min grunn</textarea>" in body
    assert (
        world.client("contributor_a")
        .post(correct, {"since": today.isoformat(), "reason": "x", "shown": today.isoformat()})
        .status_code
        == 403
    )


def test_a_get_of_the_evidence_and_status_report_urls_leads_back_to_their_pages(world, assessment):
    """The forms' errors are shown at these URLs; a reload or the language switch there must not be a 405."""
    item = assessment.plan_items.first()
    leader = world.client("leader_a")
    evidence = leader.get(reverse("assessments:plan_evidence_add", args=[assessment.uuid, item.pk]))
    assert evidence.status_code == 302
    assert evidence["Location"] == reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    report = leader.get(reverse("assessments:plan_status_report", args=[assessment.uuid]))
    assert report.status_code == 302 and report["Location"].endswith("/tiltak/#status-reports")
    other = world.client("leader_b")
    assert other.get(reverse("assessments:plan_evidence_add", args=[assessment.uuid, item.pk])).status_code == 404
    assert other.get(reverse("assessments:plan_status_report", args=[assessment.uuid])).status_code == 404


def test_after_a_material_change_the_old_plan_links_to_where_the_items_went_and_refuses_edits(world, assessment):
    from assessments import services

    approve(world, assessment)
    leader = world.client("leader_a")
    item = assessment.plan_items.order_by("pk").first()
    new = services.assessment_report_material_change(
        assessment=assessment, user=world.users["leader_a"], kinds=["vendor"]
    )
    copy = new.plan_items.get(carried_from=item)
    page = leader.get(reverse("assessments:plan_detail", args=[assessment.uuid])).content.decode()
    assert 'id="handed-over"' in page and reverse("assessments:plan_detail", args=[new.uuid]) in page
    assert reverse("assessments:plan_item", args=[new.uuid, copy.pk]) in page
    assert reverse("assessments:plan_status_report", args=[assessment.uuid]) in page  # still reportable
    item_page = leader.get(reverse("assessments:plan_item", args=[assessment.uuid, item.pk])).content.decode()
    assert 'id="moved-to"' in item_page and "Lagre" not in item_page  # no edit form
    response = leader.post(
        reverse("assessments:plan_item", args=[assessment.uuid, item.pk]),
        {"status": "done", "owner": "", "due_date": ""},
    )
    assert response.status_code == 409 and "flyttet til den nye vurderingen" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "not_started"
    # UKE cannot open the agency's new draft: it learns that the items moved, without a link it could not open
    uke = world.client("reviewer").get(reverse("assessments:plan_detail", args=[assessment.uuid])).content.decode()
    assert "Flyttet til den nye vurderingen" in uke and str(new.uuid) not in uke


EMPLOYEE_REPS_EN = "Inform and consult employee representatives"
EMPLOYEE_REPS_NB = "Informer og drøft med tillitsvalgte"
EMPLOYEE_REPS_SOURCE = "Arbeidsmiljøloven kap. 8; KI-forordningen art. 26(7)"  # no English source in 2026.1


def test_an_english_plan_shows_the_items_english_texts_unmarked_and_a_bokmal_fallback_marked(world, assessment):
    item = assessment.plan_items.get(key="obligation:inform_employee_reps")
    link = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    client = world.client("leader_a")
    plan = client.get(reverse("assessments:plan_detail", args=[assessment.uuid]), HTTP_ACCEPT_LANGUAGE="en")
    body = plan.content.decode()
    assert f'{link}">{EMPLOYEE_REPS_EN}</a>' in body and EMPLOYEE_REPS_NB not in body
    assert f'<span lang="nb">{EMPLOYEE_REPS_SOURCE}</span>' in body  # the bokmål source, marked as such
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<h1>{EMPLOYEE_REPS_EN}</h1>" in page
    assert f"<p>{item.why_en}</p>" in page and "“Who may be affected by the solution?”: Employees." in page
    assert item.why not in page
    csv = client.get(reverse("assessments:plan_export_csv", args=[assessment.uuid]), HTTP_ACCEPT_LANGUAGE="en")
    rows = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert EMPLOYEE_REPS_EN in rows and EMPLOYEE_REPS_NB not in rows
    review = world.client("reviewer").get(
        reverse("assessments:review_detail", args=[assessment.uuid]), HTTP_ACCEPT_LANGUAGE="en"
    )
    conditions = review.content.decode().split('class="data conditions-table"', 1)[1].split("</table>", 1)[0]
    assert f'<th scope="row">{EMPLOYEE_REPS_EN}</th>' in conditions  # the approve form's choice of conditions


def test_a_bokmal_plan_is_unchanged_and_an_item_without_english_falls_back_marked(world, assessment):
    item = assessment.plan_items.get(key="obligation:inform_employee_reps")
    link = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    client = world.client("leader_a")
    page = client.get(link).content.decode()
    assert f"<h1>{EMPLOYEE_REPS_NB}</h1>" in page and f"<p>{item.why}</p>" in page and EMPLOYEE_REPS_EN not in page
    PlanItem.objects.filter(pk=item.pk).update(title_en="", why_en="")
    english = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<h1 lang="nb">{EMPLOYEE_REPS_NB}</h1>' in english and f'<p lang="nb">{item.why}</p>' in english
    plan = client.get(reverse("assessments:plan_detail", args=[assessment.uuid]), HTTP_ACCEPT_LANGUAGE="en")
    assert f'{link}" lang="nb">{EMPLOYEE_REPS_NB}</a>' in plan.content.decode()


def _shown_form(page: str) -> dict[str, str]:
    """The values an item page showed, as its hidden initial inputs carry them (posted back with the change)."""
    shown = re.findall(r'<input type="hidden" name="(initial-\w+)"(?: value="([^"]*)")?', page)
    return {name: html.unescape(value) for name, value in shown}


def test_two_people_editing_one_item_keep_each_others_changes(world, assessment):
    item = assessment.plan_items.first()
    url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    leader, contributor = world.client("leader_a"), world.client("contributor_a")
    leader_saw = _shown_form(leader.get(url).content.decode())
    contributor_saw = _shown_form(contributor.get(url).content.decode())
    assert leader_saw["initial-status"] == "not_started" and "initial-due_date" in leader_saw
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    fields = {"status": "not_started", "owner": "", "due_date": "", "status_reason": ""}
    assert leader.post(url, {**leader_saw, **fields, "status": "in_progress"}).status_code == 302
    assert contributor.post(url, {**contributor_saw, **fields, "due_date": day}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.due_date.isoformat()) == ("in_progress", day)  # the status was not set back
    assert [h.change for h in item.history.order_by("id")][-2:] == ["status_changed", "item_updated"]


def test_a_post_without_the_shown_values_writes_every_field_as_before(world, assessment):
    """A page from before the shown values were sent (or a script): clearing the owner and the due date still works."""
    item = assessment.plan_items.first()
    PlanItem.objects.filter(pk=item.pk).update(owner=world.users["leader_a"], due_date=dt.date(2030, 1, 1))
    url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    fields = {"status": "in_progress", "owner": "", "due_date": "", "status_reason": ""}
    assert world.client("leader_a").post(url, fields).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.owner_id, item.due_date) == ("in_progress", None, None)


def test_a_reason_typed_while_another_moved_the_status_is_refused_not_dropped(world, assessment):
    item = assessment.plan_items.first()
    url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    leader, contributor = world.client("leader_a"), world.client("contributor_a")
    irrelevant = {"status": "not_relevant", "owner": "", "due_date": "", "status_reason": "Ikke aktuelt her."}
    assert leader.post(url, irrelevant).status_code == 302
    contributor_saw = _shown_form(contributor.get(url).content.decode())
    assert leader.post(url, {**irrelevant, "status": "in_progress", "status_reason": ""}).status_code == 302
    refused = contributor.post(url, {**contributor_saw, **irrelevant, "status_reason": "Bedre begrunnelse."})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "ikke lenger «ikke relevant»" in page and "Bedre begrunnelse." in page  # said, and the input kept
    item.refresh_from_db()
    assert (item.status, item.status_reason) == ("in_progress", "")


def test_a_save_that_changes_nothing_says_so_and_writes_no_history(world, assessment):
    item = assessment.plan_items.first()
    url = reverse("assessments:plan_item", args=[assessment.uuid, item.pk])
    leader = world.client("leader_a")
    saw = _shown_form(leader.get(url).content.decode())
    unchanged = {**saw, "status": "not_started", "owner": "", "due_date": "", "status_reason": ""}
    history = item.history.count()
    page = leader.post(url, unchanged, follow=True).content.decode()
    assert "Ingenting var endret" in page and "Tiltaket er oppdatert" not in page
    assert item.history.count() == history
    page = leader.post(url, {**unchanged, "status": "in_progress"}, follow=True).content.decode()
    assert "Tiltaket er oppdatert" in page and item.history.count() == history + 1


def home_section(client) -> str:
    page = client.get(reverse("assessments:home")).content.decode()
    return page.split('id="h-before-use"', 1)[1].split("</section>", 1)[0] if 'id="h-before-use"' in page else ""


def test_the_leaders_start_page_says_what_stands_before_an_approved_use_is_taken_into_use(world, assessment):
    assert home_section(world.client("leader_a")) == ""  # submitted, not approved: nothing to take into use
    first = assessment.plan_items.order_by("pk").first()
    approve(world, assessment, before_use=[first.pk])
    open_items = assessment.plan_items.filter(required=True).count()
    section = home_section(world.client("leader_a"))
    assert assessment.title in section and reverse("assessments:plan_detail", args=[assessment.uuid]) in section
    assert "1 krav fra UKE må være utført før bruk" in section
    assert f"{open_items} tiltak uten ansvarlig" in section
    PlanItem.objects.filter(pk=first.pk).update(status=PlanItem.Status.DONE, owner=world.users["leader_a"])
    section = home_section(world.client("leader_a"))
    assert "ingen åpne krav før bruk" in section and f"{open_items - 1} tiltak uten ansvarlig" in section
    assert home_section(world.client("leader_b")) == ""  # another agency's leader sees none of it
    assessment.in_use_since = timezone.localdate()
    assessment.save(update_fields=["in_use_since"])
    assert home_section(world.client("leader_a")) == ""  # in use: nothing stands before it any more


def test_the_export_file_name_is_in_the_users_language(world, assessment):
    url = reverse("assessments:plan_export_csv", args=[assessment.uuid])
    english = world.client("auditor").get(url, HTTP_ACCEPT_LANGUAGE="en")["Content-Disposition"]
    bokmal = world.client("auditor").get(url, HTTP_ACCEPT_LANGUAGE="nb")["Content-Disposition"]
    slug = norwegian_slugify(assessment.title)[:60]
    assert f'filename="action-plan-{slug}.csv"' in english
    assert f'filename="tiltaksplan-{slug}.csv"' in bokmal
