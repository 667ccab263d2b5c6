"""On the simulator through the real twilio SDK: a template sent by another client (the SDK
directly, as a Studio flow or a Function would) reaches the console in an onMessageAdded
that carries no ContentSid, as Twilio's; the console attributes it by fetching the message.
A template the console sent keeps the content SID of its own outbox row."""

import pytest
import requests

from conversations_ops.messaging.template_sync import template_sync_all
from conversations_ops.models import Conversation, Message
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add
from conversations_ops.twilio import gateway
from tests.helpers.handsets import Handset, settle_inbox

pytestmark = pytest.mark.slow

BUSINESS_WA = "whatsapp:+14155550100"
CUSTOMER = "whatsapp:+15017122661"


def _settle(handset):
    handset.wait_for_webhooks()
    settle_inbox()


def _approved_template(handset, name):
    content = gateway.content_create(
        language="en", friendly_name=name, variables={"1": "there"}, types={"twilio/text": {"body": "Hi {{1}}"}}
    )
    approval = requests.post(
        f"{handset.control}/content/{content.sid}/approval", data={"status": "approved"}, timeout=30
    )
    assert approval.status_code == 200
    return content.sid


def test_templates_are_attributed_from_the_outbox_or_by_fetching_the_message(simulator, monkeypatch):
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    row = conversation_create(unique_name="order-templates")
    participant_add(conversation=Conversation.objects.get(pk=row.pk), address=CUSTOMER, proxy_address=BUSINESS_WA)
    _settle(handset)
    conversation = Conversation.objects.get(pk=row.pk)
    ours, theirs = _approved_template(handset, "ours"), _approved_template(handset, "theirs")
    template_sync_all()
    fetched = []
    real_fetch = gateway.message_fetch

    def spy(**kwargs):
        fetched.append(kwargs["sid"])
        return real_fetch(**kwargs)

    monkeypatch.setattr(gateway, "message_fetch", spy)

    sent = message_send(conversation=conversation, content_sid=ours, content_variables={"1": "Ana"})
    # Another client, with webhooks on: the console learns of it from onMessageAdded only.
    other = gateway.message_create(
        conversation_sid=conversation.sid, content_sid=theirs, content_variables={"1": "Bo"}, webhook_enabled=True
    )
    handset.send(CUSTOMER, BUSINESS_WA, "Thanks!")  # a phone's message: no template, never fetched
    _settle(handset)

    added = requests.get(
        f"{handset.control}/deliveries", params={"event_type": "onMessageAdded", "limit": 100}, timeout=30
    ).json()["deliveries"]
    assert added and all("ContentSid" not in dict(d["params"]) for d in added)
    assert Message.objects.get(pk=sent.pk).content_sid == ours
    assert Message.objects.get(sid=other.sid).content_sid == theirs
    assert fetched == [other.sid]
    assert Message.objects.get(conversation=conversation, author=CUSTOMER).content_sid == ""
