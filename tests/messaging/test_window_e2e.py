"""Done-when, on the simulator through the real twilio SDK: free-form inside the window is
delivered; 25 hours later the console refuses free-form (Send message page and the
message_send command) and a template is delivered; a forced 63016 shows its explanation
on the message and Resend sends a new message.

The console measures the window on its own clock (Twilio's clock in production). The
simulator's clock is real time plus an offset only the control API moves, so the test
moves the console's window clock by the same amount: both clocks agree, as in production.
"""

from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from conversations_ops.messaging import window as message_window
from conversations_ops.messaging.template_sync import template_sync_all
from conversations_ops.models import Conversation, DeliveryReceipt, Message, MessagingInbound, Template
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_close, conversation_create
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add
from conversations_ops.twilio import gateway
from tests.helpers.handsets import Handset, settle_inbox

pytestmark = pytest.mark.slow

BUSINESS_WA = "whatsapp:+14155550100"
CUSTOMER = "whatsapp:+15017122661"
COLD_LEAD = "whatsapp:+15017122699"
INVITE = "Hello {{1}}, your food delivery is almost there but {{2}} (your rider) needs help finding your door."


def _settle(handset):
    handset.wait_for_webhooks()
    settle_inbox()


def _received(handset, address):
    answer = requests.get(f"{handset.control}/handsets/{address}", timeout=30).json()
    return [m for m in answer["messages"] if m["direction"] == "received"]


def _conversation_with(handset, name, address):
    conversation = conversation_create(unique_name=name)
    participant_add(
        conversation=Conversation.objects.get(pk=conversation.pk), address=address, proxy_address=BUSINESS_WA
    )
    _settle(handset)
    return Conversation.objects.get(pk=conversation.pk)


def _send_page(conversation):
    return reverse("admin:conversations_ops_conversation_send", args=[conversation.pk])


def _approved_template(handset):
    content = gateway.content_create(
        language="en",
        friendly_name="courier_invite",
        variables={"1": "there", "2": "x"},
        types={"twilio/text": {"body": INVITE}},
    )
    assert (
        requests.post(
            f"{handset.control}/content/{content.sid}/approval", data={"status": "approved"}, timeout=30
        ).status_code
        == 200
    )
    template_sync_all()
    return Template.objects.get(sid=content.sid)


def _move_both_clocks(handset, monkeypatch, hours):
    handset.tick(hours * 3600)
    monkeypatch.setattr(message_window, "window_now", lambda: timezone.now() + timedelta(hours=hours))


def test_free_form_inside_the_window_then_only_templates_after_25_hours(simulator, client, admin_user, monkeypatch):
    client.force_login(admin_user)
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    conversation = _conversation_with(handset, "order-e2e", CUSTOMER)
    handset.send(CUSTOMER, BUSINESS_WA, "Hi, where is my order?")
    _settle(handset)
    assert Message.objects.filter(conversation=conversation, direction="inbound", author=CUSTOMER).exists()

    response = client.post(
        _send_page(conversation), {"mode": "free_form", "body": "Your rider is 5 minutes away", "action": "send"}
    )
    assert response.status_code == 302, response.context["form"].errors
    _settle(handset)
    sent = Message.objects.get(conversation=conversation, direction="outbound")
    assert [r.status for r in sent.receipts.all()] == ["delivered"]
    assert [m["body"] for m in _received(handset, CUSTOMER)] == ["Your rider is 5 minutes away"]

    template = _approved_template(handset)
    _move_both_clocks(handset, monkeypatch, 25)
    page = client.get(_send_page(conversation))
    assert f"the 24-hour window with {BUSINESS_WA} closed" in page.content.decode()
    refused = client.post(_send_page(conversation), {"mode": "free_form", "body": "Still there?", "action": "send"})
    assert "Free-form is refused" in " ".join(refused.context["form"].non_field_errors())
    with pytest.raises(CommandError) as excinfo:
        call_command("message_send", "--conversation", "order-e2e", "--body", "Still there?")
    assert excinfo.value.returncode == 2 and "63016" in str(excinfo.value)
    assert Message.objects.filter(conversation=conversation, direction="outbound").count() == 1

    data = {"mode": "template", "template": template.pk, "var_1": "Robert O'Neil", "var_2": 'Alicia "Ali"'}
    preview = client.post(_send_page(conversation), {**data, "action": "preview"})
    assert preview.context["preview"].startswith("Hello Robert O'Neil, ")
    assert client.post(_send_page(conversation), {**data, "confirmed": "True", "action": "send"}).status_code == 302
    _settle(handset)
    by_template = Message.objects.get(conversation=conversation, content_sid=template.sid)
    assert [r.status for r in by_template.receipts.all()] == ["delivered"]
    assert _received(handset, CUSTOMER)[-1]["body"] == (
        'Hello Robert O\'Neil, your food delivery is almost there but Alicia "Ali" (your rider) needs help '
        "finding your door."
    )


