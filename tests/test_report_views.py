"""Report pages: the status panel (htmx polling and without JavaScript), download through the permission
layer, the draft preview request, and the verification page."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, AuditEvent, Report, norwegian_slugify
from tests.report_helpers import approved_report, draft, flip_one_byte_in_signed_content, submitted, use_test_seal

FAKE_PDF = b"%PDF-1.7\n% a stored report stand-in\n%%EOF\n"


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.fixture
def decided(world):
    """An approved assessment of agency A with a ready report (a stand-in file: no rendering needed)."""
    report = approved_report(world)
    assessment = report.assessment
    name = f"reports/{world.agency_a.slug}/{assessment.uuid}/v1-000000000000.pdf"
    default_storage.save(name, ContentFile(FAKE_PDF))
    Report.objects.filter(pk=report.pk).update(status="ready", storage_name=name, sha256="0" * 64)
    report.refresh_from_db()
    return assessment, report


def download_url(report) -> str:
    return reverse("assessments:report_download", args=[report.assessment.uuid, report.uuid])


def test_the_file_name_keeps_the_norwegian_letters_readable(world, decided):
    assessment, report = decided
    Assessment.objects.filter(pk=assessment.pk).update(title="KI-chatbot for spørsmål om barnehageplass")
    response = world.client("leader_a").get(download_url(report))
    name = response["Content-Disposition"]
    assert "ki-chatbot-for-sporsmal-om-barnehageplass-v1.pdf" in name  # ø -> o, å -> a; not "sprsmal"


@pytest.mark.parametrize("role", ["leader_a", "contributor_a", "reviewer", "auditor"])
def test_it_streams_the_report_with_a_filename_and_records_the_download(world, decided, role):
    assessment, report = decided
    response = world.client(role).get(download_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ki-vurdering-bydel-testa-{norwegian_slugify(assessment.title)}-v1.pdf"'
    )
    assert b"".join(response.streaming_content) == FAKE_PDF
    event = AuditEvent.objects.get(action="report.downloaded")
    assert event.actor_id == world.users[role].pk and event.object_id == str(report.uuid)
    assert event.agency_id == world.agency_a.pk


def test_the_download_is_refused_to_other_agencies(world, decided):
    _assessment, report = decided
    response = world.client("leader_b").get(download_url(report))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_the_download_is_refused_to_an_auditor_of_other_agencies(world, decided):
    from assessments.models import MunicipalRole
    from tests.conftest import make_user

    scoped = make_user("auditor_b_only")
    MunicipalRole.objects.create(user=scoped, role="auditor").agencies.add(world.agency_b)
    client = world.client("anonymous")
    client.force_login(scoped)
    assert client.get(download_url(decided[1])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(world, decided):
    response = world.client("anonymous").get(download_url(decided[1]))
    assert response.status_code == 302 and reverse("assessments:login") in response["Location"]


def test_a_report_of_another_assessment_is_not_found_through_this_one(world, decided):
    _assessment, report = decided
    other = submitted(world.agency_a, world.users["leader_a"])
    url = reverse("assessments:report_download", args=[other.uuid, report.uuid])
    assert world.client("leader_a").get(url).status_code == 404


def test_a_report_that_is_not_ready_is_not_found(world, decided):
    _assessment, report = decided
    Report.objects.filter(pk=report.pk).update(status="rendering")
    assert world.client("leader_a").get(download_url(report)).status_code == 404


def test_a_draft_preview_is_only_for_those_who_may_see_the_draft(world):
    assessment = draft(world, "Hemmelig utkast")
    preview = services.report_request_preview(assessment=assessment, user=world.users["leader_a"])
    name = f"previews/{world.agency_a.slug}/{assessment.uuid}/utkast-000000000000.pdf"
    default_storage.save(name, ContentFile(FAKE_PDF))
    Report.objects.filter(pk=preview.pk).update(status="ready", storage_name=name)
    url = download_url(preview)
    response = world.client("leader_a").get(url)
    assert (
        response.status_code == 200
        and 'filename="utkast-bydel-testa-hemmelig-utkast.pdf"' in response["Content-Disposition"]
    )
    for role in ("contributor_a", "leader_b", "reviewer", "auditor"):
        assert world.client(role).get(url).status_code == 404, role
    # Once submitted, reviewers see the assessment, but the preview (a draft) stays the agency's own.
    submitted_one = submitted(world.agency_a, world.users["leader_a"])
    Report.objects.filter(pk=preview.pk).update(assessment=submitted_one)
    url = reverse("assessments:report_download", args=[submitted_one.uuid, preview.uuid])
    assert world.client("reviewer").get(url).status_code == 404
    assert world.client("leader_a").get(url).status_code == 200


# --- Status panel -------------------------------------------------------------------------------------


def test_the_status_polls_while_the_report_is_made(world):
    assessment = submitted(world.agency_a, world.users["leader_a"])
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    url = reverse("assessments:report_status", args=[assessment.uuid])
    fragment = world.client("leader_a").get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "lages …" in body and 'hx-trigger="every 2s"' in body and f'hx-get="{url}"' in body
    assert f'href="{url}"' in body  # without JavaScript: a link that reloads the page
    page = world.client("leader_a").get(url)
    assert page.status_code == 200 and "<html" in page.content.decode() and "lages …" in page.content.decode()


def test_the_status_stops_polling_and_links_the_report_when_ready(world, decided):
    assessment, report = decided
    url = reverse("assessments:report_status", args=[assessment.uuid])
    body = world.client("auditor").get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in body and download_url(report) in body
    assert "forhåndsvisning" not in body.lower()  # auditors do not get the draft preview button


def test_the_link_says_which_language_the_signed_report_is_in(world, decided):
    """A sealed report cannot be made again in the reader's language, so an English page says it is in bokmål."""
    assessment, _report = decided
    url = reverse("assessments:report_status", args=[assessment.uuid])
    english = world.client("auditor").get(url, headers={"HX-Request": "true"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Download the signed report, version 1 (PDF, Norwegian Bokmål)" in english.content.decode()


def test_the_status_is_invisible_to_other_agencies(world, decided):
    url = reverse("assessments:report_status", args=[decided[0].uuid])
    assert world.client("leader_b").get(url).status_code == 404


def test_a_preview_request_redirects_back_and_the_panel_shows_it(world, django_capture_on_commit_callbacks):
    assessment = draft(world, "Utkast")
    url = reverse("assessments:report_preview", args=[assessment.uuid])
    client = world.client("leader_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": "/vurderinger/"})
    assert response.status_code == 302 and response["Location"] == "/vurderinger/"
    preview = Report.objects.get(assessment=assessment)
    assert preview.kind == "preview" and preview.status == "ready", preview.error
    body = client.get(reverse("assessments:report_status", args=[assessment.uuid])).content.decode()
    assert download_url(preview) in body
    status = reverse("assessments:report_status", args=[assessment.uuid])
    assert client.post(url, {"next": "https://evil.example.org/"})["Location"] == status
    # Text that is no path goes to the status too (redirect() would have read it as the name of a view).
    assert client.post(url, {"next": "abc"})["Location"] == status
    # A GET (a reload of a refusal, the language switch) asks for nothing and leads to the status page.
    asked = Report.objects.filter(assessment=assessment).count()
    assert client.get(url)["Location"] == status and Report.objects.filter(assessment=assessment).count() == asked


# --- Verification page ---------------------------------------------------------------------------------


@pytest.fixture
def sealed(world, django_capture_on_commit_callbacks):
    report = approved_report(world, django_capture_on_commit_callbacks)
    with default_storage.open(report.storage_name, "rb") as handle:
        return report, handle.read()


def upload(world, role, data: bytes, name="rapport.pdf"):
    pdf = SimpleUploadedFile(name, data, "application/pdf")
    return world.client(role).post(reverse("assessments:report_verify"), {"pdf": pdf})


def test_no_file_is_refused_in_the_tasks_own_words(world):
    response = world.client("auditor").post(reverse("assessments:report_verify"), {"pdf": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Velg PDF-filen du vil kontrollere." in body and "Feltet er påkrevet" not in body
    client = world.client("auditor")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.post(reverse("assessments:report_verify"), {"pdf": ""})
    assert "Choose the PDF file you want to check." in english.content.decode()


def test_the_verification_page_names_signer_time_and_the_stored_report(world, sealed):
    report, data = sealed
    response = upload(world, "auditor", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Seglet er gyldig, og filen er identisk med en lagret rapport." in body
    assert "KI-veileder testsegl" in body and report.sha256 in body
    assert str(report.assessment.uuid) in body and report.assessment.title in body
    # Fact and value pairs: app.css stacks them below 40rem instead of scrolling the values out of view.
    assert '<table class="data pairs">' in body
    event = AuditEvent.objects.get(action="report.verified")
    assert event.details["valid"] is True and event.object_id == str(report.uuid)


def test_the_verification_page_says_a_changed_file_is_broken(world, sealed):
    report, data = sealed
    body = upload(world, "reviewer", flip_one_byte_in_signed_content(data)).content.decode()
    assert "Seglet er brutt" in body and "Seglet er gyldig" not in body
    # It is not the stored file, but the document still says which report it claims to be.
    assert "Ingen lagret rapport har denne kontrollsummen. Dokumentet oppgir" in body
    assert report.assessment.title in body


def test_the_verification_page_does_not_reveal_another_agencys_report(world, sealed):
    report, data = sealed
    body = upload(world, "leader_b", data).content.decode()
    assert "Seglet er gyldig" in body
    assert report.assessment.title not in body
    assert "virksomhet du ikke har tilgang til" in body


def test_the_verification_page_refuses_what_is_not_a_pdf(world):
    response = upload(world, "auditor", b"<html><script>alert(1)</script></html>")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Filen er ikke en PDF" in body and "<script>alert(1)</script>" not in body


def test_the_verification_page_refuses_a_file_over_the_size_cap(world, settings):
    settings.KIV_MAX_UPLOAD_BYTES = 4096
    response = upload(world, "auditor", b"%PDF-1.7\n" + b"0" * 5000)
    assert response.status_code == 400 and "Filen er for stor" in response.content.decode()


def test_the_verification_page_reports_an_unreadable_pdf(world):
    response = upload(world, "auditor", b"%PDF-1.7\n1 0 obj\n<<garbage")
    assert response.status_code == 400 and "Filen er ikke en PDF som kan leses" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("leader_a", 200),
        ("leader_b", 200),
        ("reviewer", 200),
        ("auditor", 200),
        ("contributor_a", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_verification_page(world, role, status):
    assert world.client(role).get(reverse("assessments:report_verify")).status_code == status


def test_the_assessment_page_shows_the_report_panel(world, decided):
    assessment, report = decided
    body = (
        world.client("reviewer").get(reverse("assessments:assessment_detail", args=[assessment.uuid])).content.decode()
    )
    assert 'id="h-report"' in body and download_url(report) in body
    assert reverse("assessments:report_preview", args=[assessment.uuid]) not in body  # not the reviewer's draft
    # A decided assessment has no draft to preview: the leader is offered the signed report only.
    body = (
        world.client("leader_a").get(reverse("assessments:assessment_detail", args=[assessment.uuid])).content.decode()
    )
    assert download_url(report) in body
    assert reverse("assessments:report_preview", args=[assessment.uuid]) not in body


def test_the_report_file_name_is_in_the_reports_language_not_the_readers(world, decided):
    assessment, report = decided
    english = world.client("auditor").get(download_url(report), HTTP_ACCEPT_LANGUAGE="en")
    assert "ki-vurdering-bydel-testa-" in english["Content-Disposition"]  # a bokmål report keeps its name
    Assessment.objects.filter(pk=assessment.pk).update(language="en")
    bokmal = world.client("auditor").get(download_url(report), HTTP_ACCEPT_LANGUAGE="nb")
    assert bokmal["Content-Disposition"].startswith('attachment; filename="ai-assessment-bydel-testa-')
