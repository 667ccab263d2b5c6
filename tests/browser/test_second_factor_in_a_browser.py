"""The second factor in a real browser: an auditor who may see whole numbers logs in with the password,
lands on the enrolment page, types the key into "their app" (RFC 6238, django_otp.oath), confirms, and
the next login needs the code from the page's login form."""

import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Permission
from django_otp.oath import TOTP

from tests.browser.helpers import PASSWORD, screenshot, staff_member

pytestmark = pytest.mark.slow


def authenticator_code(key: str, offset_steps: int = 0) -> str:
    """What a phone shows for the key typed from the page (spaces and all), `offset_steps` 30 s ahead."""
    generator = TOTP(b32decode(key.replace(" ", "")))
    generator.time = time.time() + 30 * offset_steps
    return f"{generator.token():06d}"


def fill_login(page, live_url: str, username: str, code: str = "") -> None:
    page.goto(f"{live_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code)
    page.click("input[type=submit]")


def test_an_auditor_with_full_numbers_enrols_then_logs_in_with_the_code(simulator, page, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    auditor = staff_member("Auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))

    fill_login(page, simulator.url, auditor.username)
    page.wait_for_url(f"{simulator.url}/admin/second-factor/?next=*")
    assert "may see whole phone numbers: set up two-factor authentication" in page.content()
    assert page.query_selector(".second-factor-qr svg") is not None
    screenshot(page, "second-factor-enrol")
    key = page.inner_text(".second-factor-key")

    page.fill("#id_otp_token", authenticator_code(key))
    page.click("input[type=submit]")
    page.wait_for_url(f"{simulator.url}/admin/")
    assert "Two-factor authentication is on" in page.content()

    page.context.clear_cookies()
    fill_login(page, simulator.url, auditor.username)  # the password alone no longer does
    assert "Enter the 6-digit code" in page.content()
    fill_login(page, simulator.url, auditor.username, authenticator_code(key, offset_steps=1))
    page.wait_for_url(f"{simulator.url}/admin/")
