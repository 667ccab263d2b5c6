"""Enforcement per role with SECOND_FACTOR_REQUIRED on (production's default), and enrolment end to end:
the QR code and otpauth URI, a real code from the device's key, the session verified, the audit entry."""

from base64 import b32encode
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations_ops.models import AuditEntry
from tests.roles.staff import AUDITOR, NO_GROUP, OPS, SUPPORT, client_for, staff_user
from tests.second_factor.helpers import (
    ENROL,
    INDEX,
    LOGIN,
    code,
    enrolled,
    log_in,
    logged_in,
    next_code,
    page_text,
    verified,
    wrong_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("required")]


@pytest.fixture
def required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def auditor_with_numbers() -> User:
    user = staff_user(AUDITOR, username="lead_auditor")
    user.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    return user


def superuser() -> User:
    return User.objects.create_superuser("root", password="a-long-test-password")


def sent_to_enrolment(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == ENROL


MUST = {"superuser": superuser, "auditor with full numbers": auditor_with_numbers}
MAY = {role: (lambda role=role: staff_user(role)) for role in (SUPPORT, OPS, AUDITOR, NO_GROUP)}


@pytest.mark.parametrize("who", MUST)
def test_accounts_that_see_whole_numbers_reach_only_enrolment(who):
    client = client_for(MUST[who]())
    response = client.get(INDEX)
    assert sent_to_enrolment(response)
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [INDEX]
    assert client.get(ENROL).status_code == 200


@pytest.mark.parametrize("who", MAY)
def test_other_roles_may_work_without_a_second_factor(who):
    client = client_for(MAY[who]())
    assert client.get(INDEX).status_code == 200
    page = page_text(client.get(ENROL))
    assert "Optional for your account" in page and "QR code for your authenticator app" in page


def test_every_admin_page_and_action_sends_an_unenrolled_superuser_to_enrolment():
    client = client_for(superuser())
    urls = [INDEX, reverse("admin:password_change"), reverse("admin:auth_user_changelist")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    for url in urls:
        assert sent_to_enrolment(client.get(url)), url
    # A write is turned away too, not only a page.
    before = User.objects.count()
    response = client.post(
        reverse("admin:auth_user_add"), {"username": "x", "password1": "p-4-x!Zq", "password2": "p-4-x!Zq"}
    )
    assert sent_to_enrolment(response) and User.objects.count() == before


def test_enrolment_end_to_end_then_logins_need_the_code():
    user = auditor_with_numbers()
    client = Client()
    assert log_in(client, user).status_code == 302  # no app yet: the password logs in ...
    assert sent_to_enrolment(client.get(INDEX))  # ... to the enrolment page only

    page = client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    html = page.content.decode()
    assert "<svg" in html and "QR code for your authenticator app" in html
    secret = b32encode(device.bin_key).decode()
    assert page.context["otpauth_uri"] == device.config_url
    uri = urlsplit(page.context["otpauth_uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Conversations%20Ops%3Alead_auditor")
    assert parse_qs(uri.query)["secret"] == [secret] and parse_qs(uri.query)["issuer"] == ["Conversations Ops"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert client.get(ENROL).context["otpauth_uri"] == device.config_url  # a reload keeps the scanned key

    wrong = client.post(ENROL, {"otp_token": wrong_code(device), "next": INDEX})
    assert wrong.status_code == 200 and "Wrong or expired code" in wrong.context["form"].errors["otp_token"][0]
    device.throttle_reset()

    done = client.post(ENROL, {"otp_token": code(device), "next": INDEX})
    assert done.status_code == 302 and done["Location"] == INDEX
    device.refresh_from_db()
    assert device.confirmed and verified(client)
    assert client.get(INDEX).status_code == 200
    entry = AuditEntry.objects.get(action="second_factor.enrol")
    assert (entry.actor, entry.source, entry.target_repr) == (user, "admin", "user lead_auditor")

    # Enrolled: the page no longer shows a key, and the next login needs the code.
    page = page_text(client.get(ENROL))
    assert "Two-factor authentication is on" in page
    assert secret[:8] not in page.replace(" ", "") and "otpauth://" not in page
    client.post(reverse("admin:logout"))
    again = Client()
    assert log_in(again, user).status_code == 200 and not logged_in(again)
    assert log_in(again, user, next_code(device)).status_code == 302
    assert client_verified_index(again)


def client_verified_index(client) -> bool:
    return verified(client) and client.get(INDEX).status_code == 200


def test_an_enrolled_account_cannot_enrol_another_app():
    """A session with the password only (one from before the app, say) cannot swap in a new phone."""
    user = auditor_with_numbers()
    device = enrolled(user)
    client = client_for(user)  # a session that never proved the app
    page = page_text(client.get(ENROL))
    assert "Two-factor authentication is on" in page and "otpauth://" not in page and "QR code for" not in page
    client.post(ENROL, {"otp_token": code(device)})
    assert list(TOTPDevice.objects.filter(user=user)) == [device] and not verified(client)


def test_enrolling_ends_the_accounts_other_sessions():
    """Sessions logged in elsewhere with the password alone must not go on without the code."""
    user = staff_user(OPS)
    elsewhere, bystander = client_for(user), client_for(staff_user(SUPPORT))
    here = client_for(user)
    here.get(ENROL)
    assert here.post(ENROL, {"otp_token": code(TOTPDevice.objects.get(user=user))}).status_code == 302
    assert elsewhere.get(INDEX).status_code == 302 and not logged_in(elsewhere)
    assert here.get(INDEX).status_code == 200 and bystander.get(INDEX).status_code == 200
    assert AuditEntry.objects.get(action="second_factor.enrol").detail == {"sessions_ended": 1}


def test_an_enrolled_session_keeps_the_key_hidden_and_adds_no_device():
    user = superuser()
    device = enrolled(user)
    client = Client()
    log_in(client, user, code(device))
    page = page_text(client.get(ENROL))
    assert "Lost or replaced your phone" in page and "otpauth://" not in page and "QR code for" not in page
    client.post(ENROL, {"otp_token": next_code(device)})
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_the_enrolment_redirect_stays_on_this_site():
    client = client_for(auditor_with_numbers())
    client.get(ENROL)
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(ENROL, {"otp_token": code(device), "next": "https://evil.example.com/"})
    assert response["Location"] == INDEX


def test_optional_enrolment_then_the_code_is_asked_for():
    user = staff_user(SUPPORT)
    client = client_for(user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    assert client.post(ENROL, {"otp_token": code(device)}).status_code == 302
    assert client.get(INDEX).status_code == 200
    fresh = Client()
    assert log_in(fresh, user).status_code == 200 and not logged_in(fresh)


def test_anonymous_visitors_get_the_login_page_not_the_key():
    response = Client().get(ENROL)
    assert response.status_code == 302 and urlsplit(response["Location"]).path == LOGIN
    assert not TOTPDevice.objects.exists()
