"""Issue 20's done-when, on the live simulator through the real twilio SDK over HTTP: a customer
texts STOP -> sends to them are refused by the console (and would be by Twilio: forced past the
console through the gateway, the simulator refuses with 21610), a pairing with them is refused in
pre-flight with the reason (`pairing start` exits 2), START re-enables; the same on WhatsApp with
the console's own confirmation on the handset, and a pairing whose customer answers the invite
with STOP is closed; the registry shows each change with its evidence."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations_ops.models import Direction, Message, Pairing, PairingState, StepKind, StepState
from conversations_ops.services.messages import message_send
from conversations_ops.twilio import gateway
from tests.helpers.pairings import COURIER, ShellConsole

pytestmark = pytest.mark.slow
PERSON_SMS = "+15017122681"
PERSON_WA = "whatsapp:+15017122682"
SAYS = "must not be messaged from"


def _show(address: str, sender: str) -> dict:
    out = StringIO()
    call_command("consent", "show", "--address", address, "--sender", sender, "--json", stdout=out)
    return json.loads(out.getvalue())


def _last(address: str, body: str) -> Message:
    return Message.objects.filter(author=address, body=body, direction=Direction.INBOUND).latest("pk")


def _refused_send(conversation) -> str:
    with pytest.raises(ValidationError) as refused:
        message_send(conversation=conversation, body="Your parcel is at the door", guard=True)
    return " ".join(refused.value.messages)


def _pairing_refused(seeded, customer: str) -> str:
    with pytest.raises(CommandError) as refused:
        ShellConsole().start(seeded, courier=COURIER, customer=customer)
    assert refused.value.returncode == 2
    return str(refused.value)


def test_sms_stop_refuses_sends_and_pairings_twilio_blocks_too_and_start_re_enables(seeded, people):
    sender = seeded["sms_sender"]
    people.write(PERSON_SMS, "Is my parcel coming today?", to=sender)
    people.write(PERSON_SMS, "STOP", to=sender)
    stop = _last(PERSON_SMS, "STOP")
    conversation = stop.conversation

    # The console refuses, with the reason and since when.
    refusal = _refused_send(conversation)
    assert SAYS in refusal and "opted out by texting STOP on 20" in refusal
    assert "opted out by texting STOP" in _pairing_refused(seeded, PERSON_SMS)
    assert not Pairing.objects.exists()

    # Twilio would refuse too: forced past the console, the simulator blocks the number (21610).
    forced = gateway.message_create(conversation_sid=conversation.sid, body="Your parcel is at the door")
    people.wait_until(
        lambda: any(
            r.error_code == 21610
            for r in gateway.receipt_list(conversation_sid=conversation.sid, message_sid=forced.sid)
        ),
        "Twilio's 21610 on the forced message",
    )

    people.write(PERSON_SMS, "START", to=sender)

    sent = message_send(conversation=conversation, body="Your parcel is at the door", guard=True)
    people.wait_until(lambda: "Your parcel is at the door" in people.received(PERSON_SMS), "the message after START")
    assert Message.objects.get(pk=sent.pk).sid
    # The pre-flight no longer names the opt-out (what is left is their open conversation: 50416).
    again = _pairing_refused(seeded, PERSON_SMS)
    assert "opted out" not in again and "50416" in again
    history = _show(PERSON_SMS, sender)["history"]
    assert [(c["how"], c["message_sid"]) for c in history] == [
        ("wrote_first", _last(PERSON_SMS, "Is my parcel coming today?").sid),
        ("keyword_opt_out", stop.sid),
        ("keyword_opt_in", _last(PERSON_SMS, "START").sid),
    ]


def test_whatsapp_stop_is_confirmed_refuses_sends_and_pairings_and_start_re_enables(seeded, people):
    sender = seeded["sender"]
    people.write(PERSON_WA, "Hello", to=sender)
    people.write(PERSON_WA, "STOP", to=sender)
    conversation = _last(PERSON_WA, "STOP").conversation

    # The console's own confirmation still goes out, and nothing else does.
    people.wait_until(
        lambda: settings.CONSENT_OPT_OUT_CONFIRMATION in people.received(PERSON_WA), "the opt-out confirmation"
    )
    assert SAYS in _refused_send(conversation)
    assert "The customer opted out" in _pairing_refused(seeded, PERSON_WA)

    people.write(PERSON_WA, "START", to=sender)

    people.wait_until(
        lambda: settings.CONSENT_OPT_IN_CONFIRMATION in people.received(PERSON_WA), "the opt-in confirmation"
    )
    message_send(conversation=conversation, body="Welcome back", guard=True)
    people.wait_until(lambda: "Welcome back" in people.received(PERSON_WA), "the message after START")
    shown = _show(PERSON_WA, sender)
    assert shown["state"] == "opted_in" and shown["refusal"] is None
    assert [c["how"] for c in shown["history"]] == ["wrote_first", "keyword_opt_out", "keyword_opt_in"]


def test_a_customer_answering_the_invite_with_stop_closes_the_pairing(seeded, people):
    pairing = ShellConsole().start(seeded, courier=COURIER, customer=PERSON_WA)
    people.wait_until(
        lambda: Pairing.objects.get(pk=pairing.pk).state == PairingState.AWAITING_CUSTOMER, "the invite sent"
    )

    people.write(PERSON_WA, "STOP", to=seeded["sender"])

    people.wait_until(lambda: Pairing.objects.get(pk=pairing.pk).state == PairingState.CLOSED, "the pairing closed")
    note = Pairing.objects.get(pk=pairing.pk).steps.get(kind=StepKind.CLOSE, state=StepState.NOTE)
    assert note.detail.startswith("Closed by the console: the customer opted out.")
    # STOP is not the reply that connects: the pairing never moved to connecting.
    assert Pairing.objects.get(pk=pairing.pk).replied_at is None
    assert not Pairing.objects.get(pk=pairing.pk).steps.filter(kind=StepKind.REPLY).exists()
    assert settings.CONSENT_OPT_OUT_CONFIRMATION in people.received(PERSON_WA)
    assert not any("connected" in body.lower() for body in people.received(COURIER))
    assert _show(PERSON_WA, seeded["sender"])["history"][-1]["how"] == "keyword_opt_out"
