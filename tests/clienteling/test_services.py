"""Customer create/assign: the customer's row, their long-lived conversation queued like a pairing's
(conversation, the customer's messaging participant, the advisor's chat participant), refusals by field."""

import json

import pytest
from django.core.exceptions import ValidationError

from conversations_ops.clienteling.selectors import customer_conversation
from conversations_ops.clienteling.services import customer_assign, customer_create, customer_update
from conversations_ops.models import (
    AuditEntry,
    Conversation,
    ConversationState,
    Customer,
    CustomerConversation,
    Participant,
    SyncOperation,
)
from tests.helpers.clienteling import advisor, sender
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP, make_sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def whatsapp():
    return sender(BUSINESS_WHATSAPP)


def test_assign_creates_the_customer_and_queues_their_conversation_with_the_advisor(whatsapp, admin_user):
    alice = advisor("alice")

    customer = customer_assign(
        customer_address=CUSTOMER_WHATSAPP,
        sender_address=BUSINESS_WHATSAPP,
        advisor=alice,
        name="Robert",
        user=admin_user,
    )

    assert (customer.advisor, customer.name, customer.whatsapp_address, customer.source) == (
        alice,
        "Robert",
        CUSTOMER_WHATSAPP,
        "staff",
    )
    conversation = customer_conversation(customer)
    assert conversation.unique_name == f"clienteling-{customer.local_id}-1"
    assert conversation.timers_closed == conversation.timers_inactive == ""  # long-lived: no timer of its own
    assert json.loads(conversation.attributes) == {"clienteling_customer_id": customer.pk}
    people = {
        (p.messaging_binding_address, p.messaging_binding_proxy_address, p.identity)
        for p in conversation.participants.all()
    }
    assert people == {(CUSTOMER_WHATSAPP, BUSINESS_WHATSAPP, ""), ("", "", "alice")}
    queued = list(SyncOperation.objects.order_by("id").values_list("operation", flat=True))
    assert queued == ["conversation.create", "participant.add", "participant.add"]
    assert AuditEntry.objects.filter(action="clienteling.assign").count() == 1


def test_assigning_again_queues_nothing_more(whatsapp):
    alice = advisor("alice")
    first = customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=alice)
    again = customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=alice)

    assert again.pk == first.pk
    assert Conversation.objects.count() == 1
    assert SyncOperation.objects.count() == 3


def test_another_advisor_is_refused_beside_the_field(whatsapp):
    customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=advisor("alice"))

    with pytest.raises(ValidationError) as refused:
        customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=advisor("bob"))
    assert "already alice's" in refused.value.message_dict["advisor"][0]
    assert Customer.objects.get().advisor.username == "alice"


@pytest.mark.parametrize(
    ("customer", "sender_address", "who", "field", "says"),
    [
        (CUSTOMER_WHATSAPP, BUSINESS_WHATSAPP, "ops", "advisor", "not in the Advisors group"),
        ("+15017122661", BUSINESS_WHATSAPP, "alice", "customer", "needs a WhatsApp address"),
        (CUSTOMER_WHATSAPP, "whatsapp:+15550001111", "alice", "sender", "no address configuration"),
        ("whatsapp:12", BUSINESS_WHATSAPP, "alice", "customer", ""),
    ],
    ids=["not-an-advisor", "sms-number-on-whatsapp-sender", "unknown-sender", "invalid-number"],
)
def test_refusals_name_the_field(whatsapp, customer, sender_address, who, field, says):
    user = advisor("ops", group="Ops") if who == "ops" else advisor(who)

    with pytest.raises(ValidationError) as refused:
        customer_assign(customer_address=customer, sender_address=sender_address, advisor=user)
    assert says in " ".join(refused.value.message_dict[field])
    assert not Customer.objects.exists() and not SyncOperation.objects.exists()


def test_an_open_conversation_holding_the_pair_is_adopted_not_duplicated(whatsapp):
    """Twilio allows one open conversation per address and proxy (50416): the one auto-created becomes theirs."""
    held = Conversation.objects.create(sid=make_sid("CH"), sync_state="synced")
    Participant.objects.create(
        conversation=held,
        sid=make_sid("MB"),
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
        sync_state="synced",
    )

    customer = customer_assign(
        customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=advisor("alice")
    )

    assert customer_conversation(customer) == held
    assert list(SyncOperation.objects.values_list("operation", flat=True)) == ["participant.add"]  # only the advisor


def test_after_twilio_closed_it_a_new_conversation_is_linked_to_the_same_customer(whatsapp):
    alice = advisor("alice")
    customer = customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=alice)
    first = customer_conversation(customer)
    Conversation.objects.filter(pk=first.pk).update(sid=make_sid("CH"), state=ConversationState.CLOSED)

    customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=alice)

    second = customer_conversation(customer)
    assert second != first and second.unique_name.endswith("-2")
    assert set(CustomerConversation.objects.filter(customer=customer).values_list("conversation", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_staff_create_without_advisor_waits_in_the_queue_and_queues_nothing():
    sms = sender(BUSINESS_SMS)

    customer = customer_create(address="+15017122661", sender=sms, name="Ann", tags=["vip"])

    assert customer.advisor is None and customer.sms_address == "+15017122661" and customer.tags == ["vip"]
    assert not SyncOperation.objects.exists()
    with pytest.raises(ValidationError) as refused:
        customer_create(address="+15017122661", sender=sms)
    assert "already talks to" in refused.value.message_dict["sender"][0]


def test_update_changes_only_the_consoles_own_fields(whatsapp):
    customer = customer_create(address=CUSTOMER_WHATSAPP, sender=whatsapp)

    customer_update(customer=customer, data={"notes": "Size M", "advisor": None, "sms_address": "+1"})

    customer.refresh_from_db()
    assert customer.notes == "Size M" and customer.sms_address == ""
