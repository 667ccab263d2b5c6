"""Staff actions that call Twilio directly (not through the outbox) record themselves with Twilio's answer."""

from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from conversations_ops.audit.entries import shell_source
from conversations_ops.messaging.template_sync import template_sync_all
from conversations_ops.models import AuditEntry, Conversation, Pairing, Template, WebhookEvent
from conversations_ops.pairings.actions import PairingRefused, pairing_close, pairing_start
from conversations_ops.pull.runner import pull_scheduled
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_create
from conversations_ops.twilio import gateway
from conversations_ops.webhooks.reprocess import webhook_events_reprocess
from tests.audit.helpers import assert_no_full_numbers, pairing_request
from tests.helpers.pairings import CUSTOMER
from tests.helpers.templates import create_from_admin

pytestmark = pytest.mark.slow


def test_template_create_and_submit_from_the_admin_are_recorded_with_twilio_s_answers(
    simulator, admin_client, admin_user
):
    create_from_admin(admin_client)  # the admin's view passes no user: the middleware says who
    template = Template.objects.get()
    create, submit = AuditEntry.objects.order_by("id")
    assert (create.action, create.actor, create.source, create.result_state) == (
        "template.create",
        admin_user,
        "admin",
        "succeeded",
    )
    assert (create.twilio_sid, create.object_id) == (template.sid, template.pk)
    assert create.detail == {"friendly_name": "courier_invite", "language": "en", "placeholders": 2}
    assert (submit.action, submit.result_state, submit.twilio_sid) == ("template.submit", "succeeded", template.sid)
    assert submit.detail == {"approval_name": "courier_invite", "category": "UTILITY", "approval_status": "received"}

    # A mirror behind Twilio lets a second submit through to Twilio, which refuses it (92009).
    Template.objects.filter(pk=template.pk).update(approval_status="unsubmitted")
    admin_client.post(
        reverse("admin:conversations_ops_template_submit", args=[template.pk]),
        {"approval_name": "courier_invite_2", "category": "UTILITY"},
    )
    again = AuditEntry.objects.latest("id")
    assert (again.action, again.result_state, again.twilio_error_code, again.twilio_http_status) == (
        "template.submit",
        "failed",
        92009,
        400,
    )
    assert "already been submitted" in again.twilio_error
    assert "bringing your order" not in str(AuditEntry.objects.values_list("detail", flat=True)), "never the body"


def test_account_webhook_configuration_is_recorded_with_its_result(simulator, staff):
    account_webhooks_configure(user=staff)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.result_state) == ("account_webhooks.configure", staff, "succeeded")
    assert entry.detail["post_webhook_url"].endswith("/webhooks/twilio/conversations/")

    faults = f"{simulator.api_base}/_control/faults"
    requests.post(faults, json={"rate": 1, "kinds": ["429"]}, timeout=5).raise_for_status()
    try:
        with shell_source(command="twilio_configure_webhooks"), pytest.raises(gateway.GatewayError):
            account_webhooks_configure()
    finally:
        requests.delete(faults, timeout=5)
    refused = AuditEntry.objects.latest("id")
    assert (refused.source, refused.actor, refused.result_state, refused.twilio_http_status) == (
        "shell",
        None,
        "failed",
        429,
    )
    assert refused.actor_name.endswith("(shell)") or refused.actor_name == "shell"
    assert refused.detail["command"] == "twilio_configure_webhooks"


def test_pulls_started_by_staff_record_their_summary_and_scheduled_ones_nothing(simulator, staff, admin_client):
    gateway.conversation_create(unique_name="made-elsewhere")
    pull_scheduled()
    template_sync_all()
    assert not AuditEntry.objects.exists(), "the schedule's pulls are the worker's"

    with shell_source(user=staff, command="twilio_pull"):
        call_command(
            "twilio_pull",
            "--resources",
            "conversations",
            "--no-resume",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    run = AuditEntry.objects.get()
    assert (run.action, run.actor, run.source, run.result_state) == ("pull.run", staff, "shell", "succeeded")
    assert run.detail["resources"]["conversations"]["items"] == 1 and run.detail["command"] == "twilio_pull"

    conversation = Conversation.objects.get(unique_name="made-elsewhere")
    admin_client.post(
        reverse("admin:conversations_ops_conversation_changelist"),
        {"action": "pull_from_twilio", "_selected_action": [conversation.pk]},
    )
    one = AuditEntry.objects.get(action="pull.object")
    assert (one.actor_name, one.source, one.object_id, one.twilio_sid) == (
        "admin",
        "admin",
        conversation.pk,
        conversation.sid,
    )
    assert one.detail["resources"]["conversations"]["unchanged"] == 1


def test_webhook_event_reprocess_is_recorded_with_what_was_queued(db, staff):
    event = WebhookEvent.objects.create(event_type="onMessageAdded", dedup_key="k1", processing_state="failed")
    webhook_events_reprocess(events=WebhookEvent.objects.all(), user=staff)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.result_state) == ("webhook_events.reprocess", event.pk, "succeeded")
    assert (entry.detail["queued"], entry.detail["events"]) == (1, [event.pk])


def test_a_pairing_start_is_recorded_besides_each_of_its_pushes(seeded, staff):
    pairing = pairing_start(request=pairing_request(seeded), user=staff)
    start = AuditEntry.objects.get(action="pairing.start")
    assert (start.actor, start.object_id, start.target_repr, start.result_state) == (
        staff,
        pairing.pk,
        f"Pairing #{pairing.pk}",
        "succeeded",
    )
    assert start.detail["customer"] == "whatsapp:+15•••••2661" and start.detail["invite_template"].startswith("HX")
    pushes = AuditEntry.objects.exclude(action="pairing.start").order_by("id")
    assert [e.action for e in pushes] == [
        "conversation.create",
        "participant.add",
        "participant.add",
        "conversation_webhook.add",
        "message.send",
    ]
    assert {(e.actor_id, e.result_state) for e in pushes} == {(staff.pk, "succeeded")}
    assert pushes.last().detail == {"template": seeded["invite"].sid}
    assert {e.twilio_sid[:2] for e in pushes} == {"CH", "MB", "WH", "IM"}

    pairing_close(pairing=Pairing.objects.get(pk=pairing.pk), user=staff)
    close = AuditEntry.objects.get(action="pairing.close")
    assert (close.object_id, close.detail) == (pairing.pk, {"state": "closing"})
    assert AuditEntry.objects.get(action="conversation.update").detail == {"fields": ["state"]}
    assert_no_full_numbers()


def test_a_refused_pairing_start_is_recorded_failed_with_the_reasons_masked(seeded, staff):
    with pytest.raises(PairingRefused):
        pairing_start(request=pairing_request(seeded, courier=CUSTOMER), user=staff)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.result_state, entry.object_id) == ("pairing.start", "failed", None)
    assert entry.twilio_error
    assert_no_full_numbers()


def test_services_called_by_code_outside_the_admin_or_a_shell_record_nothing(simulator):
    conversation_create(unique_name="by-code")
    account_webhooks_configure()
    assert not AuditEntry.objects.exists()
