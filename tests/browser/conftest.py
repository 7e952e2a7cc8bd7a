"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

- One browser per session, closed right after the last browser test: Playwright's sync API keeps an
  asyncio loop "running" in the test thread while it is alive, which would break Django's ORM and
  pyHanko's `asyncio.run` in every test that runs after it.
- Each user gets a browser context of their own (cookies apart), signed in through the real form.
- `check_page(page)` runs axe-core (WCAG 2.1 A and AA) and fails on any violation, and on any
  console error (a CSP violation of an inline script or style shows up there).
- On a failure, every open page is saved as a screenshot under var/test-artifacts/ and the path is
  printed, named after the test and the journey step that failed.
"""

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, require_tool

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000
_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

_pages_key = pytest.StashKey[list]()
_step_key = pytest.StashKey[list]()


class _Browser:
    """The session's browser, started on first use and stopped after the last browser test."""

    def __init__(self):
        self.playwright = None
        self.browser = None

    def get(self):
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            executable = require_tool("chromium")
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        return self.browser

    def stop(self):
        if self.browser is not None:
            try:
                self.browser.close()
            finally:
                self.playwright.stop()
                self.browser = self.playwright = None


_BROWSER = _Browser()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("browser"):
        # Playwright's sync API runs an asyncio loop in this thread; the ORM calls the tests and
        # the database fixtures make around it are still synchronous and safe.
        os.environ[_ASYNC_UNSAFE] = "true"


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # Stop the browser as soon as the next test is not a browser test (it is started again if a
    # browser test follows later, e.g. under xdist's scheduling).
    next_is_browser = nextitem is not None and nextitem.get_closest_marker("browser") is not None
    if item.get_closest_marker("browser") and not next_is_browser:
        _BROWSER.stop()
        os.environ.pop(_ASYNC_UNSAFE, None)


def pytest_sessionfinish(session, exitstatus):
    _BROWSER.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    pages = item.stash.get(_pages_key, [])
    steps = item.stash.get(_step_key, [])
    step = steps[-1] if steps else "test"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{item.name}--{step}")[:150]
    saved = []
    for number, (label, page) in enumerate(pages, start=1):
        if page.is_closed():
            continue
        path = ARTIFACTS / f"{base}--{number}-{label}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # noqa: BLE001  a failed screenshot must not hide the real failure
            saved.append(f"(screenshot of {label} failed: {exc})")
            continue
        saved.append(f"{path}  ({label} at {page.url})")
    if saved:
        text = f"Failed at step: {step}\n" + "\n".join(f"screenshot: {line}" for line in saved)
        report.sections.append(("browser screenshots", text))
        reporter = item.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("")
            for line in text.splitlines():
                reporter.write_line(line)


@pytest.fixture
def browser():
    return _BROWSER.get()


def _on_console(page, message) -> None:
    # A failed load is reported with its URL by _on_response; the console line has none.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.kiv_console_errors.append(message.text)


def _on_response(page, response) -> None:
    # A refused form comes back as its page with status 400: that is the page, not a failed load. Browsers
    # ask for /favicon.ico on their own; every other failed load (CSS, scripts, htmx) is a bug of the page.
    if response.request.is_navigation_request():
        return
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        page.kiv_console_errors.append(f"HTTP {response.status} for {response.url}")


def _on_dialog(page, dialog) -> None:
    # Playwright dismisses an unhandled dialog, and a dismissed "leave the page?" cancels the navigation.
    # The pages ask before unsaved changes are left (app.js): a test leaves as a person who chose to, unless
    # it sets `kiv_stay_on_leave` to see the question kept it on the page. Every dialog is noted.
    page.kiv_dialogs.append(dialog.type)
    if dialog.type == "beforeunload" and not page.kiv_stay_on_leave:
        dialog.accept()
    else:
        dialog.dismiss()


class Session:
    """The browser contexts and pages of one test, and the journey step it is at."""

    def __init__(self, browser, base_url: str, item):
        self.browser = browser
        self.base_url = base_url
        self.item = item
        self.contexts = []
        item.stash[_pages_key] = []
        item.stash[_step_key] = []

    def page(self, label: str):
        context = self.browser.new_context(base_url=self.base_url, locale="nb-NO")
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.kiv_console_errors = []
        page.kiv_visited = []
        page.kiv_dialogs, page.kiv_stay_on_leave = [], False
        page.on("dialog", lambda dialog: _on_dialog(page, dialog))
        page.on("console", lambda msg: _on_console(page, msg))
        page.on("pageerror", lambda exc: page.kiv_console_errors.append(f"script error: {exc}"))
        page.on("response", lambda response: _on_response(page, response))
        self.item.stash[_pages_key].append((label, page))
        return page

    def signed_in(self, username: str, password: str = PASSWORD):
        page = self.page(username)
        sign_in(page, username, password)
        return page

    @contextmanager
    def step(self, name: str):
        """Name the journey step that runs inside: a failure's screenshot carries its name."""
        self.item.stash[_step_key].append(name)
        yield

    def close(self):
        for context in self.contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001, S110  the browser may already be gone
                pass


