"""Browser tests: the console in Debian's Chromium, driven by Playwright, against a live
server that also serves the simulator (as `make run` does).

Playwright never downloads a browser here: `make test` and `.ci/run` install Debian's
chromium package and the tests launch /usr/bin/chromium (or $CHROMIUM). Without it
the tests are skipped with the reason, so a developer machine without Chromium still
runs the rest of the suite.

UPDATE_SCREENSHOTS=1 writes the main pages to docs/screenshots/ as the tests pass them.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from tests.simulator.conftest import simulator  # noqa: F401  (the live simulator)

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "a-long-browser-password"
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


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def staff_member(role: str) -> User:
    """A staff user in the group `role`, as migration 0011 made it (re-made if a live-server flush took it)."""
    from importlib import import_module

    from django.apps import apps

    if not Group.objects.filter(name=role).exists():
        import_module("conversations_ops.migrations.0011_staff_groups").create_groups(apps, None)
        import_module("conversations_ops.migrations.0012_audit_entries").grant_view(apps, None)
    user = User.objects.create_user(role.lower(), password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, live_url: str, user: User) -> None:
    page.goto(f"{live_url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_url}/admin/")


def screenshot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
