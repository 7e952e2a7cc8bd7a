"""Request ids: one per request, in the response header, the log lines and the audit events; headers with a NUL
byte and form bodies that are not UTF-8 refused; what every private response carries; a page, not a blank
screen, for an action's address opened as a link and for a method no page takes."""

import codecs
import contextvars
import logging
import re
import uuid
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseNotAllowed, UnreadablePostError
from django.shortcuts import render
from django.urls import Resolver404, resolve

from assessments.text import clean_bytes

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_request: contextvars.ContextVar = contextvars.ContextVar("request", default=None)
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# URL names of views that answer with a file, not a page (downloads, exports, the answers file).
_FILE_VIEW = re.compile(r"download|export|_json$|_csv$|_xlsx$")


def valid_request_id(value: str | None) -> str:
    """The id if it is short and plain (letters, digits, `.`, `_`, `-`; at most 64), else blank."""
    return value if value and _VALID_ID.fullmatch(value) else ""


def current_request_id() -> str | None:
    return _request_id.get()


def current_actor_id() -> int | None:
    """The signed-in user of the current request, for audit events raised by model signals (admin)."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Trust an id from the proxy only when it is short and plain; otherwise make our own.
        incoming = request.headers.get("X-Request-ID", "")
        request_id = valid_request_id(incoming) or uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        request_token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(request_token)
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RefuseNulHeadersMiddleware:
    """A NUL byte in a request header (a cookie, the user agent) is answered with 400 (templates/400.html) before
    anything reads the header: PostgreSQL refuses NUL in text, so the session lookup, or the sign-in lockout's
    record of the user agent, would otherwise fail with a 500. Browsers never send one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                raise SuspiciousOperation(f"NUL byte in the request header {key}")
        return self.get_response(request)


class RefuseInvalidUtf8Middleware:
    """A form body that is not UTF-8 is answered with 400 (templates/400.html: nothing was saved). Django decodes form
    fields with errors="replace", so such a body would otherwise be saved with U+FFFD where the bytes were. After the
    session, locale, sign-in and header middleware: the 400 then carries every header and shows the signed-in user,
    in their language, and still comes before any view or CSRF check reads the form.

    - A body that names a charset other than UTF-8: Django refuses a url-encoded one itself, but with an exception
      that its error views meet again (their CSRF check reads the form), which ended in a bare 500. No browser sends
      one to this app's pages; it is refused here, and read as UTF-8 for the error page.
    - A url-encoded body: the raw bytes are checked, so a U+FFFD a person typed on purpose passes.
    - A multipart body (a file upload and its few text fields: a title, a link): the raw body holds the files and
      Django keeps no raw bytes of the fields, so the decoded text fields are checked: any U+FFFD is refused. A
      person pasting that character on purpose into an upload form is the price, and a rare one. Reading the form
      here moves Django's parse earlier, not elsewhere: the CSRF check reads it next.

    Left to Django: query strings (they only filter and search), and a body the client stopped sending (CSRF's check
    answers it, as before)."""

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.content_type not in self.FORMS:
            return self.get_response(request)
        if request.encoding and request.encoding.lower() != "utf-8":
            refused = not _is_utf8(request.encoding)
            # Django reads a form only as "utf-8" spelled so ("utf8" and "UTF_8" are UTF-8 too); the 400 page reads it
            # as UTF-8 as well.
            request.encoding = "utf-8"
            if refused:
                raise SuspiciousOperation("a form body that names a charset other than UTF-8")
        try:
            if request.content_type == "multipart/form-data":
                _check_multipart_text(request)
            else:
                _check_urlencoded(request.body)
        except UnreadablePostError:
            pass
        return self.get_response(request)


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def _check_urlencoded(body: bytes) -> None:
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise SuspiciousOperation("a form body that is not UTF-8") from None


def _check_multipart_text(request) -> None:
    if any("\ufffd" in value for _key, values in request.POST.lists() for value in values):
        raise SuspiciousOperation("a multipart form field that is not UTF-8")


class PrivateResponseMiddleware:
    """One place for what every response to a signed-in user and every download must carry.

    - `Cache-Control: no-store` (and `private`): a shared computer's browser cache or a proxy must not keep
      pages and files that were meant for one person (signed-in pages, reports, exports).
    - Bidirectional controls and zero-width characters stripped from HTML and JSON bodies (text.py):
      rows stored before the normaliser existed are shown clean too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        download = response.get("Content-Disposition", "").startswith("attachment")
        # A session cookie stands for "signed in": asking `request.user` here would load the session from
        # the database, and /healthz must answer (503, not 500) while the database is down.
        if download or settings.SESSION_COOKIE_NAME in request.COOKIES:
            response["Cache-Control"] = "no-store, private"
        content_type = response.get("Content-Type", "")
        textual = content_type.startswith(("text/html", "application/json", "text/plain"))
        if textual and not response.streaming and not getattr(response, "is_file_response", False):
            response.content = clean_bytes(response.content)
        return response


class OnlyPageMethodsMiddleware:
    """The app's pages and forms take GET, HEAD and POST, and a view that names no methods answers any other as
    a GET (the page, a file). Every other method (PUT, DELETE, PATCH, OPTIONS, TRACE …) gets the 405 page here,
    before the CSRF check or a view sees it: one answer for all, in the user's language, nothing changed."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.ALLOWED:
            return self.get_response(request)
        method = request.method[:20]  # shown on the page (escaped); a method is any token the client sends
        page = render(request, "405.html", {"back": _page_above(request.path_info), "method": method}, status=405)
        page["Allow"] = ", ".join(self.ALLOWED)
        return page


class ActionOpenedAsLinkMiddleware:
    """An action's address (recall, approve, the innsyn copy) takes a POST from its button; opened from a bookmark,
    a new tab or a pasted link, Django's 405 has an empty body and the browser shows a blank page. This answers
    the GET with a page that says nothing was changed and leads to the page the action belongs to: the address
    one segment up when it is a page of the app (/vurderinger/<id>/hent-tilbake/ belongs to /vurderinger/<id>/),
    else the start page. The status stays 405 with its Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or request.method not in ("GET", "HEAD"):
            return response
        page = render(request, "405.html", {"back": _page_above(request.path_info)}, status=405)
        page["Allow"] = response["Allow"]
        return page


def _page_above(path: str) -> str | None:
    """The nearest address above `path` that is a page: one that downloads a file or an export (an evidence
    file above its "remove" action) is passed over."""
    while (path := path.rstrip("/").rsplit("/", 1)[0] + "/") != "/":
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if not _FILE_VIEW.search(match.url_name or ""):
            return path
    return None


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True
