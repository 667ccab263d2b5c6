"""Staff pushes through the outbox: recorded when queued, completed with Twilio's answer when they settle."""

import pytest
from django.contrib.contenttypes.models import ContentType

from conversations_ops.models import AuditEntry, Conversation, Participant, SyncOperation
from conversations_ops.outbox import queue as outbox
from conversations_ops.services.conversations import conversation_create, conversation_delete
from conversations_ops.services.participants import participant_add
from conversations_ops.twilio import gateway
from tests.audit.helpers import assert_no_full_numbers
from tests.helpers.admin_forms import form_data, url
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP

pytestmark = pytest.mark.slow


def test_a_staff_push_through_the_admin_is_recorded_and_completed_with_twilio_s_sid(
    simulator, admin_client, admin_user
):
    data = form_data(admin_client.get(url(Conversation, "add")))
    response = admin_client.post(url(Conversation, "add"), {**data, "unique_name": "audit-1", "friendly_name": "A1"})
    assert response.status_code == 302
    conversation = Conversation.objects.get(unique_name="audit-1")
    assert conversation.sync_state == "synced"  # the test settings run the push inline, against the simulator

    (entry,) = AuditEntry.objects.all()
    assert (entry.actor, entry.actor_name, entry.source, entry.action) == (
        admin_user,
        "admin",
        "admin",
        "conversation.create",
    )
    assert (entry.content_type, entry.object_id) == (ContentType.objects.get_for_model(Conversation), conversation.pk)
    assert entry.target_repr == "conversation A1"
    assert entry.operation == SyncOperation.objects.get(object_id=conversation.pk, operation="conversation.create")
    assert (entry.result_state, entry.twilio_sid, entry.twilio_error_code) == ("succeeded", conversation.sid, None)
    assert entry.completed_at >= entry.created_at

    data = form_data(admin_client.get(url(Conversation, "change", conversation.pk)))
    admin_client.post(url(Conversation, "change", conversation.pk), {**data, "friendly_name": "A1 (late)"})
    update = AuditEntry.objects.get(action="conversation.update")
    assert (update.detail, update.result_state, update.twilio_sid) == (
        {"fields": ["friendly_name"]},
        "succeeded",
        conversation.sid,
    )
    assert update.target_sid == conversation.sid, "the record's SID when staff acted: found by an exact search"


def _pair_elsewhere() -> str:
    """Another tool holds the customer's number pair on Twilio: the console's add will get 50416."""
    other = gateway.conversation_create(unique_name="made-elsewhere")
    gateway.participant_create(
        conversation_sid=other.sid,
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    return other.sid


def test_a_push_twilio_refuses_is_recorded_failed_with_its_code_and_retry_is_recorded_too(
    simulator, staff, admin_client
):
    other = _pair_elsewhere()
    conversation = conversation_create(unique_name="audit-2", user=staff)
    participant = participant_add(
        conversation=conversation, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP, user=staff
    )
    failed = AuditEntry.objects.get(action="participant.add")
    assert (failed.actor, failed.source, failed.result_state) == (staff, "worker", "failed")
    assert (failed.twilio_error_code, failed.twilio_http_status) == (50416, 409)
    assert failed.twilio_error and failed.target_repr.startswith("participant whatsapp:+15•••••2661 in ")
    page = admin_client.get(url(AuditEntry, "change", failed.pk))
    assert b"Number pair already in another open conversation" in page.content
    assert b"50416" in admin_client.get(url(AuditEntry, "changelist")).content

    gateway.conversation_update(sid=other, state="closed")
    admin_client.post(url(Participant, "changelist"), {"action": "retry_failed", "_selected_action": [participant.pk]})
    retry = AuditEntry.objects.get(action="sync.retry")
    assert (retry.actor_name, retry.source, retry.operation_id) == ("admin", "admin", failed.operation_id)
    participant.refresh_from_db()
    assert (retry.result_state, retry.twilio_sid) == ("succeeded", participant.sid)
    failed.refresh_from_db()
    assert failed.result_state == "failed", "the first answer stays on record"
    assert_no_full_numbers()


def test_pushes_queued_by_code_record_nothing(simulator):
    conversation = conversation_create(unique_name="audit-3")
    participant_add(conversation=conversation, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP)
    assert SyncOperation.objects.count() == 2 and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_push_dropped_before_it_ran_is_recorded_cancelled(monkeypatch, staff):
    monkeypatch.setattr(outbox, "sync_operation_enqueue", lambda **_: None)  # held in the outbox
    conversation = conversation_create(unique_name="audit-4", user=staff)
    assert AuditEntry.objects.get().result_state == "queued"
    conversation_delete(conversation=conversation, user=staff)  # never on Twilio: removed here, push cancelled
    entry = AuditEntry.objects.get()
    assert (entry.result_state, entry.operation.state) == ("cancelled", "cancelled")
    assert entry.completed_at is not None


@pytest.mark.django_db
def test_settling_updates_only_the_entries_still_waiting_in_one_query(monkeypatch, staff, django_assert_num_queries):
    from conversations_ops.audit.outbox import audit_operation_settled

    monkeypatch.setattr(outbox, "sync_operation_enqueue", lambda **_: None)
    conversation_create(unique_name="audit-5", user=staff)
    op = SyncOperation.objects.get()
    op.state, op.result_sid = "succeeded", "CH" + "0" * 32
    with django_assert_num_queries(1):
        assert audit_operation_settled(operation=op) == 1
    assert audit_operation_settled(operation=op) == 0
