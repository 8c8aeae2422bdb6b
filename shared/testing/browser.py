"""pytest fixtures for browser tests: Playwright driving Debian's Chromium (a plugin loaded by
tests/conftest.py).

The browser is the system's /usr/bin/chromium, never one Playwright downloads: this machine
reaches only package registries. `./dpd test` installs it when missing; a missing browser
fails the tests with the install step, it never skips them. One Chromium per test run (each
launch gets a fresh, throw-away profile); each test gets its own context, so no cookie or
storage leaks between tests. A failing test's page is saved as a screenshot in its tmp_path.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
# Headless and quiet: no GPU, no sandbox (tests run as root in containers), and none of the
# background traffic (updates, sync, QUIC probing) that would reach for the internet.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium "
                    "(./dpd test installs it by itself when run as root).", pytrace=False)
    with sync_playwright() as playwright:
        # launch() gives Chromium a fresh user-data dir of its own and deletes it on close.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path) -> Iterator[Page]:
    """A fresh context and page at desktop size (tmp_path: where a failure screenshot goes)."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a test that used `page` fails, its page goes to <tmp_path>/failure.png, named in the report."""
    report = yield
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None and not page.is_closed():
        path = item.funcargs["tmp_path"] / "failure.png"
        page.screenshot(path=path, full_page=True)
        report.sections.append(("browser", f"screenshot of the page when the test failed: {path}"))
    return report


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """`app` served on a free loopback port in a thread, for as long as the block runs; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