def test_a_forced_63016_is_explained_and_resend_sends_a_new_message(simulator, client, admin_user):
    client.force_login(admin_user)
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    conversation = _conversation_with(handset, "cold-lead", COLD_LEAD)
    # Past the guard on purpose: Twilio accepts it and WhatsApp refuses it later.
    failed = message_send(conversation=conversation, body="Your table is ready")
    _settle(handset)
    (receipt,) = DeliveryReceipt.objects.filter(message=failed)
    assert (receipt.status, receipt.error_code) == ("failed", 63016)

    changelist = reverse("admin:conversations_ops_message_changelist")
    listing = client.get(changelist + "?delivery=failed")
    assert [m.pk for m in listing.context["cl"].result_list] == [failed.pk]
    page = client.get(reverse("admin:conversations_ops_message_change", args=[failed.pk])).content.decode()
    assert "Outside the WhatsApp 24-hour window" in page and "Send an approved template" in page

    client.post(changelist, {"action": "resend", "_selected_action": [failed.pk]})
    assert Message.objects.filter(conversation=conversation).count() == 1, "still outside the window: refused"

    handset.send(COLD_LEAD, BUSINESS_WA, "Oh nice, coming")  # the person writes: the window opens
    _settle(handset)
    client.post(changelist, {"action": "resend", "_selected_action": [failed.pk]})
    _settle(handset)
    new = Message.objects.filter(conversation=conversation, direction="outbound").exclude(pk=failed.pk).get()
    assert new.body == failed.body and new.sid != failed.sid
    assert [r.status for r in new.receipts.all()] == ["delivered"]
    assert [m["body"] for m in _received(handset, COLD_LEAD)] == ["Your table is ready"]


def test_a_customer_who_wrote_in_yesterdays_closed_conversation_gets_free_form_in_todays(simulator, client, admin_user):
    """The window is the person's with the business number, not the conversation's."""
    client.force_login(admin_user)
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    yesterday = _conversation_with(handset, "order-yesterday", CUSTOMER)
    handset.send(CUSTOMER, BUSINESS_WA, "Where is my order?")
    _settle(handset)
    conversation_close(conversation=Conversation.objects.get(pk=yesterday.pk))
    _settle(handset)
    assert Conversation.objects.get(pk=yesterday.pk).state == "closed"

    today = _conversation_with(handset, "order-today", CUSTOMER)
    page = client.get(_send_page(today))
    (window,) = page.context["windows"]
    assert window.free_form_allowed and "any conversation" in window.explanation
    response = client.post(_send_page(today), {"mode": "free_form", "body": "Your rider is here", "action": "send"})
    assert response.status_code == 302, response.context["form"].errors
    _settle(handset)
    sent = Message.objects.get(conversation=today, direction="outbound")
    assert [(r.status, r.error_code) for r in sent.receipts.all()] == [("delivered", None)]
    assert [m["body"] for m in _received(handset, CUSTOMER)] == ["Your rider is here"]

    # Someone who never wrote to the number anywhere: the console refuses, as WhatsApp would.
    cold = _conversation_with(handset, "cold-lead-2", COLD_LEAD)
    (cold_window,) = client.get(_send_page(cold)).context["windows"]
    assert not cold_window.free_form_allowed and "never written to" in cold_window.explanation
    refused = client.post(_send_page(cold), {"mode": "free_form", "body": "Hello?", "action": "send"})
    assert "Free-form is refused" in " ".join(refused.context["form"].non_field_errors())
    assert not Message.objects.filter(conversation=cold, direction="outbound").exists()


def test_a_message_on_the_numbers_messaging_webhook_opens_the_window_in_the_console(simulator, client, admin_user):
    client.force_login(admin_user)
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    messaging_url = f"{simulator.url}/webhooks/twilio/messaging/"
    numbers = requests.post(
        f"{handset.control}/numbers", data={"address": BUSINESS_WA, "sms_url": messaging_url}, timeout=30
    )
    assert numbers.status_code == 200
    assert handset.send(COLD_LEAD, BUSINESS_WA, "Is the shop open?")["outcome"] == "messaging_webhook"
    _settle(handset)
    assert MessagingInbound.objects.filter(from_address=COLD_LEAD, to_address=BUSINESS_WA).exists()

    conversation = _conversation_with(handset, "lead-follow-up", COLD_LEAD)
    (window,) = client.get(_send_page(conversation)).context["windows"]
    assert window.free_form_allowed
    assert message_send(conversation=conversation, body="Yes, until 8 pm", guard=True)
    _settle(handset)
    sent = Message.objects.get(conversation=conversation, direction="outbound")
    assert [r.status for r in sent.receipts.all()] == ["delivered"]
