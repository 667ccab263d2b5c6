"""A small history: one pairing-like conversation (WhatsApp customer, SMS courier, chat agent)
with every kind of message, and an older conversation with one customer.

Messages are named by what they are (`invite`, `customer_reply`, ...) so a test
can say which rows a filter must list.
"""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from conversations_ops.models import Conversation, DeliveryReceipt, Message, Participant, Template
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, make_sid

OTHER_CUSTOMER = "whatsapp:+15017122699"
AGENT = "ops-ana"


def _receipt(message, participant, status, n, error_code=None):
    return DeliveryReceipt.objects.create(
        message=message,
        participant_sid=participant.sid,
        status=status,
        error_code=error_code,
        sid=make_sid("DY", n),
        sync_state="synced",
    )


def _summary(**statuses):
    summary = {
        "total": statuses.pop("total", 1),
        "sent": "all",
        "delivered": "none",
        "read": "none",
        "failed": "none",
        "undelivered": "none",
    }
    return {**summary, **statuses}


@pytest.fixture
def history(db):
    now = timezone.now()
    # Noon today: "today" holds whatever the hour the tests run at.
    noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
    template = Template.objects.create(
        sid=make_sid("HX"),
        friendly_name="courier_invite",
        language="en",
        approval_status="approved",
        types={"twilio/text": {"body": "Hello {{1}}, your courier is here."}},
        sync_state="synced",
    )
    order = Conversation.objects.create(
        sid=make_sid("CH"), unique_name="order-a123", friendly_name="Order A123", sync_state="synced"
    )
    customer = Participant.objects.create(
        conversation=order,
        sid=make_sid("MB", 1),
        role="customer",
        messaging_binding_type="whatsapp",
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    courier = Participant.objects.create(
        conversation=order,
        sid=make_sid("MB", 2),
        role="courier",
        messaging_binding_type="sms",
        messaging_binding_address=COURIER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    agent = Participant.objects.create(conversation=order, sid=make_sid("MB", 3), role="agent", identity=AGENT)

    def message(conversation, n, **fields):
        fields.setdefault("date_created", noon + timedelta(minutes=n))
        return Message.objects.create(conversation=conversation, sid=make_sid("IM", n), sync_state="synced", **fields)

    # The console's invite, written as the courier so that only the customer gets it.
    invite = message(
        order,
        1,
        index=0,
        author=COURIER_SMS,
        direction="outbound",
        content_sid=template.sid,
        content_variables=json.dumps({"1": "Robert"}),
        attributes=json.dumps({"pairing": {"id": 1, "kind": "invite"}}),
        delivery=_summary(delivered="all", read="all"),
    )
    _receipt(invite, customer, "read", 1)
    customer_reply = message(
        order,
        2,
        index=1,
        author=CUSTOMER_WHATSAPP,
        direction="inbound",
        participant_sid=customer.sid,
        body="Yes please, call me on +15017122661",
        delivery=_summary(delivered="all"),
    )
    _receipt(customer_reply, courier, "delivered", 2)
    courier_photo = message(
        order,
        3,
        index=2,
        author=COURIER_SMS,
        direction="inbound",
        participant_sid=courier.sid,
        body="I'm at the door",
        media=[
            {
                "sid": make_sid("ME"),
                "content_type": "image/jpeg",
                "filename": "door.jpg",
                "size": 48213,
                "category": "media",
            }
        ],
        delivery=_summary(failed="all", sent="none"),
    )
    _receipt(courier_photo, customer, "failed", 3, error_code=63016)
    agent_note = message(
        order,
        4,
        index=3,
        author=AGENT,
        direction="outbound",
        participant_sid=agent.sid,
        body="We will call you",
        delivery=_summary(total=2, delivered="some", undelivered="some"),
    )
    _receipt(agent_note, customer, "delivered", 4)
    _receipt(agent_note, courier, "undelivered", 5, error_code=30003)
    system_notice = message(order, 5, index=4, author="system", direction="outbound", body="Your order is packed")

    older = Conversation.objects.create(sid=make_sid("CH", 2), unique_name="order-b7", sync_state="synced")
    Participant.objects.create(
        conversation=older,
        sid=make_sid("MB", 4),
        role="customer",
        messaging_binding_type="whatsapp",
        messaging_binding_address=OTHER_CUSTOMER,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    old_question = message(
        older,
        6,
        index=1,
        author=OTHER_CUSTOMER,
        direction="inbound",
        body="Where is it?",
        date_created=now - timedelta(days=20),
    )
    old_answer = message(
        older,
        7,
        index=0,
        author="system",
        direction="outbound",
        body="On its way",
        date_created=now - timedelta(days=40),
        delivery=_summary(delivered="all"),
    )
    return SimpleNamespace(
        template=template,
        order=order,
        older=older,
        customer=customer,
        courier=courier,
        agent=agent,
        invite=invite,
        customer_reply=customer_reply,
        courier_photo=courier_photo,
        agent_note=agent_note,
        system_notice=system_notice,
        old_question=old_question,
        old_answer=old_answer,
    )


def _user(username, group, *extra_codenames):
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    user.user_permissions.add(*Permission.objects.filter(codename__in=extra_codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def auditor(db):
    """Reads everything and exports; sees numbers masked."""
    return _user("auditor", "Auditor")


@pytest.fixture
def full_auditor(db):
    return _user("full-auditor", "Auditor", "view_full_numbers")


@pytest.fixture
def ops(db):
    """Reads messages, may not export."""
    return _user("ops", "Ops")