@pytest.fixture
def session(browser, live_server, request):
    """`session.page(label)` / `session.signed_in(username)` open isolated pages on the live server."""
    opened = Session(browser, live_server.url, request.node)
    yield opened
    opened.close()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    assert "/logg-inn/" not in page.url, f"sign-in as {username} failed: still on {page.url}"


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (axe-core is a devDependency)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's CSP (script-src 'self'), so the page keeps its
        # real policy while axe is loaded; an inline <script> tag would be refused by it.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    script = "(t) => axe.run(document, {runOnly: {type: 'tag', values: t}, resultTypes: ['violations']})"
    result = page.evaluate(script, WCAG_TAGS)
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").strip().splitlines()
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary[-1] if summary else ''}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Zero axe-core violations of WCAG 2.1 A and AA on the page."""
    violations = axe_violations(page)
    heading = f"axe-core: {len(violations)} WCAG violation(s) on {page.url}:\n"
    assert not violations, heading + format_violations(violations)


def assert_no_console_errors(page) -> None:
    errors = list(page.kiv_console_errors)
    page.kiv_console_errors.clear()
    assert not errors, f"console errors on {page.url}:\n" + json.dumps(errors, indent=2, ensure_ascii=False)


_SHOTS: list[str] = []
NARROW = {"width": 320, "height": 800}
DESKTOP = {"width": 1280, "height": 720}
# Whole words no person should read: Python values leaking into the page, a choice's internal code.
# ("None of these" is an English choice label: a leaked value is not followed by more words.)
LEAKED_WORDS = re.compile(r"(?<![\w-])(None|True|False)(?![\w-])(?!\s+[a-zæøå])|«none»|“none”")


def internal_keys() -> set[str]:
    """The codes a page must never show: question, section, rule and obligation keys of the published
    questionnaires and the audit event types, where they are not ordinary words (they contain _ or .)."""
    from assessments.engine.loader import as_definition
    from assessments.labels import EVENTS
    from assessments.models import Questionnaire

    keys = set(EVENTS)
    for definition in Questionnaire.objects.values_list("definition", flat=True):
        defn = as_definition(definition)
        keys |= set(defn.questions) | {s.key for s in defn.sections} | {r.id for r in defn.rules}
        keys |= {o.code for o in getattr(defn, "obligations", ())}
    return {k for k in keys if "_" in k or "." in k}


def visible_text(page) -> str:
    """The page's text as a reader can get at it: folded sections (<details>) opened, then put back."""
    return page.evaluate("""() => {
        const closed = [...document.querySelectorAll('details:not([open])')];
        closed.forEach(d => d.open = true);
        const text = document.body.innerText + ' ' + document.title;
        closed.forEach(d => d.open = false);
        return text;
    }""")


