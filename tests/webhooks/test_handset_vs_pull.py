"""Done-when: the simulator's signed webhooks, sent while a person uses the
handset page, produce the same mirror as a twilio_pull of the same simulator state.

Everything goes over HTTP, as in `make run`: people write from the handset
page (its form posts to the control API's `inbound`), staff work in the
console (services -> outbox -> push) or through another Twilio client with
X-Twilio-Webhook-Enabled (so Twilio tells the console), and the simulated
account's post-event webhook points at this console. The mirror the
webhooks (plus the console's own pushes) built is compared with the one a
pull of the same simulator state builds from nothing.
"""

from datetime import timedelta

import pytest

from conversations_ops.models import (
    Conversation,
    DeliveryReceipt,
    Message,
    Participant,
    PullCheckpoint,
    SyncState,
)
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add
from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import AddressAutoCreation
from simulator.engine import owned
from tests.helpers.handsets import Handset, settle_inbox

pytestmark = pytest.mark.slow

BUSINESS_WA, BUSINESS_SMS = "whatsapp:+14155550100", "+14155550101"
CUSTOMER, COURIER = "whatsapp:+15017122661", "+15017122663"
NEW_CUSTOMER = "whatsapp:+15017122699"  # has never written: WhatsApp refuses free-form to them (63016)

# What both paths know, per model; everything else is excluded below, with the reason.
COMPARED = {
    Conversation: (
        "unique_name",
        "friendly_name",
        "attributes",
        "state",
        "chat_service_sid",
        "messaging_service_sid",
        "date_created",
        "date_updated",
        "sync_state",
    ),
    Participant: (
        "conversation_id",
        "identity",
        "messaging_binding_type",
        "messaging_binding_address",
        "messaging_binding_proxy_address",
        "messaging_binding_projected_address",
        "attributes",
        "role_sid",
        "last_read_message_index",
        "date_created",
        "date_updated",
        "sync_state",
    ),
    Message: (
        "conversation_id",
        "index",
        "author",
        "body",
        "media",
        "attributes",
        "participant_sid",
        "content_sid",
        "direction",
        "delivery",
        "date_created",
        "date_updated",
        "sync_state",
    ),
}
# Not compared, on purpose:
# - Conversation.date_inactive / date_closed: timers are never in a webhook (only the pull reads them).
# - Participant.last_read_timestamp: no webhook carries it (onParticipantUpdated has only LastReadMessageIndex).
# - Participant.role, Message.media_sid / content_variables / subject, Conversation.timers_*: what staff typed
#   into the console; Twilio's records (hence the pull) do not hold them.
# - DeliveryReceipt rows: the pull does not list receipts; the message's `delivery` summary stands for them.
# - Rows deleted on Twilio: webhooks keep them as deleted_remotely, a pull starting from nothing never sees them.
# - Bookkeeping (ids, local ids, last_synced_at, last_seen_at, created_at, updated_at): this console's own clock.


def second(moment):
    """REST answers carry whole seconds, webhooks milliseconds: compare at Twilio's REST precision."""
    return moment - timedelta(microseconds=moment.microsecond) if moment else moment


def mirror_as_twilio_knows_it() -> dict:
    conversations = dict(Conversation.objects.values_list("pk", "sid"))
    snapshot = {}
    for model, names in COMPARED.items():
        rows = {}
        for row in model.objects.exclude(sync_state=SyncState.DELETED_REMOTELY).order_by("sid"):
            values = {}
            for name in names:
                value = getattr(row, name)
                values[name] = (
                    conversations[value]
                    if name == "conversation_id"
                    else (second(value) if name.startswith("date_") else value)
                )
            rows[row.sid] = values
        snapshot[model.__name__] = rows
    return snapshot


def test_webhooks_sent_while_people_use_the_handset_make_the_mirror_a_pull_makes(simulator):
    handset = Handset(simulator.api_base)
    for address in (BUSINESS_WA, BUSINESS_SMS):
        owned.own(address)  # Twilio configures only the account's own senders
        gateway.address_configuration_create(
            type="whatsapp" if address.startswith("whatsapp:") else "sms",
            address=address,
            auto_creation=AddressAutoCreation(enabled=True, type="default"),
        )
    account_webhooks_configure()

    # A customer writes on WhatsApp: Twilio auto-creates the conversation and tells the console.
    first = handset.send(CUSTOMER, BUSINESS_WA, "Hi, where is my order?")
    handset.wait_for_webhooks()
    conversation = Conversation.objects.get(sid=first["conversation_sid"])
    handset.tick()
    # Staff add the courier and write to both from the console (pushed through the outbox).
    participant_add(conversation=conversation, address=COURIER, proxy_address=BUSINESS_SMS, role="courier")
    handset.tick()
    message_send(conversation=Conversation.objects.get(pk=conversation.pk), body="Your courier Bo is on the way")
    handset.tick()
    # The courier answers from the handset with a photo; the customer replies.
    handset.send(
        COURIER, BUSINESS_SMS, "I'm at the door", MediaUrl="https://example.com/door.jpg", MediaContentType="image/jpeg"
    )
    handset.tick()
    handset.send(CUSTOMER, BUSINESS_WA, "Coming down!")
    handset.tick()
    # Another Twilio client (a supervisor's tool) renames it and notes something on the customer, with webhooks on.
    gateway.conversation_update(
        sid=conversation.sid, friendly_name="Order 42", attributes='{"order": 42}', webhook_enabled=True
    )
    handset.tick()
    customer = Participant.objects.get(conversation=conversation, messaging_binding_address=CUSTOMER)
    gateway.participant_update(
        conversation_sid=conversation.sid,
        sid=customer.sid,
        attributes='{"vip": true}',
        last_read_message_index=1,
        webhook_enabled=True,
    )
    handset.tick()
    # Staff start a conversation with someone who never wrote: WhatsApp refuses the free-form message (63016).
    cold = conversation_create(friendly_name="Cold lead")
    participant_add(conversation=Conversation.objects.get(pk=cold.pk), address=NEW_CUSTOMER, proxy_address=BUSINESS_WA)
    message_send(conversation=Conversation.objects.get(pk=cold.pk), body="Your table is ready")
    handset.wait_for_webhooks()
    settle_inbox()

    assert handset.shows(CUSTOMER, "Your courier Bo is on the way") and handset.shows(COURIER, "Coming down!")
    by_webhooks = mirror_as_twilio_knows_it()
    assert len(by_webhooks["Conversation"]) == 2 and len(by_webhooks["Message"]) == 5
    inbound = [m for m in by_webhooks["Message"].values() if m["direction"] == "inbound"]
    assert sorted(m["body"] for m in inbound) == ["Coming down!", "Hi, where is my order?", "I'm at the door"]
    assert {r.status for r in DeliveryReceipt.objects.all()} == {"delivered", "failed"}
    assert Conversation.objects.get(pk=conversation.pk).friendly_name == "Order 42"

    Conversation.objects.all().delete()  # the whole mirror: participants, messages, receipts cascade
    PullCheckpoint.objects.all().delete()
    summary = twilio_pull(resume=False)
    assert summary.complete, str(summary)
    by_pull = mirror_as_twilio_knows_it()

    assert len({m["date_created"] for m in by_webhooks["Message"].values()}) == 5, "dates that can differ"
    assert by_webhooks == by_pull
