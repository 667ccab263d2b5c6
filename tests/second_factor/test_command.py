"""`manage.py second_factor`: operators list who has an authenticator app and reset a lost one, audited."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations_ops.models import AuditEntry
from tests.roles.staff import AUDITOR, OPS, client_for, staff_user
from tests.second_factor.helpers import ENROL, INDEX, code, enrolled, log_in, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return User.objects.create_superuser("root", password="a-long-test-password")


def run(*args) -> str:
    out = StringIO()
    call_command("second_factor", *args, stdout=out)
    return out.getvalue()


def test_reset_removes_the_app_ends_the_sessions_and_is_audited(root, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    auditor = staff_user(AUDITOR)
    auditor.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    device = enrolled(auditor)
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        log_in(client, auditor, code(device))
        device.refresh_from_db()
        device.last_t -= 1  # the second login types the same code in the same 30 s
        device.save()
    bystander = client_for(staff_user(OPS))

    out = run("reset", "auditor", "--as", "root")

    assert "Removed 1 authenticator app(s) of auditor and ended 2 session(s)" in out
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    assert laptop.get(INDEX).status_code == 302 and not logged_in(laptop)
    assert phone.get(INDEX).status_code == 302 and not logged_in(phone)
    assert bystander.get(INDEX).status_code == 200  # nobody else's session
    entry = AuditEntry.objects.get(action="second_factor.reset")
    assert (entry.actor, entry.source, entry.target_repr) == (root, "shell", "user auditor")
    assert entry.detail == {"devices_removed": 1, "sessions_ended": 2, "command": "second_factor"}

    # The next login with the password alone leads to enrolling a new app.
    fresh = Client()
    assert log_in(fresh, auditor).status_code == 302
    assert fresh.get(INDEX)["Location"].startswith(ENROL)


def test_reset_is_for_superusers_only(root):
    ops = staff_user(OPS)
    device = enrolled(staff_user(AUDITOR))
    with pytest.raises(CommandError) as refused:
        run("reset", "auditor", "--as", ops.username)
    assert refused.value.returncode == 2
    assert "ops may not reset a second factor: missing permission otp_totp.delete_totpdevice" in str(refused.value)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEntry.objects.filter(action="second_factor.reset").exists()


def test_reset_says_who_when_production_requires_it(root, settings):
    settings.CONSOLE_COMMANDS_REQUIRE_USER = True
    device = enrolled(staff_user(AUDITOR))
    with pytest.raises(CommandError, match="--as USERNAME or CONSOLE_USER") as refused:
        run("reset", "auditor")
    assert refused.value.returncode == 2 and TOTPDevice.objects.filter(pk=device.pk).exists()


def test_reset_of_an_unknown_account_is_refused(root):
    with pytest.raises(CommandError, match="no account named 'ghost'"):
        run("reset", "ghost", "--as", "root")


def test_list_shows_who_needs_and_has_an_app_never_a_key(root):
    auditor = staff_user(AUDITOR)
    auditor.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    device = enrolled(auditor)
    staff_user(OPS)

    lines = {line.split()[0]: line for line in run("list").splitlines()[1:]}

    assert "yes (full numbers)" in lines["auditor"] and "authenticator app (last used never)" in lines["auditor"]
    assert "optional" in lines["ops"] and lines["ops"].endswith("none")
    assert "yes (superuser)" in lines["root"]
    assert device.key not in run("list")
