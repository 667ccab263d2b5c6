"""Authenticator apps as a phone computes them: RFC 6238 codes from the device's own key (django_otp.oath)."""

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a-long-test-password"  # tests.roles.staff.staff_user's
LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
ENROL = reverse("second_factor:enrol")


def code(device: TOTPDevice) -> str:
    """The 6 digits the app shows now (django_otp.oath.totp on the device's key and settings)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def next_code(device: TOTPDevice) -> str:
    """The code of the next 30-second step: accepted (tolerance 1) after `code` was spent, which
    django-otp refuses a second time."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + device.step
    return f"{generator.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits that are none of the codes django-otp accepts around now."""
    accepted = {code(device), next_code(device)}
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() - device.step
    accepted.add(f"{generator.token():06d}")
    return next(candidate for candidate in ("000000", "111111", "222222", "333333") if candidate not in accepted)


def enrolled(user) -> TOTPDevice:
    """A confirmed authenticator app for `user`."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def log_in(client: Client, user, otp_token: str = "", password: str = PASSWORD, address: str = "127.0.0.1"):
    data = {"username": user.get_username(), "password": password, "otp_token": otp_token, "next": INDEX}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def verified(client: Client) -> bool:
    return "otp_device_id" in client.session


def page_text(response) -> str:
    return " ".join(response.content.decode().split())
