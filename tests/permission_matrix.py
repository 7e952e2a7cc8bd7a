"""Who may open which URL. Every URL pattern of the project must have a row here.

Each row: the URL name -> how to build its arguments and which status each role gets.
- "args": a function (world, objects) -> list of URL args; objects are built by tests/objects.py.
- "method": "get" (default) or "post" (a POST with an empty body: we check access, not the form).
- "expect": status per role. 404 = the object is invisible to that role, 403 = visible, not allowed,
  302 = redirected (anonymous users go to the sign-in page), 200 = allowed.
Roles: leader_a, contributor_a (both of agency A, which owns the objects), leader_b (another agency),
reviewer (UKE), auditor (all agencies), dpo (data protection officer), security_officer, anonymous.
The officers read and advise on their own pages only: every other page treats them as signed-in users
without an agency (tests/test_officers.py covers their scope across agencies).
"""

SIGNED_IN_ONLY = {
    "leader_a": 200,
    "contributor_a": 200,
    "leader_b": 200,
    "reviewer": 200,
    "auditor": 200,
    "anonymous": 302,
    "dpo": 200,
    "security_officer": 200,
}
EVERYONE = dict.fromkeys(SIGNED_IN_ONLY, 200)
ADMIN_ONLY = {
    "leader_a": 302,
    "contributor_a": 302,
    "leader_b": 302,
    "reviewer": 302,
    "auditor": 302,
    "anonymous": 302,
    "dpo": 302,
    "security_officer": 302,
}

# Only agency leaders start assessments.
LEADERS_ONLY = {
    "leader_a": 200,
    "contributor_a": 403,
    "leader_b": 200,
    "reviewer": 403,
    "auditor": 403,
    "anonymous": 302,
    "dpo": 403,
    "security_officer": 403,
}
# A draft nobody was invited to is the agency leader's alone: invisible (404) to everyone else.
DRAFT_OF_A = {
    "leader_a": 200,
    "contributor_a": 404,
    "leader_b": 404,
    "reviewer": 404,
    "auditor": 404,
    "anonymous": 302,
    "dpo": 404,
    "security_officer": 404,
}
# Once submitted, agency A's members, UKE and auditors may read it; agency B may not.
SUBMITTED_OF_A = {
    "leader_a": 200,
    "contributor_a": 200,
    "leader_b": 404,
    "reviewer": 200,
    "auditor": 200,
    "anonymous": 302,
    "dpo": 404,
    "security_officer": 404,
}


def uuid_of(name: str):
    """URL args: the uuid of the assessment tests/objects.py builds as `name`."""
    return lambda world, objects: [getattr(objects, name).uuid]


def post(args, expect: dict) -> dict:
    """A row for a URL that only accepts POST."""
    return {"method": "post", "args": args, "expect": expect}


def no_args(world, objects):
    return []


