"""The WhatsApp sandbox flow end to end: a phone writes to the sandbox number on the simulator,
its Messaging webhook reaches the console, the worker builds the conversation (the guide's sandbox
Function, plus media; docs/twilio-reference.md)."""

import pytest

from conversations_ops.models import (
    Conversation,
    ConversationWebhook,
    Direction,
    Message,
    Participant,
    ProcessingState,
    SandboxSender,
    SyncState,
    WebhookEvent,
)
from conversations_ops.twilio import gateway
from conversations_ops.webhooks.apply import webhook_event_apply
from simulator.engine import media as media_engine
from simulator.engine import store, webhooks_out
from simulator.models import SimConversation, SimMedia, SimMessage, SimParticipant, SimScopedWebhook
from simulator.sids import new_sid
from tests.simulator.engine_helpers import control
from tests.webhooks.signing import signed_post

pytestmark = pytest.mark.slow

SANDBOX = "whatsapp:+14155238886"
PHONE = "whatsapp:+15017122661"
OTHER_NUMBER = "whatsapp:+14155550100"
FLOW = "FW" + "7" * 32
PNG = media_engine.PLACEHOLDERS["image/png"]


@pytest.fixture
def sandbox(simulator):
    """The sandbox number on the simulator posts to the console's Messaging endpoint."""
    for address in (SANDBOX, OTHER_NUMBER):
        control(
            simulator, "numbers", data={"address": address, "sms_url": f"{simulator.url}/webhooks/twilio/messaging/"}
        )
    return SandboxSender.objects.create(address=SANDBOX, friendly_name="Sandbox", studio_flow_sid=FLOW)


def phone_writes(simulator, body="Hello, where is my order?", to=SANDBOX, **media) -> WebhookEvent:
    status, answer = control(
        simulator, "inbound", json={"From": PHONE, "To": to, "Body": body, "ProfileName": "Robert", **media}
    )
    assert status == 200 and answer["outcome"] == "messaging_webhook", answer
    assert webhooks_out.drain(30)  # the console answered, so the worker (inline in tests) is done
    return WebhookEvent.objects.get(event_type="messaging.inbound", message_sid=answer["message_sid"])


def sandbox_conversations():
    return SimConversation.objects.filter(unique_name__startswith="sandbox-")


def test_a_message_to_the_sandbox_starts_a_conversation_with_studio_participant_and_media(simulator, sandbox):
    event = phone_writes(simulator, MediaUrl="https://example.com/door.png", MediaContentType="image/png")
    assert event.processing_state == ProcessingState.PROCESSED, event.processing_error
    (conversation,) = sandbox_conversations()
    assert conversation.unique_name == f"sandbox-{event.message_sid}"
    assert event.conversation_sid == conversation.sid
    assert "started" in event.outcome and conversation.unique_name in event.outcome

    (studio,) = SimScopedWebhook.objects.filter(conversation=conversation)
    assert (studio.target, studio.flow_sid, studio.replay_after, studio.filters) == (
        "studio",
        FLOW,
        0,
        ["onMessageAdded"],
    )
    (person,) = SimParticipant.objects.filter(conversation=conversation)
    assert (person.address, person.proxy_address) == (PHONE, SANDBOX)
    (message,) = SimMessage.objects.filter(conversation=conversation)
    assert (message.author, message.body, message.participant_sid) == (PHONE, "Hello, where is my order?", person.sid)
    (item,) = message.media
    assert (item["content_type"], item["size"]) == ("image/png", len(PNG))
    # Twilio's MediaUrl ends with the phone's media SID; the type gives the extension.
    assert item["filename"].startswith("ME") and item["filename"].endswith(".png")
    assert item["sid"] not in item["filename"]
    uploaded = SimMedia.objects.get(sid=item["sid"])  # a Media Content Service copy of the phone's file
    assert (bytes(uploaded.data), uploaded.service_sid, uploaded.channel_sid) == (
        PNG,
        store.DEFAULT_CHAT_SERVICE_SID,
        conversation.sid,
    )

    mirrored = Conversation.objects.get(sid=conversation.sid)
    assert mirrored.sync_state == SyncState.SYNCED and mirrored.unique_name == conversation.unique_name
    assert ConversationWebhook.objects.get(conversation=mirrored).flow_sid == FLOW
    assert Participant.objects.get(conversation=mirrored).messaging_binding_address == PHONE
    row = Message.objects.get(conversation=mirrored)
    assert (row.sid, row.direction, row.author, row.sync_state) == (
        message.sid,
        Direction.INBOUND,
        PHONE,
        SyncState.SYNCED,
    )
    assert row.media == message.media


def test_applying_the_event_again_creates_nothing_twice(simulator, sandbox):
    event = phone_writes(simulator)
    again = webhook_event_apply(event_id=event.pk)  # as after a worker died before recording the outcome
    assert again.processing_state == ProcessingState.PROCESSED, again.processing_error
    (conversation,) = sandbox_conversations()
    assert (conversation.participants.count(), conversation.messages.count(), conversation.webhooks.count()) == (
        1,
        1,
        1,
    )
    assert Conversation.objects.filter(sid=conversation.sid).count() == 1
    assert Message.objects.filter(conversation__sid=conversation.sid).count() == 1


