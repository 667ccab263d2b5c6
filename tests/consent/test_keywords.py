"""What a person's own messages say about consent, through the webhook appliers as Twilio delivers
them: keywords (one word, any case, trimmed), a sentence that is no keyword, START, HELP, writing
first, an invite reply, and the WhatsApp confirmation (none on SMS: Twilio answers there)."""

import json

import pytest
from django.test import override_settings

from conversations_ops.consent.inbound import REPLY_ATTRIBUTE, consent_messages_note, keyword_kind
from conversations_ops.consent.selectors import consent_for, consent_state
from conversations_ops.models import (
    AddressConfiguration,
    ConsentChange,
    Conversation,
    Direction,
    Message,
    Pairing,
    PairingState,
    Template,
)
from tests.consent.helpers import BUSINESS_SMS, BUSINESS_WA, PERSON_SMS, PERSON_WA, Thread
from tests.helpers.ids import make_sid
from tests.webhooks.builders import outcome_of, participant_event

pytestmark = pytest.mark.django_db


def _console_replies(thread: Thread) -> list[Message]:
    return list(
        Message.objects.filter(conversation__sid=thread.conversation, direction=Direction.OUTBOUND).order_by("pk")
    )


@pytest.mark.parametrize("body", ["STOP", "stop", "  Stop \n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"])
def test_each_opt_out_keyword_opts_the_person_out_on_that_sender(client, body):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    sid, _ = thread.says(body)

    consent = consent_for(address=PERSON_SMS, sender=BUSINESS_SMS)
    assert consent.state == "opted_out" and consent.how == "keyword_opt_out"
    change = consent.changes.get()
    assert (change.message_sid, change.keyword) == (sid, body.strip().upper())


@pytest.mark.parametrize("body", ["stop sending me the catalogue", "Please STOP", "stop.", "STOP!"])
def test_a_sentence_containing_stop_is_not_a_keyword(client, body):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says(body)

    # Not an opt-out: the person wrote first, which is an opt-in.
    assert consent_state(address=PERSON_SMS, sender=BUSINESS_SMS) == "opted_in"
    assert not ConsentChange.objects.filter(state="opted_out").exists()


def test_stop_opts_out_on_that_sender_only(client):
    Thread(client, PERSON_SMS, BUSINESS_SMS).says("STOP")
    Thread(client, PERSON_WA, BUSINESS_WA, n=2).says("Hello")

    assert consent_state(address=PERSON_SMS, sender=BUSINESS_SMS) == "opted_out"
    assert consent_state(address=PERSON_WA, sender=BUSINESS_WA) == "opted_in"
    assert consent_state(address=PERSON_SMS, sender="+14155550199") == "unknown"


def test_start_opts_back_in_and_writing_again_does_not(client):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says("STOP")
    thread.says("why do I still get nothing?")
    assert consent_state(address=PERSON_SMS, sender=BUSINESS_SMS) == "opted_out"  # writing is not consent

    sid, _ = thread.says("start")

    consent = consent_for(address=PERSON_SMS, sender=BUSINESS_SMS)
    assert (consent.state, consent.how) == ("opted_in", "keyword_opt_in")
    assert [(c.state, c.how) for c in consent.changes.all()] == [
        ("opted_out", "keyword_opt_out"),
        ("opted_in", "keyword_opt_in"),
    ]
    assert consent.changes.last().message_sid == sid


def test_on_sms_the_console_sends_no_confirmation_twilio_does(client):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    for body in ("STOP", "START", "HELP"):
        thread.says(body)

    assert _console_replies(thread) == []


def test_on_whatsapp_stop_and_start_are_confirmed_by_the_console(client):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    stop, _ = thread.says("Stop")
    start, _ = thread.says("START")

    replies = _console_replies(thread)
    assert [m.body for m in replies] == [
        "You will not receive any more messages from us here. Reply START to receive them again.",
        "You will receive our messages here again. Reply STOP to stop them.",
    ]
    assert [json.loads(m.attributes)[REPLY_ATTRIBUTE] for m in replies] == [stop, start]
    assert {m.author for m in replies} == {"system"}  # nobody else's phone is in the conversation


@override_settings(CONSENT_HELP_TEXT="Boutique Paris: reply STOP to stop, START to start again. +33 1 23 45 67 89")
def test_help_on_whatsapp_is_answered_with_the_configured_text_and_changes_nothing_else(client):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    thread.says("STOP")
    thread.says("help")

    assert _console_replies(thread)[-1].body.startswith("Boutique Paris: reply STOP")
    assert consent_state(address=PERSON_WA, sender=BUSINESS_WA) == "opted_out"