MATRIX = {
    "assessments:home": {"expect": SIGNED_IN_ONLY},
    "assessments:healthz": {"expect": EVERYONE},
    # Signed-in users are sent on from the sign-in page.
    "assessments:login": {"expect": {**dict.fromkeys(SIGNED_IN_ONLY, 302), "anonymous": 200}},
    # Django's LogoutView only accepts POST; a GET is 405 for everyone.
    "assessments:logout": {"method": "post", "expect": dict.fromkeys(SIGNED_IN_ONLY, 302)},
    "assessments:privacy": {"expect": EVERYONE},
    "assessments:accessibility": {"expect": EVERYONE},
    # OIDC sign-in is off in tests (no KIV_OIDC_CLIENT_ID): 404; signed-in users are sent on from the start.
    # tests/test_oidc.py covers both views with a provider configured.
    "assessments:oidc_start": {"expect": {**dict.fromkeys(SIGNED_IN_ONLY, 302), "anonymous": 404}},
    "assessments:oidc_callback": {"expect": dict.fromkeys(SIGNED_IN_ONLY, 404)},
    "set_language": {"method": "post", "expect": dict.fromkeys(SIGNED_IN_ONLY, 302)},
    # The Django admin lets only staff in; everyone else is sent to the admin sign-in page.
    "admin:*": {"expect": ADMIN_ONLY, "sample": "admin:index"},
    # Assessments. Objects: `draft` (agency A, nobody invited), `draft_invited` (contributor_a
    # invited), `submitted` (a version exists). tests/test_assessment_pages.py covers each page in the
    # other states too.
    "assessments:assessment_new": {"expect": LEADERS_ONLY},
    "assessments:assessment_import": {"expect": LEADERS_ONLY},
    # The quick path: the screening page, its result (the leader's draft), submitting it as simplified, and
    # UKE's "require the full assessment" (an empty POST is refused with a message and sent back).
    "assessments:quickpath_new": {"expect": LEADERS_ONLY},
    "assessments:quickpath_result": {"args": lambda w, o: [o.screened.uuid], "expect": DRAFT_OF_A},
    "assessments:quickpath_submit": post(uuid_of("screened"), {**DRAFT_OF_A, "leader_a": 302}),
    "assessments:quickpath_require_full": post(
        uuid_of("submitted"), {**SUBMITTED_OF_A, "leader_a": 403, "contributor_a": 403, "reviewer": 302, "auditor": 403}
    ),
    "assessments:assessment_detail": {"args": lambda w, o: [o.draft.uuid], "expect": DRAFT_OF_A},
    "assessments:assessment_continue": {"args": lambda w, o: [o.draft.uuid], "expect": {**DRAFT_OF_A, "leader_a": 302}},
    "assessments:assessment_step": {"args": lambda w, o: [o.draft.uuid, "intro"], "expect": DRAFT_OF_A},
    "assessments:assessment_contributors": {
        "args": lambda w, o: [o.draft_invited.uuid],
        "expect": {**DRAFT_OF_A, "contributor_a": 403},
    },
    "assessments:assessment_recall": post(
        uuid_of("submitted"), {**SUBMITTED_OF_A, "leader_a": 302, "contributor_a": 403, "reviewer": 403, "auditor": 403}
    ),
    "assessments:assessment_withdraw": {
        "args": lambda w, o: [o.submitted.uuid],
        "expect": {**SUBMITTED_OF_A, "contributor_a": 403, "reviewer": 403, "auditor": 403},
    },
    "assessments:assessment_export": {"args": lambda w, o: [o.submitted.uuid], "expect": SUBMITTED_OF_A},
    # Only the leader changes the report's language (a POST; redirected back to the draft's page).
    "assessments:assessment_language": post(
        uuid_of("draft_invited"), {**DRAFT_OF_A, "leader_a": 302, "contributor_a": 403}
    ),
    # Only the leader moves a draft to a newer questionnaire (a POST; redirected back to the draft).
    "assessments:assessment_move_questionnaire": post(
        uuid_of("draft_invited"), {**DRAFT_OF_A, "leader_a": 302, "contributor_a": 403}
    ),
}

# --- Review, register, auditors ------------------------------------------------------------------
REVIEWER_ONLY = {
    "leader_a": 403,
    "contributor_a": 403,
    "leader_b": 403,
    "reviewer": 200,
    "auditor": 403,
    "anonymous": 302,
    "dpo": 403,
    "security_officer": 403,
}
AUDITOR_OR_REVIEWER = {**REVIEWER_ONLY, "auditor": 200}
# Leaders read their own agency's events; reviewers and auditors all; contributors none.
AUDIT_LOG_READERS = {
    "leader_a": 200,
    "contributor_a": 403,
    "leader_b": 200,
    "reviewer": 200,
    "auditor": 200,
    "anonymous": 302,
    "dpo": 403,
    "security_officer": 403,
}
# Review actions (an empty POST: the reviewer gets past access and is told what is missing).
REVIEW_ACTION = {
    "leader_a": 403,
    "contributor_a": 403,
    "leader_b": 404,
    "reviewer": 400,
    "auditor": 403,
    "anonymous": 302,
    "dpo": 404,
    "security_officer": 404,
}
# The public register is off unless KIV_PUBLIC_REGISTER=True (tests/test_register.py turns it on).
PUBLIC_REGISTER_OFF = dict.fromkeys(SIGNED_IN_ONLY, 404)

MATRIX.update(
    {
        "assessments:review_queue": {"expect": REVIEWER_ONLY},
        "assessments:review_detail": {"args": lambda w, o: [o.submitted.uuid], "expect": SUBMITTED_OF_A},
        **{
            f"assessments:review_{action}": post(uuid_of("submitted"), REVIEW_ACTION)
            for action in ("comment", "return", "approve", "reject")
        },
        "assessments:material_change": {
            "args": lambda w, o: [o.approved.uuid],
            "expect": {**SUBMITTED_OF_A, "contributor_a": 403, "reviewer": 403, "auditor": 403},
        },
        "assessments:register": {"expect": SIGNED_IN_ONLY},
        "assessments:register_overview": {"expect": SIGNED_IN_ONLY},
        "assessments:register_csv": {"expect": SIGNED_IN_ONLY},
        "assessments:register_json": {"expect": SIGNED_IN_ONLY},
        "assessments:register_xlsx": {"expect": SIGNED_IN_ONLY},
        "assessments:public_register": {"expect": PUBLIC_REGISTER_OFF},
        "assessments:public_register_csv": {"expect": PUBLIC_REGISTER_OFF},
        "assessments:public_register_json": {"expect": PUBLIC_REGISTER_OFF},
        "assessments:public_register_xlsx": {"expect": PUBLIC_REGISTER_OFF},
        "assessments:auditor_search": {"expect": AUDITOR_OR_REVIEWER},
        "assessments:auditor_export": {"expect": AUDITOR_OR_REVIEWER},
        "assessments:auditor_export_xlsx": {"expect": AUDITOR_OR_REVIEWER},
        "assessments:auditor_export_json": {"expect": AUDITOR_OR_REVIEWER},
        "assessments:audit_log": {"expect": AUDIT_LOG_READERS},
        "assessments:audit_log_export": {"expect": AUDIT_LOG_READERS},
        "assessments:audit_log_export_xlsx": {"expect": AUDIT_LOG_READERS},
        "assessments:audit_log_export_json": {"expect": AUDIT_LOG_READERS},
    }
)

