"""Retries: backoff on 429/5xx/timeouts honouring Retry-After, none on other 4xx, bounded,
and a retried create never makes a second resource on Twilio."""

import dataclasses
import time

import pytest

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    Message,
    OperationState,
    Participant,
    SyncState,
)
from conversations_ops.outbox.operations import OPERATIONS
from conversations_ops.twilio import gateway
from simulator.engine import owned
from simulator.models import SimAddressConfiguration, SimConversation, SimMessage, SimParticipant, SimScopedWebhook
from tests.sync.helpers import BUSINESS_WA, drain, queue, refreshed

pytestmark = pytest.mark.slow
CUSTOMER_WA = "whatsapp:+15017122661"


def test_a_429_is_retried_after_retry_after(fail_next):
    fail_next("429", path="/Conversations")
    row = Conversation.objects.create(friendly_name="busy")
    started = time.monotonic()
    op = queue(row, "conversation.create")
    assert time.monotonic() - started >= 1.0  # Retry-After: 1, although the backoff drew less
    assert (op.state, op.attempts) == (OperationState.SUCCEEDED, 1)
    assert (op.last_error_status, op.last_error_code) == (429, 20429)
    assert op.outcome_unknown is False  # Twilio never processes a 429
    assert SimConversation.objects.count() == 1


