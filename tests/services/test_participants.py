import pytest
from django.core.exceptions import ValidationError

from conversations_ops.models import Conversation, OperationState, Participant, SyncOperation
from conversations_ops.services.participants import participant_add, participant_remove, participant_update
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, make_sid
from tests.services.helpers import key_of, ops_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "proxy", "identity", "channel"),
    [
        (CUSTOMER_WHATSAPP, BUSINESS_WHATSAPP, "", "whatsapp"),
        (COURIER_SMS, BUSINESS_SMS, "", "sms"),
        ("", "", "agent-ana", "chat"),
    ],
)
def test_add_derives_the_channel_and_queues_one_add(conversation, admin_user, address, proxy, identity, channel):
    participant = participant_add(
        conversation=conversation, address=address, proxy_address=proxy, identity=identity, user=admin_user
    )
    (op,) = ops_of(participant)
    assert participant.messaging_binding_type == channel
    assert (participant.sync_state, op.operation, op.requested_by) == ("pending", "participant.add", admin_user)
    assert op.ordering_key == key_of(conversation), "runs after its conversation's operations"


def test_proxy_on_another_channel_is_a_field_error(conversation):
    with pytest.raises(ValidationError) as excinfo:
        participant_add(conversation=conversation, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_SMS)
    assert "messaging_binding_proxy_address" in excinfo.value.message_dict
    assert not Participant.objects.exists() and not SyncOperation.objects.exists()


def test_bad_address_is_a_field_error(conversation):
    with pytest.raises(ValidationError) as excinfo:
        participant_add(conversation=conversation, address="whatsapp:5551234", proxy_address=BUSINESS_WHATSAPP)
    assert "messaging_binding_address" in excinfo.value.message_dict


def test_adding_to_a_closed_conversation_is_refused(conversation):
    Conversation.objects.filter(pk=conversation.pk).update(state="closed")
    conversation.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        participant_add(conversation=conversation, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP)
    assert "closed" in excinfo.value.message_dict["conversation"][0]
    assert not SyncOperation.objects.exists()


def test_a_pair_already_in_another_open_conversation_is_refused(participant):
    other = Conversation.objects.create(unique_name="order-other")
    with pytest.raises(ValidationError) as excinfo:
        participant_add(conversation=other, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP)
    assert "Close it or remove the participant" in excinfo.value.message_dict["messaging_binding_address"][0]


def test_a_pair_in_a_closed_conversation_is_free(participant):
    Conversation.objects.filter(pk=participant.conversation_id).update(state="closed")
    other = Conversation.objects.create(unique_name="order-other")
    participant_add(conversation=other, address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP)


def test_update_queues_the_changed_fields(participant, admin_user):
    participant_update(participant=participant, data={"attributes": '{"name": "Ana"}'}, user=admin_user)
    (op,) = ops_of(participant)
    assert (op.operation, op.payload) == ("participant.update", {"fields": ["attributes"]})


def test_a_role_change_stays_local(participant):
    """Twilio knows nothing of the business role, so nothing is queued and the state stays."""
    before = participant.sync_state
    participant_update(participant=participant, data={"role": "courier"})
    participant.refresh_from_db()
    assert (participant.role, participant.sync_state) == ("courier", before)
    assert ops_of(participant) == []


def test_the_address_of_a_pushed_participant_cannot_change(participant):
    with pytest.raises(ValidationError) as excinfo:
        participant_update(participant=participant, data={"messaging_binding_address": "whatsapp:+15017122662"})
    assert "messaging_binding_address" in excinfo.value.message_dict


def test_remove_queues_the_delete_with_both_sids(participant, admin_user):
    op = participant_remove(participant=participant, user=admin_user)
    assert (op.operation, op.payload) == (
        "participant.remove",
        {"sid": participant.sid, "conversation_sid": participant.conversation.sid},
    )
    assert Participant.objects.get(pk=participant.pk).sync_state == "pending"


def test_remove_of_an_unpushed_participant_is_local_and_cancels_only_its_operations(conversation):
    other = participant_add(conversation=conversation, address=COURIER_SMS, proxy_address=BUSINESS_SMS)
    unpushed = participant_add(conversation=conversation, identity="agent-bo")
    assert participant_remove(participant=unpushed) is None
    assert not Participant.objects.filter(pk=unpushed.pk).exists()
    assert ops_of(other)[0].state == OperationState.PENDING
    assert SyncOperation.objects.filter(state=OperationState.CANCELLED).count() == 1


def test_sids_in_payload_are_the_rows_own(conversation):
    participant = Participant.objects.create(
        conversation=conversation, sid=make_sid("MB", 7), identity="agent-cy", messaging_binding_type="chat"
    )
    op = participant_remove(participant=participant)
    assert op.payload == {"sid": make_sid("MB", 7), "conversation_sid": conversation.sid}
