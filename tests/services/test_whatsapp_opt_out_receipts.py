"""The console's side of a WhatsApp user blocking the business (docs/fidelity.md, "Opt-out and
consent"): Twilio accepts the message and fails its receipt with 63014; the message page says
what happened and what staff should do. End to end against the live simulator, whose side is
tests/simulator/test_opt_out_fidelity.py.
"""

import pytest
import requests

from conversations_ops.models import Conversation, DeliveryReceipt
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add
from tests.helpers.admin_forms import url
from tests.helpers.handsets import Handset, settle_inbox
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP

pytestmark = pytest.mark.slow


def _settle(handset):
    handset.wait_for_webhooks()
    settle_inbox()


def test_a_whatsapp_user_who_blocked_the_business_fails_with_63014_and_the_page_says_why(simulator, admin_client):
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    made = conversation_create(unique_name="blocked-by-customer")
    participant_add(
        conversation=Conversation.objects.get(pk=made.pk), address=CUSTOMER_WHATSAPP, proxy_address=BUSINESS_WHATSAPP
    )
    _settle(handset)
    handset.send(CUSTOMER_WHATSAPP, BUSINESS_WHATSAPP, "Where is my order?")  # the window is open
    _settle(handset)
    blocked = requests.post(
        f"{handset.control}/handsets/{CUSTOMER_WHATSAPP}/preferences",
        json={"business": BUSINESS_WHATSAPP, "blocked": True},
        timeout=30,
    )
    assert blocked.status_code == 200, blocked.text

    conversation = Conversation.objects.get(pk=made.pk)
    message = message_send(conversation=conversation, body="It is at the door")
    _settle(handset)
    message.refresh_from_db()
    assert message.sid  # Twilio took it (201): the refusal is on the receipt
    assert [(r.status, r.error_code) for r in DeliveryReceipt.objects.filter(message=message)] == [("failed", 63014)]
    page = admin_client.get(url(type(message), "change", message.pk)).content.decode()
    assert "The person blocked this sender or withdrew consent" in page
    assert "Do not resend" in page and "https://www.twilio.com/docs/errors/63014" in page