# --- Reports -------------------------------------------------------------------------------------
# `approved` has a ready signed report. The draft preview is the agency's own: a POST on the uninvited draft.
# Verification: signed-in auditors, reviewers and leaders (contributors have no use for it): the readers of the
# audit log.
VERIFIERS = AUDIT_LOG_READERS


def _signed_report_args(world, objects):
    report = objects.approved.reports.get(kind="signed")
    return [objects.approved.uuid, report.uuid]


MATRIX.update(
    {
        "assessments:report_status": {"args": lambda w, o: [o.approved.uuid], "expect": SUBMITTED_OF_A},
        "assessments:report_download": {"args": _signed_report_args, "expect": SUBMITTED_OF_A},
        "assessments:report_preview": post(uuid_of("draft"), {**DRAFT_OF_A, "leader_a": 302}),
        "assessments:report_verify": {"expect": VERIFIERS},
    }
)

# --- Action plan ---------------------------------------------------------------------------------
# The plan of `approved` (agency A). Reading: whoever sees the submitted assessment. Editing: the agency's
# leader and contributors (an empty POST gets past access and is refused as a form: 400). The go-live:
# the leader only. Another agency's plan, items and evidence are 404.
PLAN_EDIT = {**SUBMITTED_OF_A, "leader_a": 400, "contributor_a": 400, "reviewer": 403, "auditor": 403}


# The sealed status report (permissions.can_make_status_report): the agency's leader and contributors,
# reviewers and auditors in scope (and administrators); the officers never by reading alone (404 here, as
# the plan is invisible to them; tests/test_plan_report.py covers an officer who could read). Asking is a
# POST: an empty one gets past access and is refused as a form (400); the worker makes it afterwards.
STATUS_REPORT_MAKERS = SUBMITTED_OF_A
STATUS_REPORT_ASK = {**STATUS_REPORT_MAKERS, "leader_a": 400, "contributor_a": 400, "reviewer": 400, "auditor": 400}


def _plan_item_args(world, objects):
    return [objects.approved.uuid, objects.plan_evidence.item_id]


def _evidence_args(world, objects):
    return [objects.approved.uuid, objects.plan_evidence.uuid]


MATRIX.update(
    {
        "assessments:plan_detail": {"args": lambda w, o: [o.approved.uuid], "expect": SUBMITTED_OF_A},
        "assessments:plan_item": {"args": _plan_item_args, "expect": SUBMITTED_OF_A},
        "assessments:plan_evidence_add": {"method": "post", "args": _plan_item_args, "expect": PLAN_EDIT},
        "assessments:plan_evidence_download": {"args": _evidence_args, "expect": SUBMITTED_OF_A},
        "assessments:plan_evidence_remove": post(_evidence_args, {**PLAN_EDIT, "leader_a": 302, "contributor_a": 302}),
        # Only the leader; the item is not a done measure, so the leader is sent back with the reason.
        "assessments:plan_reassess": post(_plan_item_args, {**PLAN_EDIT, "leader_a": 302, "contributor_a": 403}),
        "assessments:plan_in_use": post(uuid_of("approved"), {**PLAN_EDIT, "contributor_a": 403}),
        "assessments:plan_in_use_correct": post(uuid_of("approved"), {**PLAN_EDIT, "contributor_a": 403}),
        "assessments:plan_export_csv": {"args": lambda w, o: [o.approved.uuid], "expect": SUBMITTED_OF_A},
        "assessments:plan_export_xlsx": {"args": lambda w, o: [o.approved.uuid], "expect": SUBMITTED_OF_A},
        "assessments:plan_status_report": {
            "method": "post",
            "args": lambda w, o: [o.approved.uuid],
            "expect": STATUS_REPORT_ASK,
        },  # fmt: skip
        "assessments:plan_status_report_download": {
            "args": lambda w, o: [o.approved.uuid, o.plan_status_report.uuid],
            "expect": STATUS_REPORT_MAKERS,
        },
        "assessments:plan_overdue": {"expect": AUDITOR_OR_REVIEWER},
    }
)


