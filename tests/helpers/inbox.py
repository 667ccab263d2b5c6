"""Inbox test customers: a customer whose conversation Twilio holds (mirrored), and their messages as
Twilio's webhooks deliver them (tests/clienteling/test_inbox*.py)."""

from datetime import timedelta

from django.utils import timezone

from conversations_ops.models import Conversation, Customer, CustomerConversation, Message, Participant
from tests.helpers.ids import make_sid
from tests.webhooks.builders import T0, deliver, message_event


def number(n: int) -> str:
    return f"whatsapp:+1501712{n:04d}"


def linked_customer(whatsapp, owner, n: int, *, name: str = "") -> Customer:
    """A customer with their conversation on Twilio (mirrored), owned by `owner`."""
    conversation = Conversation.objects.create(
        sid=make_sid("CH", n), unique_name=f"clienteling-{n}", sync_state="synced"
    )
    Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", n),
        messaging_binding_type="whatsapp",
        messaging_binding_address=number(n),
        messaging_binding_proxy_address=whatsapp.address,
        role="customer",
        sync_state="synced",
    )
    customer = Customer.objects.create(
        name=name or f"Customer {n}", whatsapp_address=number(n), sender=whatsapp, advisor=owner
    )
    CustomerConversation.objects.create(customer=customer, conversation=conversation)
    return customer


def said(client, customer, *, minutes_ago: float, body: str = "Hello?", by: str = "") -> None:
    """A message in the customer's conversation, `minutes_ago` (Twilio's clock): theirs unless `by`."""
    conversation = customer.conversation_links.get().conversation
    index = Message.objects.filter(conversation=conversation).count()
    created = (timezone.now() - timedelta(minutes=minutes_ago) - T0).total_seconds()
    n = Message.objects.count() + 1
    deliver(
        client,
        message_event(
            "onMessageAdded",
            conversation.sid,
            make_sid("IM", n),
            index=index,
            created=created,
            body=body,
            author=by or customer.whatsapp_address,
        ),
    )
