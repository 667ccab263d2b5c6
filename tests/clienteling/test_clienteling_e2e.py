"""Done-when (first part): on the live simulator, through the real twilio SDK over HTTP. A handset writes
to a clienteling sender -> the advisor's conversation holds it; the console's reply (as the advisor)
reaches the handset; an unknown number is given to an available advisor by round-robin."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from conversations_ops.clienteling.selectors import clienteling_sender, customer_conversation
from conversations_ops.models import Assignment, Customer, Direction, Message, Participant, SyncState
from conversations_ops.services.messages import message_send
from tests.helpers.clienteling import advisor, team
from tests.helpers.pairings import CUSTOMER

pytestmark = pytest.mark.slow
STRANGER = "whatsapp:+15017122698"


def _synced(conversation) -> bool:
    conversation.refresh_from_db()
    people = Participant.objects.filter(conversation=conversation)
    return bool(conversation.sid) and people.count() == 2 and not people.exclude(sync_state=SyncState.SYNCED).exists()


def test_a_customer_reaches_their_advisor_and_the_reply_reaches_the_handset(seeded, people):
    alice = advisor("alice")
    out = StringIO()
    call_command(
        "clienteling", "assign", "--customer", CUSTOMER, "--sender", seeded["sender"], "--advisor", "alice", stdout=out
    )
    customer = Customer.objects.get(pk=int(out.getvalue()))
    conversation = customer_conversation(customer)
    people.wait_until(lambda: _synced(conversation), "the conversation on Twilio")

    people.write(CUSTOMER, "Do you have the blue coat in M?")

    inbound = Message.objects.get(conversation=conversation, body="Do you have the blue coat in M?")
    assert inbound.direction == Direction.INBOUND and inbound.author == CUSTOMER
    message_send(conversation=conversation, body="Yes, I kept one for you.", author=alice.username, user=alice)
    people.wait_until(lambda: "Yes, I kept one for you." in people.received(CUSTOMER), "the reply on the handset")

    shown = StringIO()
    call_command(
        "clienteling",
        "show",
        "--customer",
        CUSTOMER,
        "--sender",
        seeded["sender"],
        "--json",
        "--as",
        "alice",
        stdout=shown,
    )
    summary = json.loads(shown.getvalue())
    assert summary["advisor"] == "alice" and summary["conversation_sid"] == conversation.sid


def test_an_unknown_number_is_given_to_an_available_advisor_who_joins_on_twilio(seeded, people):
    alice, bob = advisor("alice"), advisor("bob")
    sender = clienteling_sender(seeded["sender"])
    team("Boutique", senders=[sender], members=[alice, bob], assignment=Assignment.ROUND_ROBIN)
    alice.clienteling_memberships.update(available=False)

    people.write(STRANGER, "Hello, I saw your window display")

    customer = Customer.objects.get(whatsapp_address=STRANGER)
    assert customer.advisor == bob and customer.source == "inbound"
    conversation = customer_conversation(customer)
    assert Message.objects.filter(conversation=conversation, body="Hello, I saw your window display").exists()
    people.wait_until(
        lambda: Participant.objects.filter(
            conversation=conversation, identity="bob", sync_state=SyncState.SYNCED
        ).exists(),
        "bob on Twilio",
    )
    message_send(conversation=conversation, body="Welcome! I'm Bob.", author="bob", user=bob)
    people.wait_until(lambda: "Welcome! I'm Bob." in people.received(STRANGER), "bob's answer on the handset")