# --- The tool overview (Verktøyoversikten) ---------------------------------------------------------
# Everyone signed in reads it; UKE (reviewers) and administrators change it; administrators issue API tokens.
# Forms: a GET shows the form; an empty POST to withdraw is allowed for reviewers (302 back to the entry).
CATALOGUE_EDITORS = {**REVIEWER_ONLY}
# The JSON answers signed-in users and API tokens; an anonymous caller without a token gets 401, not a redirect.
CATALOGUE_JSON = {**SIGNED_IN_ONLY, "anonymous": 401}
NOBODY_BUT_ADMINS = {**dict.fromkeys(SIGNED_IN_ONLY, 403), "anonymous": 302}

MATRIX.update(
    {
        "assessments:catalogue_list": {"expect": SIGNED_IN_ONLY},
        "assessments:catalogue_detail": {"args": lambda w, o: [o.tool.entry.slug], "expect": SIGNED_IN_ONLY},
        "assessments:catalogue_create": {"expect": CATALOGUE_EDITORS},
        "assessments:catalogue_change": {"args": lambda w, o: [o.tool.entry.slug], "expect": CATALOGUE_EDITORS},
        # An empty POST has no reason or confirmation: the form comes back with the errors.
        "assessments:catalogue_withdraw": post(
            lambda w, o: [o.tool.entry.slug], {**CATALOGUE_EDITORS, "reviewer": 400}
        ),
        "assessments:catalogue_import": {"expect": CATALOGUE_EDITORS},
        # An empty confirmation (no preview in the session) sends the editor back to the upload page.
        "assessments:catalogue_import_confirm": post(no_args, {**CATALOGUE_EDITORS, "reviewer": 302}),
        "assessments:catalogue_import_template": {"args": lambda w, o: ["xlsx"], "expect": CATALOGUE_EDITORS},
        # An empty POST has no reason: the review page again, with the error at the field (400).
        "assessments:catalogue_flag_dismiss": post(
            lambda w, o: [o.catalogue_flag.pk], {**CATALOGUE_EDITORS, "reviewer": 400}
        ),
        "assessments:catalogue_json": {"expect": CATALOGUE_JSON},
        "assessments:catalogue_tokens": {"expect": NOBODY_BUT_ADMINS},
        "assessments:public_catalogue_json": {"expect": PUBLIC_REGISTER_OFF},
    }
)


# --- The data protection officer and the security officer -----------------------------------------
# `submitted_personal` (agency A) processes personal data: the DPO reads it. The security officer does not
# hold the DPO's role, so the DPO's page of it is invisible (404) to them; everyone else is refused (403).
OFFICERS_ONLY = {**dict.fromkeys(SIGNED_IN_ONLY, 403), "dpo": 200, "security_officer": 200, "anonymous": 302}

MATRIX.update(
    {
        "assessments:officer_queue": {"expect": OFFICERS_ONLY},
        "assessments:officer_detail": {
            "args": lambda w, o: [o.submitted_personal.uuid, "dpo"],
            "expect": {**OFFICERS_ONLY, "security_officer": 404},
        },
    }
)


# --- Public access (offentleglova) ----------------------------------------------------------------------------
# UKE (reviewers) marks what is exempt and makes innsyn copies; administrators too (tests/test_public_access.py).
# Readers of the submitted assessment are refused (403), those who cannot see it get 404. An empty POST to lift
# is sent back to the page; the innsyn copy is the PDF itself.
EXEMPTION_EDITORS = {**SUBMITTED_OF_A, "leader_a": 403, "contributor_a": 403, "auditor": 403}

MATRIX.update(
    {
        "assessments:public_access_list": {"expect": REVIEWER_ONLY},  # and administrators
        "assessments:exemptions": {"args": lambda w, o: [o.submitted.uuid], "expect": EXEMPTION_EDITORS},
        "assessments:exemption_lift": {
            "method": "post",
            "args": lambda w, o: [o.submitted.uuid],
            "expect": {**EXEMPTION_EDITORS, "reviewer": 302},
        },
        "assessments:innsyn_copy": {
            "method": "post",
            "args": lambda w, o: [o.submitted.uuid],
            "expect": EXEMPTION_EDITORS,
        },
        "assessments:tool_exemptions": {"args": lambda w, o: [o.tool.entry.slug], "expect": CATALOGUE_EDITORS},
        "assessments:tool_exemption_lift": {
            "method": "post",
            "args": lambda w, o: [o.tool.entry.slug],
            "expect": {**CATALOGUE_EDITORS, "reviewer": 302},
        },
        "assessments:tool_innsyn_json": {"args": lambda w, o: [o.tool.entry.slug], "expect": CATALOGUE_EDITORS},
    }
)
