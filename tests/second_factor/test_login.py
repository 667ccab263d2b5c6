"""The admin login with a second factor: staff who enrolled an authenticator app type its code; wrong
codes are throttled by django-otp and counted by django-axes; a code works once."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.roles.staff import AUDITOR, OPS, staff_user
from tests.second_factor.helpers import (
    INDEX,
    code,
    enrolled,
    log_in,
    logged_in,
    next_code,
    page_text,
    verified,
    wrong_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops():
    return staff_user(OPS)


def test_staff_without_an_app_log_in_with_the_password_alone(ops):
    client = Client()
    assert log_in(client, ops).status_code == 302 and logged_in(client)
    assert client.get(INDEX).status_code == 200


def test_the_login_page_offers_the_code_field():
    page = page_text(Client().get(INDEX, follow=True))
    assert 'name="otp_token"' in page and "Authentication code" in page


def test_an_enrolled_account_needs_its_code_even_where_none_is_required(ops):
    device = enrolled(ops)
    client = Client()

    without = log_in(client, ops)
    assert without.status_code == 200 and not logged_in(client)
    assert "Enter the 6-digit code" in without.context["form"].errors["otp_token"][0]

    wrong = log_in(client, ops, wrong_code(device))
    assert wrong.status_code == 200 and not logged_in(client)
    assert "Wrong or expired code" in wrong.context["form"].errors["otp_token"][0]

    device.throttle_reset()  # the wrong code's 1-second wait is django-otp's; tested below
    right = log_in(client, ops, code(device))
    assert right.status_code == 302 and logged_in(client) and verified(client)
    assert client.get(INDEX).status_code == 200


def test_a_right_code_with_a_wrong_password_logs_nobody_in(ops):
    device = enrolled(ops)
    client = Client()
    response = log_in(client, ops, code(device), password="not-the-password")
    assert response.status_code == 200 and not logged_in(client)
    assert TOTPDevice.objects.get(pk=device.pk).last_t == -1  # the code was not even checked, so not spent


def test_a_code_works_once(ops):
    """A code seen over someone's shoulder cannot be replayed within its 30 seconds."""
    device = enrolled(ops)
    first = code(device)
    assert log_in(Client(), ops, first).status_code == 302
    replay = Client()
    response = log_in(replay, ops, first)
    assert response.status_code == 200 and not logged_in(replay)
    assert "each code works once" in response.context["form"].errors["otp_token"][0]


def test_anothers_code_does_not_open_an_account(ops):
    mine = enrolled(ops)
    other = staff_user(AUDITOR)
    enrolled(other)
    client = Client()
    assert log_in(client, other, code(mine)).status_code == 200 and not logged_in(client)


def test_wrong_codes_are_throttled_by_django_otp_and_a_right_password_does_not_reset_it(ops):
    device = enrolled(ops)
    client = Client()
    log_in(client, ops, wrong_code(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    # A long streak: the next code is checked only 2**(10-1) = 512 s after the last wrong one.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    response = log_in(client, ops, code(device))
    assert response.status_code == 200 and not logged_in(client)
    assert "Too many wrong codes (10 in a row)" in response.context["form"].errors["otp_token"][0]
    device.refresh_from_db()
    assert device.throttling_failure_count == 10 and device.last_t == -1  # refused unchecked, nothing spent

    # The wait is over: the right code logs in and clears the streak.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    assert log_in(client, ops, code(device)).status_code == 302 and verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # django-otp's throttle off: what django-axes does on its own
def test_wrong_codes_count_as_failed_logins_for_django_axes(ops):
    """Right password, wrong code, five times: the username is locked from that address, the right code included."""
    device = enrolled(ops)
    client = Client()
    for _ in range(4):
        assert log_in(client, ops, wrong_code(device)).status_code == 200
    fifth = log_in(client, ops, wrong_code(device))
    assert fifth.status_code == 429 and "Login locked" in page_text(fifth)
    attempt = AccessAttempt.objects.get(username="ops")
    assert attempt.failures_since_start == 5
    assert "otp_token=********************" in attempt.post_data  # the typed codes are not kept
    assert wrong_code(device) not in attempt.post_data

    sixth = log_in(client, ops, code(device))
    assert sixth.status_code == 429 and not logged_in(client)
    device.refresh_from_db()
    assert device.last_t == -1  # axes refused before the password, so the code was never looked at


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_an_empty_code_is_not_a_guess(ops):
    enrolled(ops)
    client = Client()
    for _ in range(6):
        assert log_in(client, ops).status_code == 200
    assert not AccessAttempt.objects.filter(username="ops").exists()


def test_a_whole_login_clears_the_axes_count_a_password_alone_does_not(ops):
    device = enrolled(ops)
    client = Client()
    with override_settings(OTP_TOTP_THROTTLE_FACTOR=0):
        for _ in range(4):
            log_in(client, ops, wrong_code(device))
        log_in(client, ops)  # right password, no code: not a login
        assert AccessAttempt.objects.get(username="ops").failures_since_start == 4
        assert log_in(client, ops, next_code(device)).status_code == 302
    assert not AccessAttempt.objects.filter(username="ops").exists()


def test_superuser_logs_in_with_code_where_not_required():
    admin = User.objects.create_superuser("root", password="a-long-test-password")
    device = enrolled(admin)
    client = Client()
    assert log_in(client, admin, code(device)).status_code == 302 and verified(client)