def test_an_earlier_attempt_s_half_made_conversation_is_finished(simulator, sandbox, client):
    message_sid = new_sid("SM")
    half = gateway.conversation_create(unique_name=f"sandbox-{message_sid}")
    gateway.participant_create(
        conversation_sid=half.sid, messaging_binding_address=PHONE, messaging_binding_proxy_address=SANDBOX
    )
    signed_post(client, "messaging", inbound_pairs(message_sid))
    event = WebhookEvent.objects.get(message_sid=message_sid)
    assert event.processing_state == ProcessingState.PROCESSED, event.processing_error
    (conversation,) = sandbox_conversations()
    assert conversation.sid == half.sid == event.conversation_sid
    assert (conversation.participants.count(), conversation.messages.count(), conversation.webhooks.count()) == (
        1,
        1,
        1,
    )


def inbound_pairs(message_sid, *, body="hi", media_urls=(), to=SANDBOX):
    pairs = [
        ("MessageSid", message_sid),
        ("AccountSid", "AC" + "0" * 32),
        ("From", PHONE),
        ("To", to),
        ("Body", body),
        ("NumMedia", len(media_urls)),
    ]
    for n, url in enumerate(media_urls):
        pairs += [(f"MediaContentType{n}", "image/png"), (f"MediaUrl{n}", url)]
    return pairs


def test_the_pair_already_in_another_open_conversation_deletes_ours_and_explains(simulator, sandbox, client):
    holder = gateway.conversation_create(friendly_name="Elsewhere")
    gateway.participant_create(
        conversation_sid=holder.sid, messaging_binding_address=PHONE, messaging_binding_proxy_address=SANDBOX
    )
    message_sid = new_sid("SM")
    # Posted as Twilio would: the phone's own message would join `holder` on the simulator.
    assert signed_post(client, "messaging", inbound_pairs(message_sid)).status_code == 200
    event = WebhookEvent.objects.get(message_sid=message_sid)
    # Twilio refused (4xx): retrying cannot help, so it fails at once instead of
    # creating and deleting a conversation five times.
    assert event.processing_state == ProcessingState.FAILED and event.attempts == 1
    error = event.processing_error
    assert "Could not add the participant" in error and "50416" in error
    assert "Number pair already in another open conversation" in error
    assert f"conversation {holder.sid} (active) in this account" in error
    assert "another account or console instance using this sandbox" in error and "Close that conversation" in error
    assert "was deleted on Twilio" in error
    assert list(SimConversation.objects.values_list("sid", flat=True)) == [holder.sid]  # ours is gone
    assert webhooks_out.drain(30)  # its onConversationAdded/Removed reached the console meanwhile
    assert not Conversation.objects.exclude(sync_state=SyncState.DELETED_REMOTELY).exists()

    webhook_event_apply(event_id=event.pk)  # the retry: still held, still nothing left behind
    assert list(SimConversation.objects.values_list("sid", flat=True)) == [holder.sid]

    gateway.conversation_update(sid=holder.sid, state="closed")  # what the hint asks staff to do
    done = webhook_event_apply(event_id=event.pk)
    assert done.processing_state == ProcessingState.PROCESSED, done.processing_error
    assert sandbox_conversations().count() == 1


def test_two_media_and_no_body_become_two_messages_without_studio(simulator, sandbox, client):
    sandbox.studio_flow_sid = ""
    sandbox.save()
    message_sid = new_sid("MM")
    urls = []
    for data in (PNG, b"second"):
        row = media_engine.store(data=data, content_type="image/png", filename=None, message_sid=message_sid)
        urls.append(media_engine.message_media_url(simulator.api_base, message_sid, row.sid))
    signed_post(client, "messaging", inbound_pairs(message_sid, body="", media_urls=urls))
    event = WebhookEvent.objects.get(message_sid=message_sid)
    assert event.processing_state == ProcessingState.PROCESSED, event.processing_error
    (conversation,) = sandbox_conversations()
    assert not conversation.webhooks.exists()
    first, second = conversation.messages.order_by("index")
    assert (first.body, second.body) == (None, None)
    assert [bytes(SimMedia.objects.get(sid=m.media[0]["sid"]).data) for m in (first, second)] == [PNG, b"second"]


def test_media_that_cannot_be_downloaded_deletes_the_conversation(simulator, sandbox, client):
    message_sid = new_sid("MM")
    missing = media_engine.message_media_url(simulator.api_base, message_sid, new_sid("ME"))
    signed_post(client, "messaging", inbound_pairs(message_sid, media_urls=[missing]))
    event = WebhookEvent.objects.get(message_sid=message_sid)
    assert event.processing_state == ProcessingState.FAILED  # a 404 will not heal by itself
    assert "Could not carry the media over" in event.processing_error and "20404" in event.processing_error
    assert "was deleted on Twilio" in event.processing_error
    assert not sandbox_conversations().exists()


def test_another_number_or_a_disabled_sender_starts_nothing(simulator, sandbox):
    event = phone_writes(simulator, to=OTHER_NUMBER)
    assert event.processing_state == ProcessingState.PROCESSED
    assert event.outcome == f"Recorded; {OTHER_NUMBER} is not a sandbox sender, nothing to start."
    sandbox.enabled = False
    sandbox.save()
    event = phone_writes(simulator)
    assert event.processing_state == ProcessingState.PROCESSED
    assert event.outcome == f"Recorded; sandbox sender {SANDBOX} is disabled, nothing started."
    assert not SimConversation.objects.exists() and not Conversation.objects.exists()