def assert_no_internal_names(page) -> None:
    text = visible_text(page)
    found = sorted({m.group(0) for m in LEAKED_WORDS.finditer(text)})
    found += sorted(k for k in internal_keys() if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", text))
    context = [text[max(0, i - 80) : i + 40] for i in (text.find(word) for word in found) if i >= 0]
    assert not found, f"internal names in the visible text of {page.url}: {found}; in: {context}"


def assert_no_horizontal_scroll(page, screenshot: str = "") -> None:
    """Reflow (WCAG 1.4.10): at 320 CSS px the page itself never scrolls sideways; wide tables scroll in
    their own box. The viewport is put back afterwards."""
    size = page.viewport_size or DESKTOP
    page.set_viewport_size(NARROW)
    try:
        widths = page.evaluate("""() => {
            const root = document.documentElement, limit = root.clientWidth + 1;
            // The outermost elements that stick out: what to fix when the page scrolls sideways.
            const wide = [...document.querySelectorAll('body *')].filter(
                e => e.getBoundingClientRect().right > limit && !(e.parentElement &&
                     e.parentElement.getBoundingClientRect().right > limit));
            return [root.scrollWidth, root.clientWidth,
                    wide.slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)];
        }""")
        if screenshot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{screenshot}-320.png"), full_page=True)
        assert widths[0] <= widths[1], f"{page.url} scrolls sideways at 320 px: {widths}"
        # A label that wraps must grow its button: a fixed height lets the border cut through the text.
        cut = page.evaluate("""() => [...document.querySelectorAll('.pkt-btn')].filter(b => b.offsetParent)
            .filter(b => {
                const box = b.getBoundingClientRect(), range = document.createRange();
                range.selectNodeContents(b);
                const text = range.getBoundingClientRect();
                return text.height && (text.top < box.top || text.bottom > box.bottom);
            }).map(b => b.innerText.trim())""")
        assert not cut, f"{page.url}: at 320 px the text sticks out of these buttons: {cut}"
        # A term and its value side by side: a long term must wrap, not push its value out of the frame (a page
        # that clips does not scroll, so the test above does not see it).
        hidden = page.evaluate("""() => [...document.querySelectorAll('dl dd')].filter(d => d.offsetParent)
            .filter(d => { const box = d.getBoundingClientRect(), edge = document.documentElement.clientWidth + 1;
                           return d.innerText.trim() && (box.width < 1 || box.right > edge); })
            .map(d => d.innerText.trim().slice(0, 40))""")
        assert not hidden, f"{page.url}: at 320 px these values are squeezed out of view: {hidden}"
    finally:
        page.set_viewport_size(size)


def assert_desktop_layout(page) -> None:
    """At 1280 px: the header is one row (the language switch and the account beside the menu, not under it),
    and a list of facts set out as label and value has each label on its value's line."""
    if (page.viewport_size or DESKTOP)["width"] < DESKTOP["width"]:
        return
    brand_bottom, controls_top = page.evaluate("""() => [
        document.querySelector('.site-header__brand').getBoundingClientRect().bottom,
        document.querySelector('.site-header__user').getBoundingClientRect().top]""")
    assert controls_top < brand_bottom, f"{page.url}: at 1280 px the header's controls wrap under the menu"
    off = page.evaluate("""() => [...document.querySelectorAll('dl.facts')]
        .filter(list => getComputedStyle(list).display === 'grid')
        .flatMap(list => [...list.querySelectorAll(':scope > dt')])
        .filter(dt => dt.nextElementSibling && Math.abs(
            dt.getBoundingClientRect().top - dt.nextElementSibling.getBoundingClientRect().top) > 2)
        .map(dt => dt.textContent.trim())""")
    assert not off, f"{page.url}: these labels stand off their values' line: {off}"


def check_page(page) -> None:
    """What every page of the journey must pass: accessible, no script or CSP errors, no internal names
    in the visible text, and no sideways scrolling at 320 px."""
    page.wait_for_load_state()
    assert_accessible(page)
    assert_no_console_errors(page)
    assert_no_internal_names(page)
    assert_desktop_layout(page)
    shot = ""
    if os.environ.get("KIV_SCREENSHOTS"):  # for a person to look at: every checked page, both widths
        _SHOTS.append(page.url)
        shot = f"page-{len(_SHOTS):03d}-" + re.sub(r"[^A-Za-z0-9]+", "-", page.url.split("/", 3)[-1])[:60]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot}-desktop.png"), full_page=True)
    assert_no_horizontal_scroll(page, shot)
    visited = getattr(page, "kiv_visited", None)
    if visited is not None and page.url not in visited:
        visited.append(page.url)


def assert_error_is_announced_and_linked(page, field) -> None:
    """After a refused form: an error that screen readers announce (role=alert, or focus moved onto
    it), and the invalid field names its own message with aria-describedby and is marked invalid."""
    from playwright.sync_api import expect

    announced = page.get_by_role("alert")
    focused_error = page.evaluate(
        "() => !!document.activeElement.closest('[data-error-summary], [role=alert], .error-summary')"
    )
    assert announced.count() or focused_error, f"the error on {page.url} is not announced (no role=alert)"
    if announced.count():
        expect(announced.first).to_be_visible()
    described_by = (field.get_attribute("aria-describedby") or "").split()
    texts = [
        page.locator(f"#{ident}").inner_text().strip() for ident in described_by if page.locator(f"#{ident}").count()
    ]
    assert any(texts), f"the invalid field is not linked to its error message (aria-describedby={described_by})"
    assert field.get_attribute("aria-invalid") == "true", "the invalid field is not marked aria-invalid"
