"""A template is known from the console's own outbox row or from the Message resource,
never from the webhook (Twilio's onMessageAdded lists no ContentSid)."""

import json

import pytest

from conversations_ops.mirror.rules import LOCAL_ID_ATTRIBUTE
from conversations_ops.models import Conversation, Direction, Message, Participant, WebhookEvent
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.records import RemoteMessage
from conversations_ops.webhooks.appliers import messages_bulk
from conversations_ops.webhooks.inbox import webhook_inbox_drain
from tests.webhooks.builders import BUSINESS, CUSTOMER, at, message_event, sid, signed_post

pytestmark = pytest.mark.django_db
CH, IM, HX = sid("CH"), sid("IM"), sid("HX")


class Fetches:
    """gateway.message_fetch stand-in: what Twilio's Message resource says, and who asked."""

    def __init__(self, content_sid=None, error=None):
        self.content_sid, self.error, self.asked = content_sid, error, []

    def __call__(self, *, conversation_sid, sid):
        self.asked.append((conversation_sid, sid))
        if self.error:
            raise self.error
        return RemoteMessage(
            sid=sid,
            conversation_sid=conversation_sid,
            index=0,
            author=BUSINESS,
            body="",
            media=None,
            attributes="{}",
            participant_sid=None,
            content_sid=self.content_sid,
            delivery=None,
            date_created=at(1),
            date_updated=at(1),
        )


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Posts events, then drains the inbox and runs what waits for the commit (the fetch
    task): a `db` test's transaction never commits by itself."""

    def post_and_apply(client, *events):
        for pairs in events:
            assert signed_post(client, "conversations", pairs).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            webhook_inbox_drain(budget_seconds=5)
        return WebhookEvent.objects.order_by("-id").first()

    return post_and_apply


@pytest.fixture
def fetches(monkeypatch):
    def install(**kwargs):
        spy = Fetches(**kwargs)
        monkeypatch.setattr(gateway, "message_fetch", spy)
        return spy

    return install


def test_a_template_another_client_sent_is_attributed_by_fetching_the_message(client, fetches, deliver):
    spy = fetches(content_sid=HX)
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, created=1, author=BUSINESS))
    assert spy.asked == [(CH, IM)]
    assert Message.objects.get(sid=IM).content_sid == HX


def test_a_ContentSid_in_the_event_is_not_believed(client, fetches, deliver):
    spy = fetches(content_sid=None)  # Twilio's Message resource: no template
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, created=1, author=BUSINESS, content_sid=HX))
    assert spy.asked == [(CH, IM)]
    assert Message.objects.get(sid=IM).content_sid == ""


def test_the_consoles_own_template_keeps_its_outbox_content_sid_without_a_fetch(client, fetches, deliver):
    spy = fetches(error=AssertionError("the console's own row needs no fetch"))
    conversation = Conversation.objects.create(sid=CH, sync_state="synced")
    Message.objects.create(
        conversation=conversation, sid=IM, index=0, author=BUSINESS, content_sid=HX, sync_state="synced"
    )
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, created=1, author=BUSINESS))
    assert Message.objects.get(sid=IM).content_sid == HX and spy.asked == []


def test_what_a_persons_phone_sent_is_never_fetched(client, fetches, deliver):
    spy = fetches(error=AssertionError("a phone sends no template"))
    deliver(
        client,
        message_event("onMessageAdded", CH, IM, index=0, created=1, author=CUSTOMER, body="hi", source="WHATSAPP"),
    )
    assert Message.objects.get(sid=IM).content_sid == "" and spy.asked == []


def test_a_failed_fetch_leaves_the_message_for_the_pull(client, fetches, deliver):
    spy = fetches(error=GatewayError(status=503, code=None, message="Service Unavailable"))
    event = deliver(client, message_event("onMessageAdded", CH, IM, index=0, created=1, author=BUSINESS))
    event.refresh_from_db()
    assert spy.asked == [(CH, IM)] and event.processing_state == "processed"
    assert Message.objects.get(sid=IM).content_sid == ""


def test_a_bulk_run_fetches_the_clients_messages_together(client, fetches, deliver, monkeypatch):
    spy = fetches(content_sid=HX)
    stored_in_bulk = []

    def store(planned, _store=messages_bulk.store):
        stored_in_bulk.extend(row.sid for row in planned.rows)
        return _store(planned)

    monkeypatch.setattr(messages_bulk, "store", store)
    deliver(
        client,
        *[message_event("onMessageAdded", CH, sid("IM", n + 1), index=n, created=n, author=BUSINESS) for n in range(3)],
        message_event("onMessageAdded", CH, sid("IM", 9), index=9, created=9, author=CUSTOMER, source="WHATSAPP"),
    )
    assert len(stored_in_bulk) == 4  # the bulk path, not one by one
    assert sorted(spy.asked) == [(CH, sid("IM", n + 1)) for n in range(3)]
    assert list(Message.objects.order_by("index").values_list("content_sid", flat=True)) == [HX, HX, HX, ""]


def test_the_consoles_own_free_form_message_is_not_fetched(client, fetches, deliver):
    # Its attributes carry our local id: the outbox row it came from already says it was no template.
    spy = fetches(content_sid=None)
    conversation = Conversation.objects.create(sid=CH, sync_state="synced")
    ours = Message.objects.create(conversation=conversation, sid=IM, index=0, author=BUSINESS, sync_state="synced")
    attributes = json.dumps({LOCAL_ID_ATTRIBUTE: str(ours.local_id)})
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, created=1, author=BUSINESS, attributes=attributes))
    assert spy.asked == []
    assert Message.objects.get(sid=IM).content_sid == ""


def _conversation_with_the_customer() -> Conversation:
    conversation = Conversation.objects.create(sid=CH, sync_state="synced")
    Participant.objects.create(
        conversation=conversation,
        sid=sid("MB"),
        messaging_binding_address=CUSTOMER,
        messaging_binding_proxy_address=BUSINESS,
        sync_state="synced",
    )
    return conversation


def test_a_persons_message_relayed_through_the_api_is_not_fetched(client, fetches, deliver):
    # Source API, but the author is the customer's binding address: the mirror counts it inbound,
    # and a template is the business's message.
    spy = fetches(content_sid=None)
    _conversation_with_the_customer()
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, created=1, author=CUSTOMER, body="hi"))
    assert Message.objects.get(sid=IM).direction == Direction.INBOUND
    assert spy.asked == []


def test_a_bulk_run_fetches_only_the_messages_that_may_be_templates(client, fetches, deliver, monkeypatch):
    spy = fetches(content_sid=HX)
    _conversation_with_the_customer()
    stored_in_bulk = []

    def store(planned, _store=messages_bulk.store):
        stored_in_bulk.extend(row.sid for row in planned.rows)
        return _store(planned)

    monkeypatch.setattr(messages_bulk, "store", store)
    deliver(
        client,
        message_event("onMessageAdded", CH, sid("IM", 1), index=0, created=0, author=BUSINESS),
        message_event("onMessageAdded", CH, sid("IM", 2), index=1, created=1, author=CUSTOMER, body="hi"),
        message_event("onMessageAdded", CH, sid("IM", 3), index=2, created=2, author=BUSINESS),
    )
    assert len(stored_in_bulk) == 3  # the bulk path, not one by one
    assert sorted(spy.asked) == [(CH, sid("IM", 1)), (CH, sid("IM", 3))]
    assert list(Message.objects.order_by("index").values_list("content_sid", flat=True)) == [HX, "", HX]
