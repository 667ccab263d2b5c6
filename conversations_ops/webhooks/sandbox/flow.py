"""The WhatsApp sandbox flow: the Twilio Function of the guide "Manage Conversations
WhatsApp Addresses" (docs/twilio-reference.md), run by the webhook worker.

The sandbox number has no Address Configuration auto-creation, so a message
to it arrives on the Messaging webhook and the console builds the
conversation itself, in the Function's order:
1. the conversation (X-Twilio-Webhook-Enabled: true), unique name
   `sandbox-<MessageSid>`;
2. when the sender has a flow: the Studio scoped webhook (flowSid,
   replayAfter 0, filters onMessageAdded), before the message, so the flow
   sees it;
3. the participant: MessagingBinding.Address=From, ProxyAddress=To;
4. the message: author From, the body and each media file (downloaded from
   Twilio, uploaded to the Media Content Service: what the Function could
   not do); then the mirror.

Safe to run again (a worker died mid-way and the event is applied again):
the unique name finds the first attempt's conversation (50353 on create ->
fetch) and each step first looks whether Twilio already has its part.

A failed step deletes the conversation, unless a message of the person has
already landed in it (then the retry finishes it), and raises
SandboxStartError: Twilio's code, what it means and what to do, for the
event's processing_error.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from conversations_ops.models import SandboxSender, WebhookEvent
from conversations_ops.outbox.pacing import SERVICE_KEY, pacing_acquire
from conversations_ops.twilio import gateway
from conversations_ops.twilio.errors import explain_error
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.records import RemoteConversation, RemoteConversationWebhook, RemoteParticipant
from conversations_ops.webhooks.parsing import EventParams
from conversations_ops.webhooks.sandbox import mirror as sandbox_mirror
from conversations_ops.webhooks.sandbox.media import InboundMedia, inbound_media, media_carry

UNIQUE_NAME_PREFIX = "sandbox-"
DUPLICATE_UNIQUE_NAME = 50353
BINDING_IN_USE = 50416
# Twilio needs a body or a media; a location or a contact card has neither.
EMPTY_BODY = "(No text or media: the person may have shared a location or a contact.)"
PACING_MAX_WAIT = 5.0
PACING_TRIES = 3


class SandboxStartError(Exception):
    """Starting the conversation failed; the message says at which step, why and what to do."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        # False when Twilio refused (4xx, e.g. 50416): the inbox fails the event
        # at once instead of creating and deleting the conversation five times.
        self.retryable = retryable


@dataclass(frozen=True)
class Inbound:
    """The Messaging webhook's fields the flow uses."""

    message_sid: str
    sender: str  # From: the person, whatsapp:+...
    sandbox: str  # To: the sandbox number
    body: str
    profile_name: str
    media: list[InboundMedia]

    @property
    def unique_name(self) -> str:
        return f"{UNIQUE_NAME_PREFIX}{self.message_sid}"

    @property
    def display_name(self) -> str:
        """How the conversation is named on Twilio: the WhatsApp profile name, else "WhatsApp user …2661".

        Never the whole number: the name is shown on every page that lists the conversation,
        to staff who may not see numbers, and it is stored on Twilio where masking cannot reach."""
        if self.profile_name:
            return self.profile_name
        digits = "".join(ch for ch in self.sender or "" if ch.isdigit())
        return f"WhatsApp user …{digits[-4:]}" if digits else "WhatsApp user"

    @property
    def parts(self) -> int:
        """One message per media file (the first with the body); one message without media."""
        return max(1, len(self.media))


def inbound_of(params: EventParams) -> Inbound:
    return Inbound(
        message_sid=params.get("MessageSid"),
        sender=params.get("From"),
        sandbox=params.get("To"),
        body=params.get("Body"),
        profile_name=params.get("ProfileName"),
        media=inbound_media(params),
    )


@dataclass
class Started:
    """What exists on Twilio so far."""

    conversation: RemoteConversation | None = None
    created: bool = False  # by this attempt
    parts_known: bool = False  # whether `messages` is known to hold every part Twilio has
    webhook: RemoteConversationWebhook | None = None
    participant: RemoteParticipant | None = None
    messages: dict = field(default_factory=dict)  # part number -> RemoteMessage


