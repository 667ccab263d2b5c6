"""A message Twilio refused because the person opted out (21610 on SMS, 63014 on WhatsApp) records
their opt-out, with the refused message as evidence; other failures do not."""

import pytest

from conversations_ops.consent.selectors import consent_for, consent_refusal
from conversations_ops.consent.services import consent_opt_out
from conversations_ops.models import ConsentChange
from tests.consent.helpers import BUSINESS_SMS, BUSINESS_WA, PERSON_SMS, PERSON_WA, Thread
from tests.helpers.ids import make_sid
from tests.webhooks.builders import delivery_event, outcome_of, status_callback

pytestmark = pytest.mark.django_db


def _refused(client, thread: Thread, *, error: int, status="undelivered", n=1, channel="SMS") -> tuple[str, str]:
    message = make_sid("IM", 500 + n)
    pairs = delivery_event(
        thread.conversation,
        message,
        make_sid("DY", n),
        status=status,
        participant_sid=thread.participant,
        error=error,
        created=300,
        channel=channel,
    )
    return message, outcome_of(client, pairs)


def test_a_21610_receipt_opts_the_person_out_with_the_message_as_evidence(client):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says("Hi")  # opted in: they wrote first

    message, outcome = _refused(client, thread, error=21610)

    consent = consent_for(address=PERSON_SMS, sender=BUSINESS_SMS)
    assert (consent.state, consent.how) == ("opted_out", "twilio_21610")
    change = consent.changes.last()
    assert (change.message_sid, change.error_code) == (message, 21610)
    assert "consent: opted out (error 21610)" in outcome
    refusal = consent_refusal(PERSON_SMS, BUSINESS_SMS)
    assert refusal.startswith(f"opted out: Twilio refused message {message} with 21610")


def test_a_whatsapp_block_63014_is_an_opt_out_too(client):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    _refused(client, thread, error=63014, status="failed", channel="WHATSAPP")

    assert consent_for(address=PERSON_WA, sender=BUSINESS_WA).how == "whatsapp_code"


def test_a_21610_first_heard_on_a_messaging_status_callback_opts_the_person_out(client):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says("Hi")
    channel_message = make_sid("SM", 77)
    message = make_sid("IM", 577)
    # The receipt is known as sent; the failure arrives first on the Messaging status callback.
    pairs = delivery_event(
        thread.conversation,
        message,
        make_sid("DY", 77),
        status="sent",
        participant_sid=thread.participant,
        channel_sid=channel_message,
        created=300,
        channel="SMS",
    )
    outcome_of(client, pairs)
    assert consent_refusal(PERSON_SMS, BUSINESS_SMS) is None

    outcome = outcome_of(client, status_callback(channel_message, "undelivered", error=21610), "status")

    assert "consent: opted out (error 21610)" in outcome
    consent = consent_for(address=PERSON_SMS, sender=BUSINESS_SMS)
    assert (consent.state, consent.how) == ("opted_out", "twilio_21610")
    assert consent.changes.last().message_sid == message


@pytest.mark.parametrize("error", [63016, 30008])
def test_other_failures_say_nothing_about_consent(client, error):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    _refused(client, thread, error=error)

    assert not ConsentChange.objects.filter(state="opted_out").exists()


def test_a_21610_after_stop_adds_nothing_and_a_replayed_receipt_records_once(client):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says("STOP")
    _refused(client, thread, error=21610)
    assert ConsentChange.objects.count() == 1  # already opted out by their keyword

    consent_opt_out(address=PERSON_SMS, sender="+14155550102", how="twilio_21610", message_sid=make_sid("IM", 9))
    again = consent_opt_out(
        address=PERSON_SMS, sender="+14155550102", how="twilio_21610", message_sid=make_sid("IM", 9)
    )
    assert again is None
    assert ConsentChange.objects.filter(consent__sender="+14155550102").count() == 1
