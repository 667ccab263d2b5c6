"""Done-when (reassignment), on the live simulator through the real twilio SDK over HTTP: a customer
talks with alice; `clienteling reassign` gives them to bob -> the handset receives bob's introduction,
bob's chat participant is in the Twilio conversation and alice's is not, bob sees the whole history,
alice sees the customer nowhere; the customer's next message reaches bob's conversation."""

import json
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations_ops.clienteling.selectors import (
    conversations_visible_to,
    customer_conversation,
    customers_visible_to,
)
from conversations_ops.models import Customer, Message, Participant, SyncState, Template
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.messages import message_send
from conversations_ops.twilio import gateway
from tests.helpers.clienteling import advisor
from tests.helpers.pairings import CUSTOMER

pytestmark = pytest.mark.slow
INTRO = "Hello Robert, I'm Bob, your new personal shopper: write to me here any time."


def _introduction_template(simulator) -> Template:
    """An approved template of our own (created on Twilio, approved by WhatsApp, pulled as staff do)."""
    content = gateway.content_create(
        friendly_name="advisor_intro",
        language="en",
        variables={"1": "Robert", "2": "Bob"},
        types={
            "twilio/text": {"body": "Hello {{1}}, I'm {{2}}, your new personal shopper: write to me here any time."}
        },
    )
    gateway.content_approval_create(sid=content.sid, name="advisor_intro", category="UTILITY")
    approved = requests.post(
        f"{simulator.api_base}/_control/content/{content.sid}/approval", data={"status": "approved"}, timeout=10
    )
    assert approved.status_code == 200, approved.text
    twilio_pull(resources=["templates"])
    return Template.objects.get(sid=content.sid)


def _identities_on_twilio(conversation) -> set[str]:
    return {p.identity for p in gateway.participant_list(conversation_sid=conversation.sid) if p.identity}


def _settled(conversation) -> bool:
    return not Participant.objects.filter(conversation=conversation).exclude(sync_state=SyncState.SYNCED).exists()


def test_reassignment_introduces_the_new_advisor_who_sees_the_whole_history(seeded, people, simulator):
    alice, bob = advisor("alice"), advisor("bob")
    intro = _introduction_template(simulator)
    call_command(
        "clienteling",
        "assign",
        "--customer",
        CUSTOMER,
        "--sender",
        seeded["sender"],
        "--advisor",
        "alice",
        stdout=StringIO(),
    )
    customer = Customer.objects.get(whatsapp_address=CUSTOMER)
    conversation = customer_conversation(customer)
    people.wait_until(lambda: _settled(conversation) and conversation.participants.count() == 2, "the conversation")
    conversation.refresh_from_db()
    people.write(CUSTOMER, "Is the blue coat back in M?")
    message_send(conversation=conversation, body="Not yet, I'll tell you.", author="alice", user=alice)
    people.wait_until(lambda: "Not yet, I'll tell you." in people.received(CUSTOMER), "alice's answer")

    out = StringIO()
    call_command(
        "clienteling",
        "reassign",
        "--from",
        "alice",
        "--to",
        "bob",
        "--customer",
        CUSTOMER,
        "--introduction",
        intro.sid,
        "--variables",
        json.dumps({"1": "Robert", "2": "Bob"}),
        stdout=out,
    )
    assert "1 customer moved from alice to bob." in out.getvalue()

    people.wait_until(lambda: INTRO in people.received(CUSTOMER), "bob's introduction on the handset")
    people.wait_until(lambda: _settled(conversation), "the participant change on Twilio")
    assert _identities_on_twilio(conversation) == {"bob"}  # Twilio's own list, through the SDK
    assert customer_conversation(customer) == conversation  # the same conversation: its history stays
    history = list(
        Message.objects.filter(conversation__in=conversations_visible_to(bob))
        .order_by("index")
        .values_list("body", flat=True)
    )
    assert history[:2] == ["Is the blue coat back in M?", "Not yet, I'll tell you."]
    assert not conversations_visible_to(alice).exists()
    # (the admin pages' refusal is test_reassign.py's: here a live-server flush has removed the groups' permissions)
    assert not customers_visible_to(alice).exists()
    with pytest.raises(CommandError):
        call_command(
            "clienteling",
            "show",
            "--customer",
            CUSTOMER,
            "--sender",
            seeded["sender"],
            "--as",
            "alice",
            stdout=StringIO(),
        )

    people.write(CUSTOMER, "Thanks Bob!")  # the customer's window is open again
    assert Message.objects.filter(conversation=conversation, body="Thanks Bob!").exists()
    message_send(conversation=conversation, body="My pleasure.", author="bob", user=bob)
    people.wait_until(lambda: "My pleasure." in people.received(CUSTOMER), "bob's answer")
