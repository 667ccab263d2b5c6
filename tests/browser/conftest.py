"""Browser tests: the console in Debian's Chromium, driven by Playwright, against a live
server that also serves the simulator (as `make run` does).

Playwright never downloads a browser here: `make test` and `.ci/run` install Debian's
chromium package and the tests launch /usr/bin/chromium (or $CHROMIUM). Without it
the tests are skipped with the reason, so a developer machine without Chromium still
runs the rest of the suite.

UPDATE_SCREENSHOTS=1 writes the main pages to docs/screenshots/ as the tests pass them.

Every page a test visits is checked with axe-core (accessibility.py): `page` is a `CheckedPage`.
"""

import os
import shutil

import pytest

from tests.browser.accessibility import CheckedPage, Checker

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# As the environment reading shows them to work: no background traffic to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; make test and .ci/run install it)"
)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make between browser steps are plain synchronous code all the same.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser context's page, each document of which axe checks (accessibility.py)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    checker = Checker()
    yield CheckedPage(context.new_page(), checker)
    try:
        # A test that already failed is not also failed for the page it stopped on.
        if not getattr(request.node, "browser_test_failed", True):
            checker.finish()
    finally:
        context.close()
