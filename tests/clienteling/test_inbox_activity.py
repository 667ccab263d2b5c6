"""The customer's activity (mirror/activity.py) follows their messages whichever path records them:
the one-by-one message applier, the bulk applier, the pull, the send path; an event applied twice
or removed later leaves the values a fresh recount gives; a console without clienteling pays one
query per message event."""

from importlib import import_module
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations_ops.mirror.activity import customer_activity_refresh
from conversations_ops.models import Assignment, Conversation, Customer, Message
from conversations_ops.pull.pages import Counts, store_page
from conversations_ops.pull.resources import RESOURCES
from conversations_ops.services.messages import message_send
from conversations_ops.twilio.records import RemoteMessage
from conversations_ops.webhooks.appliers import messages_bulk
from conversations_ops.webhooks.inbox import webhook_inbox_drain
from tests.helpers.clienteling import advisor, sender, team
from tests.helpers.ids import BUSINESS_WHATSAPP, make_sid
from tests.helpers.inbox import linked_customer, number
from tests.webhooks.builders import at, deliver, message_event, participant_event
from tests.webhooks.signing import signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return linked_customer(sender(BUSINESS_WHATSAPP), advisor("alice"), 1)


def _conversation(customer) -> Conversation:
    return customer.conversation_links.get().conversation


def _event(customer, n, *, created, body="Hello?", by="", event_type="onMessageAdded", updated=None):
    return message_event(
        event_type,
        _conversation(customer).sid,
        make_sid("IM", n),
        index=n,
        created=created,
        updated=updated,
        body=body,
        author=by or customer.whatsapp_address,
    )


def _fields(customer) -> tuple:
    customer.refresh_from_db()
    return (
        customer.last_inbound_at,
        customer.last_outbound_at,
        customer.awaiting_reply_since,
        customer.last_message_preview,
        customer.last_message_inbound,
        customer.unread_count,
    )


def test_the_message_applier_keeps_it_and_a_replay_or_removal_recounts(client, customer):
    deliver(client, _event(customer, 0, created=10, body="Do you have it in blue?"))
    deliver(client, _event(customer, 1, created=20, body="On it", by="alice"))
    deliver(client, _event(customer, 2, created=30, body="And in green?\nSize M"))

    assert _fields(customer) == (at(30), at(20), at(30), "And in green? Size M", True, 2)

    deliver(client, _event(customer, 2, created=30, body="And in green?\nSize M"))  # Twilio sends it again
    assert _fields(customer) == (at(30), at(20), at(30), "And in green? Size M", True, 2)

    deliver(client, _event(customer, 2, created=30, event_type="onMessageRemoved", updated=40))
    assert _fields(customer) == (at(10), at(20), None, "On it", False, 1)


def test_the_bulk_applier_keeps_it(client, customer):
    for n in range(4):
        signed_post(client, "conversations", _event(customer, n, created=10 + n, body=f"message {n}"))
    with mock.patch.object(messages_bulk, "store", wraps=messages_bulk.store) as bulk:
        webhook_inbox_drain(budget_seconds=5)

    assert bulk.called and Message.objects.count() == 4
    assert _fields(customer) == (at(13), None, at(13), "message 3", True, 4)


def test_the_pull_keeps_it(customer):
    conversation = _conversation(customer)
    records = [
        RemoteMessage(
            sid=make_sid("IM", n),
            conversation_sid=conversation.sid,
            index=n,
            author=author,
            body=body,
            media=None,
            attributes="{}",
            participant_sid=None,
            content_sid=None,
            delivery=None,
            date_created=at(n),
            date_updated=at(n),
        )
        for n, (author, body) in enumerate([(number(1), "Hi, is my order ready?"), ("alice", "Ready tomorrow")])
    ]

    store_page(RESOURCES["messages"], records, seen_at=timezone.now(), counts=Counts(), conversation=conversation)

    assert _fields(customer) == (at(0), at(1), None, "Ready tomorrow", False, 1)


def test_the_send_path_answers_at_once(client, customer):
    deliver(client, _event(customer, 0, created=10))

    message_send(conversation=_conversation(customer), body="Yes, in blue", author="alice")

    customer.refresh_from_db()
    assert customer.awaiting_reply_since is None and customer.last_message_preview == "Yes, in blue"
    assert customer.last_outbound_at > customer.last_inbound_at  # queued now: the console's clock


def test_a_template_or_media_message_is_previewed_by_what_it_carries(client, customer):
    deliver(client, _event(customer, 0, created=10, body=""))
    Message.objects.filter(sid=make_sid("IM", 0)).update(content_sid=make_sid("HX"))
    customer_activity_refresh(conversation_ids=[_conversation(customer).pk])

    assert _fields(customer)[3] == f"[template {make_sid('HX')}]"


def test_a_conversation_without_a_customer_costs_one_query(conversation):
    with CaptureQueriesContext(connection) as queries:
        assert customer_activity_refresh(conversation_ids=[conversation.pk]) == 0

    assert len(queries) == 1


def test_messages_recorded_before_routing_linked_the_conversation_count(client):
    """Twilio auto-created a conversation and its message arrived before its participant: the
    routing that links it to the customer recounts."""
    team("Boutique", senders=[sender(BUSINESS_WHATSAPP)], members=[advisor("bob")], assignment=Assignment.ROUND_ROBIN)
    conversation, person = make_sid("CH", 5), number(5)
    deliver(client, message_event("onMessageAdded", conversation, make_sid("IM", 5), index=0, body="Hi", author=person))
    deliver(
        client,
        participant_event(
            "onParticipantAdded", conversation, make_sid("MB", 5), address=person, proxy=BUSINESS_WHATSAPP
        ),
    )

    customer = Customer.objects.get()
    assert (customer.advisor.username, customer.unread_count, customer.last_message_preview) == ("bob", 1, "Hi")
    assert customer.awaiting_reply_since == at(0)  # the event's own date


def test_the_migration_backfills_customers_recorded_before_it(client, customer):
    deliver(client, _event(customer, 0, created=10, body="Before the upgrade"))
    Customer.objects.filter(pk=customer.pk).update(
        last_inbound_at=None, last_message_at=None, awaiting_reply_since=None, last_message_preview="", unread_count=0
    )

    import_module("conversations_ops.migrations.0021_inbox_activity").backfill(django_apps, None)

    assert _fields(customer) == (at(10), None, at(10), "Before the upgrade", True, 1)
