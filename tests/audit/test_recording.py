"""audit_record itself: who, where, and nothing personal kept."""

import pytest

from conversations_ops.audit.context import current
from conversations_ops.audit.entries import audit_record, mask_numbers, shell_source
from conversations_ops.models import AuditEntry
from conversations_ops.twilio.gateway import GatewayError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("whatsapp:+15017122661", "whatsapp:+15•••••2661"),
        (
            "Participant +4915123456789 is already in CH0123456789abcdef",
            "Participant +49•••••6789 is already in CH0123456789abcdef",
        ),
        ("Courier 015112345678", "Courier •••••5678"),
        (
            "CH00000000000000000000000000000001 at 2026-12-01 12:30:00",
            "CH00000000000000000000000000000001 at 2026-12-01 12:30:00",
        ),
    ],
)
def test_numbers_in_text_are_masked_and_sids_and_dates_are_not(text, shown):
    assert mask_numbers(text) == shown


def test_nothing_is_recorded_without_a_staff_member_or_a_shell():
    assert audit_record(action="template.create") is None
    assert not AuditEntry.objects.exists()


def test_a_user_passed_by_code_is_recorded_as_the_worker_s(staff):
    entry = audit_record(action="template.create", user=staff)
    assert (entry.actor, entry.actor_name, entry.source, entry.result_state) == (staff, "olga", "worker", "succeeded")


def test_a_shell_command_is_recorded_by_its_user_or_its_login(staff):
    with shell_source(user=staff, command="pairing start"):
        as_user = audit_record(action="pairing.start")
        with shell_source(command="twilio_pull"):
            nested = audit_record(action="pull.run")
        after_nested = audit_record(action="pairing.close")
    assert current() is None, "the mark ends with the block"
    assert (as_user.actor, as_user.source, as_user.detail) == (staff, "shell", {"command": "pairing start"})
    assert (nested.actor, nested.actor_name.endswith("shell)") or nested.actor_name == "shell") == (None, True)
    assert after_nested.actor == staff


def test_details_and_errors_keep_no_body_no_token_and_no_full_number(staff):
    entry = audit_record(
        action="message.send",
        user=staff,
        detail={
            "body": "Hi Ana",
            "auth_token": "secret",
            "invite_variables": {"1": "Ana"},
            "to": ["whatsapp:+15017122661"],
            "nested": {"password": "x", "ok": 1},
        },
        error=GatewayError(status=409, code=50416, message="Binding whatsapp:+15017122661 is already in use"),
    )
    entry.refresh_from_db()
    assert entry.detail == {"to": ["whatsapp:+15•••••2661"], "nested": {"ok": 1}}
    assert (entry.result_state, entry.twilio_error_code, entry.twilio_http_status) == ("failed", 50416, 409)
    assert entry.twilio_error == "Binding whatsapp:+15•••••2661 is already in use"
    assert entry.completed_at is not None
