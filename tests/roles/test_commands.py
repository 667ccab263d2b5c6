"""`--as USERNAME` / CONSOLE_USER on the commands that change Twilio: checked like the admin, attributed,
exit 2 when refused; without a user they run as before unless CONSOLE_COMMANDS_REQUIRE_USER says otherwise."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations_ops.models import Message, PairingStep, SyncOperation
from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import RemoteAccountWebhooks
from tests.roles.rows import COURIER, CUSTOMER, SENDER
from tests.roles.staff import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {role: staff_user(role) for role in ("Support", "Ops", "Auditor")}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refusal(*args) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(*args)
    assert excinfo.value.returncode == 2
    return str(excinfo.value)


def test_close_as_an_ops_member_is_theirs(rows, people, no_push):
    run("pairing", "close", str(rows.pairing.pk), "--as", "ops")
    operation = SyncOperation.objects.get(operation="conversation.update")
    assert operation.requested_by == people["Ops"]
    assert PairingStep.objects.filter(pairing=rows.pairing, kind="close", actor=people["Ops"]).exists()


@pytest.mark.parametrize("action", ["close", "retry", "abandon"])
def test_an_auditor_may_not_close_retry_or_abandon(rows, people, no_push, action):
    reason = refusal("pairing", action, str(rows.pairing.pk), "--as", "auditor")
    assert f"auditor may not {action} a pairing" in reason and "conversations_ops.change_pairing" in reason
    assert not SyncOperation.objects.filter(operation__startswith="conversation.").exists()


def test_an_unknown_or_inactive_user_is_refused(rows, people, no_push):
    assert "'nobody' is not an active staff account" in refusal(
        "pairing", "close", str(rows.pairing.pk), "--as", "nobody"
    )
    people["Ops"].is_active = False
    people["Ops"].save()
    assert "not an active staff account" in refusal("pairing", "close", str(rows.pairing.pk), "--as", "ops")


def test_console_user_is_the_default(rows, people, no_push, monkeypatch):
    monkeypatch.setenv("CONSOLE_USER", "support")
    assert "support may not close a pairing" in refusal("pairing", "close", str(rows.pairing.pk))
    monkeypatch.setenv("CONSOLE_USER", "ops")
    run("pairing", "close", str(rows.pairing.pk))
    assert SyncOperation.objects.get(operation="conversation.update").requested_by == people["Ops"]


@pytest.mark.parametrize(
    "args",
    [
        ("pairing", "close", "{pk}"),
        ("message_send", "--conversation", "pairing-1", "--body", "On my way"),
        ("twilio_push",),
        ("twilio_configure_webhooks",),
    ],
)
def test_required_user_refuses_to_act_for_nobody(rows, settings, no_push, args):
    settings.CONSOLE_COMMANDS_REQUIRE_USER = True
    reason = refusal(*(a.format(pk=rows.pairing.pk) for a in args))
    assert "--as USERNAME or CONSOLE_USER" in reason
    assert not Message.objects.filter(body="On my way").exists()


def test_without_a_user_commands_run_as_before(rows, no_push):
    run("pairing", "close", str(rows.pairing.pk))
    assert SyncOperation.objects.get(operation="conversation.update").requested_by is None


def test_message_send_as_ops_is_queued_by_them_and_refused_for_support(rows, people, no_push):
    assert "support may not send messages" in refusal(
        "message_send", "--conversation", "pairing-1", "--body", "On my way", "--as", "support"
    )
    assert not Message.objects.filter(body="On my way").exists()
    run("message_send", "--conversation", "pairing-1", "--body", "On my way", "--as", "ops")
    message = Message.objects.get(body="On my way")
    assert SyncOperation.objects.get(object_id=message.pk, operation="message.send").requested_by == people["Ops"]


def test_pairing_start_is_refused_before_anything_is_asked_of_twilio(rows, people, monkeypatch):
    monkeypatch.setattr(
        gateway,
        "participant_conversation_list",
        lambda **kwargs: pytest.fail("the pre-flight must not run for a refused user"),
    )
    reason = refusal(
        "pairing",
        "start",
        "--sender",
        SENDER,
        "--customer",
        CUSTOMER,
        "--courier",
        COURIER,
        "--invite-template",
        rows.template.sid,
        "--invite-variables",
        '{"1": "Robert"}',
        "--connected-template",
        rows.template.sid,
        "--connected-variables",
        '{"1": "Ana"}',
        "--as",
        "support",
    )
    assert "support may not start a pairing" in reason
    assert "conversations_ops.add_pairing" in reason and "conversations_ops.send_message" in reason


def test_twilio_push_needs_push_to_twilio(people, no_push):
    assert "auditor may not push to Twilio" in refusal("twilio_push", "--as", "auditor")
    assert "0 failed" in run("twilio_push", "--as", "ops")


def test_twilio_configure_webhooks_needs_the_webhook_permission(people, monkeypatch):
    calls = []
    answer = RemoteAccountWebhooks(
        method="POST",
        filters=["onMessageAdded"],
        pre_webhook_url="",
        post_webhook_url="http://testserver/webhooks/twilio/conversations/",
        target="webhook",
    )
    monkeypatch.setattr(gateway, "account_webhooks_update", lambda **kwargs: calls.append(kwargs) or answer)
    assert "support may not configure Twilio's webhooks" in refusal("twilio_configure_webhooks", "--as", "support")
    assert calls == []
    assert "Post-event webhook: POST" in run("twilio_configure_webhooks", "--as", "ops")
    assert len(calls) == 1
