import pytest
from django.core.exceptions import ValidationError

from conversations_ops.models import Conversation, OperationState, Participant, SyncOperation
from conversations_ops.outbox import changes as mirror_changes
from conversations_ops.services.conversations import (
    conversation_close,
    conversation_create,
    conversation_delete,
    conversation_update,
)
from conversations_ops.services.participants import participant_add
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP
from tests.services.helpers import key_of, ops_of

pytestmark = pytest.mark.django_db


def test_create_writes_a_pending_row_and_one_create_operation(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        conversation = conversation_create(
            unique_name="order-9", friendly_name="Order 9", attributes={"order_id": "9"}, user=admin_user
        )
    (op,) = ops_of(conversation)
    assert (conversation.sid, conversation.sync_state) == ("", "pending")
    assert conversation.attributes == '{"order_id": "9"}'
    assert (op.operation, op.state, op.requested_by) == ("conversation.create", "pending", admin_user)
    assert op.ordering_key == key_of(conversation)
    assert len(callbacks) == 1, "the task is enqueued once, on commit"


def test_invalid_input_is_a_field_error_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        conversation_create(timers_inactive="PT10S")
    assert "timers_inactive" in excinfo.value.message_dict
    assert not Conversation.objects.exists()
    assert not SyncOperation.objects.exists()


def test_a_failed_queue_rolls_the_row_back(monkeypatch):
    def broken_queue(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(mirror_changes, "sync_operation_queue", broken_queue)
    with pytest.raises(RuntimeError):
        conversation_create(unique_name="order-10")
    assert not Conversation.objects.exists()


def test_duplicate_unique_name_names_the_field(conversation):
    with pytest.raises(ValidationError) as excinfo:
        conversation_create(unique_name=conversation.unique_name)
    assert "unique_name" in excinfo.value.message_dict


def test_the_unique_name_of_a_conversation_deleted_on_twilio_is_free_again(conversation):
    Conversation.objects.filter(pk=conversation.pk).update(sync_state="deleted_remotely")
    again = conversation_create(unique_name=conversation.unique_name)
    assert again.pk != conversation.pk and again.unique_name == conversation.unique_name


def test_update_queues_the_changed_fields(conversation, admin_user):
    conversation_update(
        conversation=conversation,
        data={"friendly_name": "Renamed", "unique_name": conversation.unique_name},
        user=admin_user,
    )
    (op,) = ops_of(conversation)
    assert (op.operation, op.payload) == ("conversation.update", {"fields": ["friendly_name"]})
    conversation.refresh_from_db()
    assert (conversation.friendly_name, conversation.sync_state) == ("Renamed", "pending")


def test_update_without_changes_queues_nothing(conversation):
    conversation_update(conversation=conversation, data={"friendly_name": conversation.friendly_name})
    assert ops_of(conversation) == []


def test_update_of_a_row_whose_create_failed_queues_a_new_create(db):
    conversation = conversation_create(unique_name="order-11")
    (first,) = ops_of(conversation)
    SyncOperation.objects.filter(pk=first.pk).update(state=OperationState.FAILED)
    conversation_update(conversation=conversation, data={"friendly_name": "Fixed"})
    first_again, second = ops_of(conversation)
    assert first_again.state == OperationState.CANCELLED, "Retry failed must not create it a second time"
    assert (second.operation, second.state) == ("conversation.create", "pending")


def test_update_behind_a_queued_create_is_an_update(db):
    conversation = conversation_create(unique_name="order-12")
    conversation_update(conversation=conversation, data={"friendly_name": "Quick edit"})
    assert [op.operation for op in ops_of(conversation)] == ["conversation.create", "conversation.update"]


def test_close_sets_state_closed_and_is_idempotent(conversation, admin_user):
    conversation_close(conversation=conversation, user=admin_user)
    conversation_close(conversation=conversation, user=admin_user)
    (op,) = ops_of(conversation)
    assert (op.operation, op.payload) == ("conversation.update", {"fields": ["state"]})
    assert Conversation.objects.get(pk=conversation.pk).state == "closed"


def test_a_closed_conversation_refuses_changes(conversation):
    Conversation.objects.filter(pk=conversation.pk).update(state="closed")
    conversation.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        conversation_update(conversation=conversation, data={"state": "active"})
    assert "closed" in excinfo.value.message_dict["state"][0]
    assert ops_of(conversation) == []


def test_delete_of_a_pushed_conversation_queues_it_with_its_sid(conversation, admin_user):
    op = conversation_delete(conversation=conversation, user=admin_user)
    assert (op.operation, op.payload, op.ordering_key) == (
        "conversation.delete",
        {"sid": conversation.sid},
        key_of(conversation),
    )
    conversation.refresh_from_db()
    assert conversation.sync_state == "pending", "the runner deletes the row once Twilio confirms"
    assert conversation_delete(conversation=conversation) == op, "a second click queues nothing new"


def test_delete_of_an_unpushed_conversation_is_local_and_cancels_its_operations(db):
    conversation = conversation_create(unique_name="order-13")
    participant = participant_add(conversation=conversation, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP)
    assert conversation_delete(conversation=conversation) is None
    assert not Conversation.objects.exists() and not Participant.objects.filter(pk=participant.pk).exists()
    states = set(SyncOperation.objects.values_list("state", flat=True))
    assert states == {OperationState.CANCELLED}


def test_delete_while_the_create_is_running_is_refused(db):
    conversation = conversation_create(unique_name="order-14")
    SyncOperation.objects.update(state=OperationState.RUNNING)
    with pytest.raises(ValidationError, match="being created on Twilio"):
        conversation_delete(conversation=conversation)
    assert Conversation.objects.filter(pk=conversation.pk).exists()
