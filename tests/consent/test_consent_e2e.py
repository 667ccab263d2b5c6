"""Done-when for the registry (issue 20, part E), on the live simulator through the real twilio SDK
over HTTP: the customer's handset texts STOP -> the registry shows the opt-out with the message's SID
(and Twilio blocks that number, which the console sees as 21610); START -> opted in again; the
same on WhatsApp, where the console's own confirmation arrives on the handset."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from conversations_ops.consent.selectors import consent_for, consent_refusal
from conversations_ops.models import DeliveryReceipt, Direction, Message, Participant
from conversations_ops.twilio import gateway

pytestmark = pytest.mark.slow
PERSON_SMS = "+15017122671"
PERSON_WA = "whatsapp:+15017122672"


def _show(address: str, sender: str) -> dict:
    out = StringIO()
    call_command("consent", "show", "--address", address, "--sender", sender, "--json", stdout=out)
    return json.loads(out.getvalue())


def _last(address: str, body: str) -> Message:
    return Message.objects.filter(author=address, body=body, direction=Direction.INBOUND).latest("pk")


def test_sms_stop_is_recorded_with_its_message_twilio_blocks_and_start_opts_back_in(seeded, people):
    sender = seeded["sms_sender"]
    people.write(PERSON_SMS, "Is my parcel coming today?", to=sender)
    assert consent_for(address=PERSON_SMS, sender=sender).how == "wrote_first"

    people.write(PERSON_SMS, "Stop", to=sender)

    stop = _last(PERSON_SMS, "Stop")
    shown = _show(PERSON_SMS, sender)
    assert shown["state"] == "opted_out"
    assert (shown["history"][-1]["how"], shown["history"][-1]["message_sid"]) == ("keyword_opt_out", stop.sid)
    assert consent_refusal(PERSON_SMS, sender).startswith("opted out by texting STOP on ")
    # Twilio answers STOP on SMS itself: the console sent nothing.
    assert not Message.objects.filter(conversation=stop.conversation, direction=Direction.OUTBOUND).exists()

    # Twilio blocks the number too: forced past the console's refusal (test_consent_enforcement_e2e.py),
    # the send's receipt says 21610.
    blocked = gateway.message_create(
        conversation_sid=stop.conversation.sid, body="Your parcel is at the door", webhook_enabled=True
    )
    person = Participant.objects.get(conversation=stop.conversation, messaging_binding_address=PERSON_SMS)
    people.wait_until(
        lambda: DeliveryReceipt.objects.filter(
            message__sid=blocked.sid, participant_sid=person.sid, error_code=21610
        ).exists(),
        "the 21610 receipt",
    )
    assert len(_show(PERSON_SMS, sender)["history"]) == 2  # already opted out: the receipt adds nothing

    people.write(PERSON_SMS, "START", to=sender)

    shown = _show(PERSON_SMS, sender)
    assert (shown["state"], shown["history"][-1]["message_sid"]) == ("opted_in", _last(PERSON_SMS, "START").sid)
    assert consent_refusal(PERSON_SMS, sender) is None


def test_whatsapp_stop_and_start_are_recorded_and_confirmed_on_the_handset(seeded, people):
    sender = seeded["sender"]
    people.write(PERSON_WA, "Hello", to=sender)

    people.write(PERSON_WA, "STOP", to=sender)

    assert _show(PERSON_WA, sender)["history"][-1]["message_sid"] == _last(PERSON_WA, "STOP").sid
    assert consent_for(address=PERSON_WA, sender=sender).state == "opted_out"
    people.wait_until(
        lambda: settings.CONSENT_OPT_OUT_CONFIRMATION in people.received(PERSON_WA), "the opt-out confirmation"
    )

    people.write(PERSON_WA, "start", to=sender)

    assert consent_for(address=PERSON_WA, sender=sender).state == "opted_in"
    people.wait_until(
        lambda: settings.CONSENT_OPT_IN_CONFIRMATION in people.received(PERSON_WA), "the opt-in confirmation"
    )
    assert [c["how"] for c in _show(PERSON_WA, sender)["history"]] == [
        "wrote_first",
        "keyword_opt_out",
        "keyword_opt_in",
    ]
