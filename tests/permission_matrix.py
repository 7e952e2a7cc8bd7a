"""Who may open which URL. Every URL pattern of the project must have a row here.

Each row: the URL name -> how to build its arguments and which status each role gets.
- "args": a function (world, objects) -> list of URL args; objects are built by tests/objects.py.
- "method": "get" (default) or "post" (a POST with an empty body: we check access, not the form).
- "expect": status per role. 404 = the object is invisible to that role, 403 = visible, not allowed,
  302 = redirected (anonymous users go to the sign-in page), 200 = allowed.
Roles: leader_a, contributor_a (both of agency A, which owns the objects), leader_b (another agency),
reviewer (UKE), auditor (all agencies), anonymous.
"""

SIGNED_IN_ONLY = {"leader_a": 200, "contributor_a": 200, "leader_b": 200, "reviewer": 200, "auditor": 200,
                  "anonymous": 302}
EVERYONE = dict.fromkeys(SIGNED_IN_ONLY, 200)
ADMIN_ONLY = {"leader_a": 302, "contributor_a": 302, "leader_b": 302, "reviewer": 302, "auditor": 302,
              "anonymous": 302}


def no_args(world, objects):
    return []


MATRIX = {
    "home": {"expect": SIGNED_IN_ONLY},
    "healthz": {"expect": EVERYONE},
    # Signed-in users are sent on from the sign-in page.
    "login": {"expect": {**dict.fromkeys(SIGNED_IN_ONLY, 302), "anonymous": 200}},
    # Django's LogoutView only accepts POST; a GET is 405 for everyone.
    "logout": {"method": "post", "expect": dict.fromkeys(SIGNED_IN_ONLY, 302)},
    "privacy": {"expect": EVERYONE},
    # OIDC sign-in is off in tests (no KIV_OIDC_CLIENT_ID): 404; signed-in users are sent on from the start.
    # tests/test_oidc.py covers both views with a provider configured.
    "oidc_start": {"expect": {**dict.fromkeys(SIGNED_IN_ONLY, 302), "anonymous": 404}},
    "oidc_callback": {"expect": dict.fromkeys(SIGNED_IN_ONLY, 404)},
    "set_language": {"method": "post", "expect": dict.fromkeys(SIGNED_IN_ONLY, 302)},
    # The Django admin lets only staff in; everyone else is sent to the admin sign-in page.
    "admin:*": {"expect": ADMIN_ONLY, "sample": "admin:index"},
}