@override_settings(CONSENT_OPT_OUT_KEYWORDS=["STOP", "ARRET", "Baja"], CONSENT_OPT_IN_KEYWORDS=["START", "Alta"])
def test_configured_words_in_other_languages_count_too(client):
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says("baja")
    assert consent_state(address=PERSON_SMS, sender=BUSINESS_SMS) == "opted_out"
    thread.says("ALTA")
    assert consent_state(address=PERSON_SMS, sender=BUSINESS_SMS) == "opted_in"
    assert keyword_kind("QUIT") is None  # the list replaced Twilio's defaults


def test_applying_the_same_stop_twice_records_it_once_and_confirms_once(client):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    thread.says("STOP")

    sid = ConsentChange.objects.get().message_sid
    assert consent_messages_note(message_sids=[sid]) == ""

    assert ConsentChange.objects.count() == 1
    assert len(_console_replies(thread)) == 1


def test_a_late_stop_does_not_overturn_a_newer_start(client):
    """Events applied out of order end in the same state: the latest by when it happened wins."""
    thread = Thread(client, PERSON_SMS, BUSINESS_SMS)
    thread.says("START", seconds=120)
    thread.says("STOP", seconds=60)  # written first, applied last

    consent = consent_for(address=PERSON_SMS, sender=BUSINESS_SMS)
    assert consent.state == "opted_in"
    # History by time; START applied before the STOP was known reads as writing first: still opted in.
    assert [c.how for c in consent.changes.all()] == ["keyword_opt_out", "wrote_first"]


def test_a_person_who_writes_first_is_opted_in_with_the_message_as_evidence(client):
    sid, _ = Thread(client, PERSON_WA, BUSINESS_WA).says("Hello, is the bag in stock?")

    change = ConsentChange.objects.get()
    assert (change.state, change.how, change.message_sid) == ("opted_in", "wrote_first", sid)


COURIER_WA = "whatsapp:+15017122670"


def _pairing(thread: Thread) -> Pairing:
    """A pairing's conversation (connected: the pairing's own flow is not what is tested here)."""
    template = Template.objects.create(
        sid=make_sid("HX", 1), language="en", approval_status="approved", types={"twilio/text": {"body": "Hi"}}
    )
    return Pairing.objects.create(
        sender=AddressConfiguration.objects.create(sid=make_sid("IG"), address=BUSINESS_WA),
        customer_address=PERSON_WA,
        courier_address=COURIER_WA,
        invite_template=template,
        connected_template=template,
        conversation=Conversation.objects.get(sid=thread.conversation),
        state=PairingState.CONNECTED,
    )


@pytest.mark.parametrize("body", ["Yes, leave it at the door", "YES"])
def test_replying_to_a_pairings_invite_is_an_invite_reply_and_yes_is_not_confirmed(client, body):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    _pairing(thread)
    thread.says(body)

    assert ConsentChange.objects.get().how == "invite_reply"
    assert _console_replies(thread) == []  # nothing to undo: no opt-in confirmation


def test_start_when_not_opted_out_changes_nothing_more(client):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    thread.says("Hello")
    thread.says("START")

    assert [c.how for c in ConsentChange.objects.all()] == ["wrote_first"]
    assert _console_replies(thread) == []


def test_in_a_pairing_the_confirmation_is_written_as_the_courier_so_it_reaches_only_the_customer(client):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    _pairing(thread)
    outcome_of(
        client,
        participant_event(
            "onParticipantAdded", thread.conversation, make_sid("MB", 99), address=COURIER_WA, proxy=BUSINESS_WA
        ),
    )
    thread.says("STOP")

    assert [m.author for m in _console_replies(thread)] == [COURIER_WA]


def test_a_run_of_known_peoples_ordinary_messages_costs_three_queries(client, django_assert_max_num_queries):
    thread = Thread(client, PERSON_WA, BUSINESS_WA)
    thread.says("Hello")  # opted in: known from now on
    conversation = Conversation.objects.get(sid=thread.conversation)
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            sid=make_sid("IM", 700 + n),
            index=10 + n,
            author=PERSON_WA,
            body=f"message {n}",
            direction=Direction.INBOUND,
            sync_state="synced",
        )
        for n in range(50)
    )

    with django_assert_max_num_queries(3):  # the messages, their senders, the registry
        consent_messages_note(message_sids=[make_sid("IM", 700 + n) for n in range(50)])
    assert ConsentChange.objects.count() == 1
