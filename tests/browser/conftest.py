"""Headless Chromium against the app served on loopback.

Uses Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by Playwright; the
tests skip, saying why, where no Chromium is installed. `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The live server answers in threads of its own, with their own connections: the
    browser tests commit for real (``truncate_db``) and are slow."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.truncate_db)
            item.add_marker(pytest.mark.slow)


def _chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if not path:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free loopback port for the duration of one test."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    # Links in emails and feeds point where the app is served (eventapp/urls.py).
    app.config["PUBLIC_BASE_URL"] = url
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def has_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )


AXE_SOURCE = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "axe-core",
                          "axe.min.js")
# WCAG 2.1 A and AA rules (axe-core's tags), as RGAA 4 follows them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core (from npm, ``node_modules/axe-core``) on the page as it is now and
    return the violations of WCAG 2.1 AA at the given impacts.

    The script goes in through ``page.evaluate`` (the DevTools protocol), so the page's
    own CSP (``script-src 'self'``) stays as users get it."""
    if not os.path.exists(AXE_SOURCE):
        pytest.skip("axe-core is not installed (npm ci)")
    # a link just clicked may still be loading its page: check the page it leads to
    page.wait_for_load_state("load")
    with open(AXE_SOURCE, encoding="utf-8") as source:
        page.evaluate(source.read())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    """One line per violation and node, for an assertion message that says what and where."""
    lines = []
    for violation in violations:
        for node in violation["nodes"][:5]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} "
                         f"- {violation['help']}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """No serious or critical WCAG 2.1 AA violation on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