def sandbox_outcome(*, inbound: Inbound, sender: SandboxSender) -> str:
    flow = f", Studio flow {sender.studio_flow_sid}" if sender.studio_flow_sid else ", no Studio flow"
    media = f", {len(inbound.media)} media" if inbound.media else ""
    return (
        f"Sandbox {inbound.sandbox}: conversation {inbound.unique_name} started for {inbound.sender} "
        f"(participant and message{media}{flow})."
    )


def sandbox_conversation_start(*, event_id: int, sender_id: int) -> str:
    """Builds the conversation on Twilio and in the mirror; answers the outcome line.

    Runs outside any transaction: it waits on Twilio, and under SQLite an open
    transaction would hold the database's write lock all that time."""
    event = WebhookEvent.objects.get(pk=event_id)
    sender = SandboxSender.objects.get(pk=sender_id)
    inbound = inbound_of(EventParams(event.params))
    started = _start_on_twilio(inbound, sender)
    sandbox_mirror.mirror_started(started)
    WebhookEvent.objects.filter(pk=event.pk).update(conversation_sid=started.conversation.sid)
    return sandbox_outcome(inbound=inbound, sender=sender)


def _start_on_twilio(inbound: Inbound, sender: SandboxSender) -> Started:
    started, step = Started(), "create the conversation"
    try:
        _conversation(inbound, started)
        if not started.created:
            step = "look at what an earlier attempt made"
            started.messages = _existing_parts(started.conversation.sid, inbound)
            started.parts_known = True
        if sender.studio_flow_sid:
            step = "add the Studio webhook"
            started.webhook = _studio_webhook(started, sender.studio_flow_sid)
        step = "add the participant"
        started.participant = _participant(started, inbound)
        missing = [part for part in range(inbound.parts) if part not in started.messages]
        step = "carry the media over (download from Twilio, upload to the Media Content Service)"
        media_sids = {
            part: media_carry(media=inbound.media[part], chat_service_sid=_service_of(started))
            for part in missing
            if part < len(inbound.media)
        }
        step = "add the message"
        for part in missing:
            started.messages[part] = _message(started, inbound, part, media_sids.get(part))
    except Exception as exc:
        raise SandboxStartError(
            _failure(step, exc, inbound, started), retryable=getattr(exc, "retryable", True)
        ) from exc
    return started


def _paced(key: str) -> None:
    """Draws from the pacing bucket the sync runner uses (Twilio's 30 actions/s)."""
    for _ in range(PACING_TRIES):
        grant = pacing_acquire(key=key, max_wait=PACING_MAX_WAIT)
        if grant.granted:
            if grant.wait:
                time.sleep(grant.wait)
            return
        time.sleep(PACING_MAX_WAIT)
    raise SandboxStartError("Twilio's 30 actions per second are spent by other work right now; tried again later.")


def _conversation(inbound: Inbound, started: Started) -> None:
    _paced(SERVICE_KEY)
    attributes = json.dumps({"sandbox_sender": inbound.sandbox, "inbound_message_sid": inbound.message_sid})
    try:
        started.conversation = gateway.conversation_create(
            unique_name=inbound.unique_name,
            attributes=attributes,
            webhook_enabled=True,
            friendly_name=f"WhatsApp sandbox: {inbound.display_name}",
        )
        started.created = started.parts_known = True
    except GatewayError as exc:
        if exc.code != DUPLICATE_UNIQUE_NAME:
            raise
        # An earlier attempt made it: carry on with that one.
        started.conversation = gateway.conversation_fetch(sid=inbound.unique_name)


def _service_of(started: Started) -> str:
    if not started.conversation.chat_service_sid:
        raise SandboxStartError("Twilio did not say which Conversation Service holds the conversation.")
    return started.conversation.chat_service_sid


def _existing_parts(conversation_sid: str, inbound: Inbound) -> dict:
    found = {}
    for message in gateway.message_list(conversation_sid=conversation_sid):
        try:
            attributes = json.loads(message.attributes or "{}")
        except ValueError:
            continue
        if isinstance(attributes, dict) and attributes.get("inbound_message_sid") == inbound.message_sid:
            found[int(attributes.get("part") or 0)] = message
    return found