def test_a_400_is_not_retried_and_the_row_shows_twilios_answer(sim, conversation_on_twilio):
    row = Participant.objects.create(
        conversation=conversation_on_twilio,
        messaging_binding_address="whatsapp:12",
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    op = queue(row, "participant.add")
    assert (op.state, op.attempts, op.last_error_status, op.last_error_code) == (OperationState.FAILED, 1, 400, 50407)
    row = refreshed(row)
    assert (row.sync_state, row.last_sync_error_code) == (SyncState.FAILED, 50407)
    assert "whatsapp:12" in row.last_sync_error and row.last_sync_error == op.last_error_message


def test_5xx_then_success_looks_before_creating_again(fail_next):
    fail_next("503", "500", path="/Conversations")
    op = queue(Conversation.objects.create(), "conversation.create")
    assert (op.state, op.attempts, op.outcome_unknown) == (OperationState.SUCCEEDED, 2, True)
    assert SimConversation.objects.count() == 1


def test_attempts_are_bounded_then_the_operation_fails(fail_next):
    fail_next(*["503"] * 10, path="/Conversations")
    row = Conversation.objects.create()
    from django.db import transaction

    from conversations_ops.outbox.queue import sync_operation_queue

    with transaction.atomic():
        op = sync_operation_queue(target=row, operation="conversation.create")
        op.max_attempts = 3
        op.save()
    op = refreshed(op)
    assert (op.state, op.attempts, op.last_error_code) == (OperationState.FAILED, 3, 20503)
    assert refreshed(row).sync_state == SyncState.FAILED
    assert SimConversation.objects.count() == 0


def test_a_long_backoff_goes_back_to_the_outbox(fail_next, settings):
    settings.SYNC_INLINE_WAIT_SECONDS = 0  # every wait is "long"
    fail_next("500", path="/Conversations")
    op = queue(Conversation.objects.create(), "conversation.create")
    assert (op.state, op.attempts, op.locked_until) == (OperationState.PENDING, 1, None)
    drain()
    assert refreshed(op).state == OperationState.SUCCEEDED and SimConversation.objects.count() == 1


def test_a_crash_in_the_console_is_retried_as_if_the_call_might_have_gone_through(sim, monkeypatch, settings):
    calls = []
    real = OPERATIONS["conversation.create"].execute

    def flaky(op, row):
        calls.append(op.outcome_unknown)
        if len(calls) == 1:
            real(op, row)  # made on Twilio, then the console fell over
            raise RuntimeError("boom")
        return real(op, row)

    monkeypatch.setitem(
        OPERATIONS, "conversation.create", dataclasses.replace(OPERATIONS["conversation.create"], execute=flaky)
    )
    op = queue(Conversation.objects.create(), "conversation.create")
    assert (op.state, calls) == (OperationState.SUCCEEDED, [False, True])
    assert SimConversation.objects.count() == 1


@pytest.fixture
def conversation_on_twilio(sim):
    row = Conversation.objects.create(friendly_name="Pairing")
    queue(row, "conversation.create")
    return refreshed(row)


@pytest.mark.parametrize("kind", ["lost_response", "timeout"])
def test_conversation_create_after_a_lost_answer_makes_one_conversation(fail_next, kind):
    fail_next(kind, path="/Conversations")
    op = queue(Conversation.objects.create(friendly_name="once"), "conversation.create")
    assert (op.state, op.outcome_unknown) == (OperationState.SUCCEEDED, True)
    (made,) = SimConversation.objects.all()
    assert made.sid == op.result_sid


def test_participant_add_after_a_lost_answer_adopts_the_participant(fail_next, conversation_on_twilio):
    binding = Participant.objects.create(
        conversation=conversation_on_twilio,
        messaging_binding_address="+15017122663",
        messaging_binding_proxy_address="+14155550101",
    )
    chat = Participant.objects.create(conversation=conversation_on_twilio, identity="courier-7")
    for row in (binding, chat):
        fail_next("lost_response", path="/Participants")
        op = queue(row, "participant.add")
        assert (op.state, op.outcome_unknown, refreshed(row).sid) == (OperationState.SUCCEEDED, True, op.result_sid)
    assert SimParticipant.objects.count() == 2


def test_participant_add_adopts_our_own_binding_on_50416(sim, conversation_on_twilio):
    mine = gateway.participant_create(
        conversation_sid=conversation_on_twilio.sid,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    row = Participant.objects.create(
        conversation=conversation_on_twilio,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    op = queue(row, "participant.add")
    assert (op.state, refreshed(row).sid) == (OperationState.SUCCEEDED, mine.sid)


def test_participant_add_refuses_a_binding_held_by_another_conversation(sim, conversation_on_twilio):
    other = gateway.conversation_create(friendly_name="someone else's")
    gateway.participant_create(
        conversation_sid=other.sid, messaging_binding_address=CUSTOMER_WA, messaging_binding_proxy_address=BUSINESS_WA
    )
    row = Participant.objects.create(
        conversation=conversation_on_twilio,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    op = queue(row, "participant.add")
    assert (op.state, op.attempts, op.last_error_code) == (OperationState.FAILED, 1, 50416)
    assert other.sid in op.last_error_message
    row = refreshed(row)
    assert (row.sync_state, row.last_sync_error_code) == (SyncState.FAILED, 50416) and other.sid in row.last_sync_error


def test_a_staff_chosen_unique_name_taken_by_someone_else_is_refused(sim):
    theirs = gateway.conversation_create(unique_name="order-c3")
    op = queue(Conversation.objects.create(unique_name="order-c3"), "conversation.create")
    assert (op.state, op.last_error_code) == (OperationState.FAILED, 50353)
    assert theirs.sid in op.last_error_message


def test_message_send_after_a_lost_answer_sends_once(fail_next, conversation_on_twilio):
    fail_next("lost_response", path="/Messages")
    row = Message.objects.create(conversation=conversation_on_twilio, body="only once")
    op = queue(row, "message.send")
    assert (op.state, op.outcome_unknown) == (OperationState.SUCCEEDED, True)
    (sent,) = SimMessage.objects.all()
    assert sent.sid == refreshed(row).sid and str(row.local_id) in sent.attributes


def test_address_configuration_after_a_lost_answer_is_adopted(fail_next):
    owned.own("+14155550177")  # Twilio configures only the account's own numbers
    fail_next("lost_response", path="/Configuration/Addresses")
    row = AddressConfiguration.objects.create(address="+14155550177", type="sms", friendly_name="SMS line")
    op = queue(row, "address_configuration.create")
    assert (op.state, op.outcome_unknown) == (OperationState.SUCCEEDED, True)
    (made,) = SimAddressConfiguration.objects.all()
    assert made.sid == refreshed(row).sid


def test_conversation_webhook_after_a_lost_answer_is_matched(fail_next, conversation_on_twilio):
    fail_next("lost_response", path="/Webhooks")
    row = ConversationWebhook.objects.create(
        conversation=conversation_on_twilio,
        target="webhook",
        url="https://example.com/hook",
        filters=["onMessageAdded"],
    )
    op = queue(row, "conversation_webhook.add")
    assert (op.state, op.outcome_unknown) == (OperationState.SUCCEEDED, True)
    (made,) = SimScopedWebhook.objects.all()
    assert made.sid == refreshed(row).sid
