"""Every raw Twilio body in tests/fixtures/twilio/ goes through the gate: signed,
stored once with the right type, dedup key and SIDs, and applied without failing."""

import re

import pytest

from conversations_ops.models import ProcessingState, WebhookEvent

from .fixtures import fixture_endpoint, fixture_names, fixture_pairs, post_fixture

pytestmark = pytest.mark.django_db

# What each fixture is: its event type. A new fixture needs a line here.
EVENT_TYPES = {
    "conversations__onConversationAdd__pre": "onConversationAdd",
    "conversations__onConversationAdded__auto_created": "onConversationAdded",
    "conversations__onConversationRemoved": "onConversationRemoved",
    "conversations__onConversationStateUpdated__closed": "onConversationStateUpdated",
    "conversations__onConversationStateUpdated__inactive": "onConversationStateUpdated",
    "conversations__onConversationUpdated": "onConversationUpdated",
    "conversations__onDeliveryUpdated__delivered": "onDeliveryUpdated",
    "conversations__onDeliveryUpdated__failed_63016": "onDeliveryUpdated",
    "conversations__onDeliveryUpdated__read": "onDeliveryUpdated",
    "conversations__onDeliveryUpdated__sent": "onDeliveryUpdated",
    "conversations__onDeliveryUpdated__undelivered": "onDeliveryUpdated",
    "conversations__onMessageAdd__pre": "onMessageAdd",
    "conversations__onMessageAdded__chat_identity": "onMessageAdded",
    "conversations__onMessageAdded__media": "onMessageAdded",
    "conversations__onMessageAdded__template": "onMessageAdded",
    "conversations__onMessageAdded__text": "onMessageAdded",
    "conversations__onMessageRemoved": "onMessageRemoved",
    "conversations__onMessageUpdated": "onMessageUpdated",
    "conversations__onParticipantAdd__pre": "onParticipantAdd",
    "conversations__onParticipantAdded__chat": "onParticipantAdded",
    "conversations__onParticipantAdded__sms": "onParticipantAdded",
    "conversations__onParticipantAdded__whatsapp": "onParticipantAdded",
    "conversations__onParticipantRemoved": "onParticipantRemoved",
    "conversations__onParticipantUpdated": "onParticipantUpdated",
    "conversations__unknown__onMessageReactionAdded": "onMessageReactionAdded",
    "messaging__sms": "messaging.inbound",
    "messaging__whatsapp": "messaging.inbound",
    "messaging__whatsapp_media": "messaging.inbound",
    "status__delivered": "message.status",
    "status__failed": "message.status",
    "status__sent": "message.status",
}

# The dedup key of each known event type: the parameters that identify one event
# (docs/twilio-reference.md, Conversations webhooks), all of them covered by the signature.
KEY_SHAPES = {
    "onMessageAdded": "conversations:onMessageAdded:{MessageSid}",
    "onMessageUpdated": "conversations:onMessageUpdated:{MessageSid}:{DateUpdated}",
    "onMessageRemoved": "conversations:onMessageRemoved:{MessageSid}",
    "onDeliveryUpdated": "conversations:onDeliveryUpdated:{DeliveryReceiptSid}:{Status}",
    "onParticipantAdded": "conversations:onParticipantAdded:{ParticipantSid}",
    "onParticipantUpdated": "conversations:onParticipantUpdated:{ParticipantSid}:{DateUpdated}",
    "onParticipantRemoved": "conversations:onParticipantRemoved:{ParticipantSid}",
    "onConversationAdded": "conversations:onConversationAdded:{ConversationSid}",
    "onConversationUpdated": "conversations:onConversationUpdated:{ConversationSid}:{DateUpdated}",
    "onConversationRemoved": "conversations:onConversationRemoved:{ConversationSid}",
    "onConversationStateUpdated": "conversations:onConversationStateUpdated:{ConversationSid}:{StateTo}:{StateUpdated}",
    "messaging.inbound": "messaging:messaging.inbound:{MessageSid}",
    "message.status": "status:message.status:{MessageSid}:{MessageStatus}",
}
PRE_EVENTS = {"onMessageAdd", "onConversationAdd", "onParticipantAdd"}
DIGEST_KEY = re.compile(r"^conversations:(?P<type>\w+):sha256:[0-9a-f]{64}$")


def test_every_fixture_is_described():
    assert set(fixture_names()) == set(EVENT_TYPES)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_is_one_urlencoded_line(name):
    from .fixtures import FIXTURES_DIR

    text = (FIXTURES_DIR / f"{name}.txt").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert " " not in text, "spaces are form-encoded as + by Twilio"
    assert fixture_pairs(name)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_is_stored_once_with_its_type_key_and_sids(client, name):
    params = dict(fixture_pairs(name))
    event_type = EVENT_TYPES[name]

    response = post_fixture(client, name)

    assert response.status_code == 200, response.content
    event = WebhookEvent.objects.get()
    assert event.source == fixture_endpoint(name)
    assert event.event_type == event_type
    assert event.signature_valid is True
    assert event.params == [list(pair) for pair in fixture_pairs(name)]
    if event_type in KEY_SHAPES:
        assert event.dedup_key == KEY_SHAPES[event_type].format(**params)
    else:
        assert DIGEST_KEY.match(event.dedup_key).group("type") == event_type
    assert event.conversation_sid == params.get("ConversationSid", "")
    assert event.message_sid == params.get("MessageSid", "")
    assert event.participant_sid == params.get("ParticipantSid", "")


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_is_applied_without_failing(client, django_capture_on_commit_callbacks, name):
    """The inbox is woken on commit and, in tests, applies inline: known events are not
    failed; pre-events stay ignored (never applied); unknown types are kept as unhandled."""
    with django_capture_on_commit_callbacks(execute=True):
        post_fixture(client, name)

    event = WebhookEvent.objects.get()
    event_type = EVENT_TYPES[name]
    if event_type in PRE_EVENTS:
        assert event.processing_state == ProcessingState.IGNORED
        assert event.attempts == 0
    elif event_type not in KEY_SHAPES:
        assert event.processing_state == ProcessingState.UNHANDLED
    else:
        assert event.processing_state != ProcessingState.FAILED
        assert event.processing_error == ""


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_delivered_twice_is_stored_once(client, name):
    assert post_fixture(client, name).status_code == 200
    assert post_fixture(client, name, headers={"I-Twilio-Idempotency-Token": "another-delivery"}).status_code == 200
    assert WebhookEvent.objects.count() == 1
