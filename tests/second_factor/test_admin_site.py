"""django-otp's device admin is off the site: its lists would answer lookups on the secret key
(`?key__startswith=`) and its pages show keys and QR codes to superusers."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.roles.staff import OPS, staff_user
from tests.second_factor.helpers import enrolled

pytestmark = pytest.mark.django_db


def test_totp_devices_are_not_on_the_admin_site(admin_client):
    device = enrolled(staff_user(OPS))  # someone else's: a superuser browsing for keys
    assert not admin.site.is_registered(TOTPDevice)
    with pytest.raises(NoReverseMatch):
        reverse("admin:otp_totp_totpdevice_changelist")
    for path in (
        f"/admin/otp_totp/totpdevice/?key__startswith={device.key[:2]}",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
    ):
        assert admin_client.get(path).status_code == 404, path


def test_the_user_tools_link_to_the_enrolment_page(admin_client):
    assert reverse("second_factor:enrol") in admin_client.get(reverse("admin:index")).content.decode()
