"""The app's URLs, namespaced `assessments:` (reverse("assessments:home")).

Every URL here must have a row in tests/permission_matrix.py: the matrix test fails otherwise. The pages of one
assessment or one tool are listed once below their common prefix (`include`), area by area.
"""

from django.urls import include, path

from assessments.views import (
    accessibility,
    auditor,
    catalogue,
    catalogue_import,
    downloads,
    home,
    officers,
    public_access,
    quickpath,
    register,
    review,
    wizard,
    wizard_notes,
)
from assessments.views import accounts as entra_views
from assessments.views import assessments as assessment_views
from assessments.views import plans as plan_views
from assessments.views import reports as report_views

app_name = "assessments"

# Below vurderinger/<uuid:uuid>/: the quick path's result (submit as simplified; UKE may require the full one),
# the draft and the pages around it.
assessment_urls = [
    path("hurtigsjekk/", quickpath.quickpath_result, name="quickpath_result"),
    path("hurtigsjekk/send-inn/", quickpath.quickpath_submit, name="quickpath_submit"),
    path("behandling/krev-full/", quickpath.quickpath_require_full, name="quickpath_require_full"),
    path("", assessment_views.assessment_detail, name="assessment_detail"),
    path("steg/", wizard_notes.assessment_continue, name="assessment_continue"),
    path("steg/<slug:step>/", wizard.assessment_wizard, name="assessment_step"),
    path("bidragsytere/", assessment_views.assessment_contributors, name="assessment_contributors"),
    path("hent-tilbake/", assessment_views.assessment_recall, name="assessment_recall"),
    path("trekk/", assessment_views.assessment_withdraw, name="assessment_withdraw"),
    path("ny-versjon/", assessment_views.assessment_move_questionnaire, name="assessment_move_questionnaire"),
    path("sprak/", assessment_views.assessment_language, name="assessment_language"),
    path("svar.json", assessment_views.assessment_export, name="assessment_export"),
    # The data protection officer and the security officer: read and advise (assessments/views/officers.py).
    path("rad/<slug:role>/", officers.officer_detail, name="officer_detail"),
]
# Below vurderinger/<uuid:assessment_uuid>/: UKE's review.
review_urls = [
    path("behandling/", review.review_detail, name="review_detail"),
    path("behandling/kommentar/", review.review_comment, name="review_comment"),
    *(
        path(f"behandling/{route}/", review.review_decide, {"action": action}, name=f"review_{action}")
        for route, action in (("returner", "return"), ("godkjenn", "approve"), ("avvis", "reject"))
    ),
    path("endring/", review.material_change, name="material_change"),
]
# Below vurderinger/<uuid:assessment_uuid>/: the reports' status, download and draft preview.
report_urls = [
    path("rapport/", report_views.report_status, name="report_status"),
    path("rapport/<uuid:report_uuid>/last-ned/", report_views.report_download, name="report_download"),
    path("rapport/forhandsvisning/", report_views.report_preview, name="report_preview"),
]
# Below vurderinger/<uuid:assessment_uuid>/: public access (offentleglova), UKE's exemptions and the innsyn copy.
exemption_urls = [
    path("offentlighet/", public_access.exemptions, name="exemptions"),
    path("offentlighet/opphev/", public_access.exemption_lift, name="exemption_lift"),
    path("innsynskopi/", public_access.innsyn_copy, name="innsyn_copy"),
]
# Below verktoy/<slug:slug>/: one entry of the tool overview, and its public access (exemptions, innsyn export).
tool_urls = [
    path("", catalogue.catalogue_detail, name="catalogue_detail"),
    path("endre/", catalogue.catalogue_change, name="catalogue_change"),
    path("trekk-tilbake/", catalogue.catalogue_withdraw, name="catalogue_withdraw"),
    path("offentlighet/", public_access.tool_exemptions, name="tool_exemptions"),
    path("offentlighet/opphev/", public_access.tool_exemption_lift, name="tool_exemption_lift"),
    path("innsyn.json", public_access.tool_innsyn_json, name="tool_innsyn_json"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("logg-inn/", home.login, name="login"),
    path("logg-ut/", home.logout, name="logout"),
    # Sign-in with Entra ID (django-allauth): only these two of allauth's views are reachable; its
    # sign-up, password and e-mail pages are not routed at all.
    path("logg-inn/oidc/", entra_views.oidc_start, name="oidc_start"),
    path("logg-inn/oidc/callback/", entra_views.oidc_callback, name="oidc_callback"),
    path("personvern/", home.privacy, name="privacy"),
    path("tilgjengelighetserklaering/", accessibility.accessibility_statement, name="accessibility"),
    # Assessments: start, import, the quick path (hurtigsjekk), and one assessment's pages.
    path("vurderinger/ny/", assessment_views.assessment_new, name="assessment_new"),
    path("vurderinger/importer/", assessment_views.assessment_import, name="assessment_import"),
    path("vurderinger/hurtigsjekk/", quickpath.quickpath_new, name="quickpath_new"),
    path("vurderinger/<uuid:uuid>/", include(assessment_urls)),
    # Review, register, auditors.
    path("behandling/", review.review_queue, name="review_queue"),
    path("vurderinger/<uuid:assessment_uuid>/", include(review_urls)),
    path("rad/", officers.officer_queue, name="officer_queue"),
    path("register/", register.register, name="register"),
    path("register/oversikt/", register.register_overview, name="register_overview"),
    *downloads(
        "register/ki-register", register.register_export, csv="register_csv", json="register_json", xlsx="register_xlsx"
    ),
    path("offentlig-register/", register.public_register, name="public_register"),
    path("offentlighet/", public_access.public_access_list, name="public_access_list"),
    *downloads(
        "offentlig-register/ki-register",
        register.public_register_export,
        csv="public_register_csv",
        json="public_register_json",
        xlsx="public_register_xlsx",
    ),
    path("revisjon/", auditor.auditor_search, name="auditor_search"),
    *downloads(
        "revisjon/vurderinger",
        auditor.auditor_export,
        csv="auditor_export",
        xlsx="auditor_export_xlsx",
        json="auditor_export_json",
    ),
    path("revisjonslogg/", auditor.audit_log, name="audit_log"),
    *downloads(
        "revisjonslogg/revisjonslogg",
        auditor.audit_log_export,
        csv="audit_log_export",
        xlsx="audit_log_export_xlsx",
        json="audit_log_export_json",
    ),
    # Reports and their verification.
    path("vurderinger/<uuid:assessment_uuid>/", include(report_urls)),
    path("verifiser/", report_views.report_verify, name="report_verify"),
    *plan_views.urlpatterns,
    # The tool overview (Verktøyoversikten); the fixed paths come before the entries' slugs.
    path("verktoy/", catalogue.catalogue_list, name="catalogue_list"),
    path("verktoy/ny/", catalogue.catalogue_create, name="catalogue_create"),
    path("verktoy/katalog.json", catalogue.catalogue_json, name="catalogue_json"),
    path("verktoy/importer/", catalogue_import.catalogue_import, name="catalogue_import"),
    path("verktoy/importer/bekreft/", catalogue_import.catalogue_import_confirm, name="catalogue_import_confirm"),
    path(
        "verktoy/importer/mal.<str:fmt>", catalogue_import.catalogue_import_template, name="catalogue_import_template"
    ),
    path("verktoy/api-nokler/", catalogue.catalogue_tokens, name="catalogue_tokens"),
    path("verktoy/flagg/<int:pk>/avslutt/", catalogue.catalogue_flag_dismiss, name="catalogue_flag_dismiss"),
    path("verktoy/<slug:slug>/", include(tool_urls)),
    path("offentlig-register/verktoy.json", catalogue.public_catalogue_json, name="public_catalogue_json"),
    # Public access (offentleglova).
    path("vurderinger/<uuid:assessment_uuid>/", include(exemption_urls)),
]