def _studio_webhook(started: Started, flow_sid: str) -> RemoteConversationWebhook:
    sid = started.conversation.sid
    if not started.created:
        for webhook in gateway.conversation_webhook_list(conversation_sid=sid):
            if webhook.target == "studio" and webhook.flow_sid == flow_sid:
                return webhook
    return gateway.conversation_webhook_create(
        conversation_sid=sid,
        target="studio",
        flow_sid=flow_sid,
        replay_after=0,
        filters=["onMessageAdded"],
    )


def _participant(started: Started, inbound: Inbound) -> RemoteParticipant:
    sid = started.conversation.sid
    if not started.created:
        for participant in gateway.participant_list(conversation_sid=sid):
            if (participant.binding_address, participant.binding_proxy_address) == (inbound.sender, inbound.sandbox):
                return participant
    _paced(f"conversation:{sid}")
    return gateway.participant_create(
        conversation_sid=sid,
        messaging_binding_address=inbound.sender,
        messaging_binding_proxy_address=inbound.sandbox,
    )


def _message(started: Started, inbound: Inbound, part: int, media_sid: str | None):
    body = (inbound.body or (None if media_sid else EMPTY_BODY)) if part == 0 else None
    _paced(f"conversation:{started.conversation.sid}")
    return gateway.message_create(
        conversation_sid=started.conversation.sid,
        author=inbound.sender,
        body=body,
        media_sid=media_sid,
        attributes=json.dumps({"inbound_message_sid": inbound.message_sid, "part": part}),
        webhook_enabled=True,
    )


# When a step fails ------------------------------------------------------------


def _failure(step: str, exc: Exception, inbound: Inbound, started: Started) -> str:
    if isinstance(exc, GatewayError):
        explanation = explain_error(exc)
        code = f" {exc.code}" if exc.code else ""
        lines = [f"Could not {step}: Twilio{code} said “{exc.message}”.", f"{explanation.title}: {explanation.meaning}"]
        lines.append(_binding_hint(inbound, started) if exc.code == BINDING_IN_USE else explanation.next_step)
    else:
        lines = [f"Could not {step}: {exc}"]
    lines.append(_clean_up(started))
    return " ".join(line for line in lines if line)


def _binding_hint(inbound: Inbound, started: Started) -> str:
    own = started.conversation.sid if started.conversation else None
    holder = _binding_holder(inbound, own)
    where = (
        f"Here it is conversation {holder.conversation_sid} ({holder.conversation_state}) in this account. "
        if holder
        else "No open conversation of this account holds it, so another one does. "
    )
    return (
        f"Hint: the phone {inbound.sender} and the sandbox {inbound.sandbox} are already paired in another open "
        f"conversation. {where}The WhatsApp sandbox number is the same for every Twilio account: another account "
        "or console instance using this sandbox may hold the pair. Close that conversation (or remove the "
        "participant from it), then reprocess this event or ask the person to write again."
    )


def _binding_holder(inbound: Inbound, own_sid: str | None):
    """The open conversation of this account holding the pair, if Twilio shows one."""
    try:
        for item in gateway.participant_conversation_list(address=inbound.sender):
            if (
                item.binding_proxy_address == inbound.sandbox
                and item.conversation_state != "closed"
                and item.conversation_sid != own_sid
            ):
                return item
    except GatewayError:
        return None
    return None


def _clean_up(started: Started) -> str:
    """Deletes the half-made conversation, so it cannot hold the phone+sandbox pair."""
    conversation = started.conversation
    if conversation is None:
        return "Nothing was created on Twilio."
    if not started.parts_known or started.messages:
        return (
            f"Conversation {conversation.sid} is kept: the person's message may already be in it; "
            "the next attempt finishes it."
        )
    try:
        _paced(SERVICE_KEY)
        # With the header, like the create: whoever heard of it hears it is gone.
        gateway.conversation_delete(sid=conversation.sid, webhook_enabled=True)
    except (GatewayError, SandboxStartError) as exc:
        return f"Deleting conversation {conversation.sid} failed too ({exc}): delete it on Twilio by hand."
    sandbox_mirror.mirror_deleted(conversation.sid)
    return f"Conversation {conversation.sid} was deleted on Twilio."
