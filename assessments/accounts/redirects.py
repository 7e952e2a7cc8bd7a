"""Where a `next` parameter may send someone: a path on this site, nothing else.

Django's and allauth's own checks accept any relative text, so `?next=abc` passed them and the browser went on to
`/logg-inn/abc` (a 404), and `redirect()` reads such text as the name of a view. A path that starts with one
slash is what every page here links with, so that is the rule for sign-in, sign-out, the Entra ID sign-in and the
report panel alike.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(url: str | None) -> bool:
    # url_has_allowed_host_and_scheme refuses "//host" and "/\host", which browsers read as another site.
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
