"""The console's side of Twilio's limits and refusals (docs/fidelity.md, "Limits and refusals"):
it refuses beside the field what Twilio would refuse (a conversation created closed, a unique
name shaped like a SID, a body over its channels' limit), and explains on the record's page
what Twilio refused or failed anyway (end to end against the live simulator).

The simulator's side, through the SDK, is tests/simulator/test_limits_and_refusals.py.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops.models import Conversation, DeliveryReceipt, Message, Participant, SyncOperation, SyncState
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_create, conversation_update
from conversations_ops.services.messages import message_send, message_send_check
from conversations_ops.services.participants import participant_add
from conversations_ops.twilio import gateway
from simulator import clock
from simulator.models import SimConversation, SimParticipant
from simulator.sids import new_sid
from tests.helpers.admin_forms import form_data, url
from tests.helpers.handsets import Handset, settle_inbox
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, make_sid

SID_SHAPED = "CH" + "0123456789abcdef" * 2


def _field_errors(response) -> dict:
    return response.context["adminform"].form.errors


# Refused before Twilio, beside the field ----------------------------------------------------------


@pytest.mark.django_db
def test_a_new_conversation_cannot_start_closed(admin_client):
    """Twilio 50384: the add form says so on State and queues nothing."""
    data = form_data(admin_client.get(url(Conversation, "add")))
    response = admin_client.post(url(Conversation, "add"), {**data, "unique_name": "born-closed", "state": "closed"})
    assert response.status_code == 200
    assert "starts active or inactive" in " ".join(_field_errors(response)["state"])
    assert not Conversation.objects.filter(unique_name="born-closed").exists()
    assert not SyncOperation.objects.exists()
    # "initializing" is Twilio's own state (and would reach Twilio without one: 50382).
    with pytest.raises(ValidationError) as caught:
        conversation_create(unique_name="born-initializing", state="initializing", timers_closed="PT10M")
    assert "state" in caught.value.message_dict


@pytest.mark.django_db
def test_a_unique_name_shaped_like_a_conversation_sid_is_refused_beside_the_field(admin_client, conversation):
    """Twilio 50390, on create and on change; a name merely containing one is fine."""
    data = form_data(admin_client.get(url(Conversation, "add")))
    response = admin_client.post(url(Conversation, "add"), {**data, "unique_name": SID_SHAPED})
    assert response.status_code == 200
    assert "shaped like a conversation SID" in " ".join(_field_errors(response)["unique_name"])
    with pytest.raises(ValidationError) as caught:
        conversation_update(conversation=conversation, data={"unique_name": SID_SHAPED})
    assert "unique_name" in caught.value.message_dict
    assert conversation_create(unique_name="order-" + SID_SHAPED).pk


@pytest.mark.django_db
def test_the_body_limit_follows_the_conversations_channels(admin_client, conversation):
    """1,600 characters once an SMS/WhatsApp participant takes part, else chat's 32 KB
    (Conversations limits page); the Send page says so on the text."""
    send_page = url(Conversation, "send", conversation.pk)
    long_text = "x" * 5000
    assert message_send_check(conversation=conversation, body=long_text) == []  # chat only
    assert "32 KB" in message_send_check(conversation=conversation, body="x" * (32 * 1024 + 1))[0]

    Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", 7),
        messaging_binding_type="sms",
        messaging_binding_address=COURIER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    (reason,) = message_send_check(conversation=conversation, body="x" * 1601)
    assert "at most 1600 characters; this has 1601" in reason
    response = admin_client.post(send_page, {"mode": "free_form", "body": "x" * 1601, "action": "send"})
    assert response.status_code == 200
    assert "at most 1600 characters" in " ".join(response.context["form"].errors["body"])
    assert not Message.objects.filter(conversation=conversation).exists()


@pytest.mark.django_db
def test_participants_past_twilios_counts_are_refused_before_twilio(conversation):
    """At most 50 SMS/WhatsApp participants (50418) and 1,000 in all (50417), from the mirror."""
    Participant.objects.bulk_create(
        Participant(
            conversation=conversation,
            sid=make_sid("MB", n),
            messaging_binding_type="sms",
            messaging_binding_address=f"+1500555{n:04d}",
            messaging_binding_proxy_address=BUSINESS_SMS,
        )
        for n in range(50)
    )
    with pytest.raises(ValidationError) as caught:
        participant_add(conversation=conversation, address=COURIER_SMS, proxy_address=BUSINESS_SMS)
    assert "at most 50 SMS/WhatsApp participants" in " ".join(caught.value.message_dict["messaging_binding_address"])
    assert participant_add(conversation=conversation, identity="ops-ana").pk  # chat: still room

    Participant.objects.bulk_create(
        Participant(
            conversation=conversation, sid=make_sid("MB", 100 + n), messaging_binding_type="chat", identity=f"a{n}"
        )
        for n in range(1000 - 51)
    )
    with pytest.raises(ValidationError) as caught:
        participant_add(conversation=conversation, identity="ops-one-too-many")
    assert "at most 1000 participants" in " ".join(caught.value.message_dict["identity"])


# Explained when Twilio refuses or fails anyway (against the live simulator) -------------------------


def _settle(handset):
    handset.wait_for_webhooks()
    settle_inbox()


def _queued(row, operation: str):
    """A row written and queued past the services' and the model's checks (as a workflow that did
    not check, an import or a shell might): Twilio is the one to refuse it."""
    with transaction.atomic():
        row.sync_state = SyncState.PENDING
        row.save()
        sync_operation_queue(target=row, operation=operation)
    row.refresh_from_db()
    return row


def _row_page(admin_client, row) -> str:
    return admin_client.get(url(type(row), "change", row.pk)).content.decode()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fields", "code", "title"),
    [
        ({"state": "closed"}, 50384, "A new conversation cannot start closed"),
        ({"unique_name": SID_SHAPED}, 50390, "Unique name looks like a conversation SID"),
        ({"state": "initializing", "timers_closed": "PT10M"}, 50382, "Timers sent without a state"),
    ],
)
def test_a_conversation_create_twilio_refuses_is_explained_on_its_page(simulator, admin_client, fields, code, title):
    """Written past the services (as an import or a shell might): the push fails with Twilio's
    code and the row explains it."""
    row = _queued(
        Conversation(unique_name=fields.pop("unique_name", "refused-create"), **fields), "conversation.create"
    )
    assert (row.sid, row.last_sync_error_code) == ("", code)
    page = _row_page(admin_client, row)
    assert title in page and f"https://www.twilio.com/docs/errors/{code}" in page


@pytest.mark.slow
def test_a_participant_over_the_phone_limit_is_explained_on_its_page(simulator, admin_client):
    """Twilio 50418: at most 50 SMS/WhatsApp participants in a conversation (the 50 are on Twilio only)."""
    conversation = conversation_create(unique_name="crowded")
    conversation.refresh_from_db()
    sim_conversation, now = SimConversation.objects.get(sid=conversation.sid), clock.now()
    SimParticipant.objects.bulk_create(
        SimParticipant(
            sid=new_sid("MB"),
            conversation=sim_conversation,
            address=f"+1500555{n:04d}",
            proxy_address=BUSINESS_SMS,
            channel="sms",
            date_created=now,
            date_updated=now,
        )
        for n in range(50)
    )
    participant = participant_add(conversation=conversation, address=COURIER_SMS, proxy_address=BUSINESS_SMS)
    participant.refresh_from_db()
    assert (participant.sid, participant.last_sync_error_code) == ("", 50418)
    page = _row_page(admin_client, participant)
    assert "Too many SMS/WhatsApp participants" in page and "https://www.twilio.com/docs/errors/50418" in page


def _pushed_conversation_with(handset, name: str, *phones: tuple[str, str]) -> Conversation:
    conversation = conversation_create(unique_name=name)
    for address, proxy in phones:
        participant_add(conversation=Conversation.objects.get(pk=conversation.pk), address=address, proxy_address=proxy)
    _settle(handset)
    return Conversation.objects.get(pk=conversation.pk)


@pytest.mark.slow
def test_a_text_too_long_for_sms_fails_that_phone_and_is_explained(simulator, admin_client):
    """Twilio accepts the message (chat's 32 KB) and the SMS receipt fails with 21617."""
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    conversation = _pushed_conversation_with(handset, "long-text", (COURIER_SMS, BUSINESS_SMS))
    message = _queued(Message(conversation=conversation, body="x" * 1700), "message.send")
    _settle(handset)
    message.refresh_from_db()
    assert message.sid  # Twilio took it
    assert [(r.status, r.error_code) for r in DeliveryReceipt.objects.filter(message=message)] == [("failed", 21617)]
    page = _row_page(admin_client, message)
    assert "Message text too long for SMS/WhatsApp" in page and "Send it again shortened" in page


@pytest.mark.slow
def test_a_person_who_texted_stop_gets_nothing_more_and_the_console_says_why(simulator, admin_client):
    """SMS STOP to the business number: Twilio fails that number's messages to them with 21610
    until they text START; the console refuses first (the consent registry heard the STOP), and a
    message forced past it (another client of the account) is explained on its page."""
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    conversation = _pushed_conversation_with(
        handset, "opted-out", (COURIER_SMS, BUSINESS_SMS), (CUSTOMER_WHATSAPP, BUSINESS_WHATSAPP)
    )
    handset.send(COURIER_SMS, BUSINESS_SMS, "STOP")
    _settle(handset)
    with pytest.raises(ValidationError, match="opted out by texting STOP"):
        message_send(conversation=conversation, body="Your order is at the door")
    forced = gateway.message_create(conversation_sid=conversation.sid, body="Your order is at the door")
    _settle(handset)
    blocked = Message.objects.get(sid=forced.sid)
    receipts = {r.participant_sid: (r.status, r.error_code) for r in DeliveryReceipt.objects.filter(message=blocked)}
    courier = Participant.objects.get(conversation=conversation, messaging_binding_address=COURIER_SMS)
    assert receipts[courier.sid] == ("failed", 21610)
    page = _row_page(admin_client, blocked)
    assert "The person opted out (STOP)" in page and "texting START" in page

    handset.send(COURIER_SMS, BUSINESS_SMS, "START")
    _settle(handset)
    again = message_send(conversation=conversation, body="Your order is at the door")
    _settle(handset)
    (courier_receipt,) = DeliveryReceipt.objects.filter(message=again, participant_sid=courier.sid)
    assert courier_receipt.status == "delivered"
