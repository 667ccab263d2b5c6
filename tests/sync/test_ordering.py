"""Operations on one conversation run in the order they were queued, across workers."""

import random
import threading

import pytest
from django.db import connection, transaction

from conversations_ops.models import Conversation, Message, OperationState, Participant, SyncState
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.outbox.runner import sync_operation_run, sync_operations_retry
from simulator.models import SimMessage, SimParticipant
from tests.sync.helpers import drain, refreshed

pytestmark = pytest.mark.slow


def _conversation_with_participant(**conversation_fields):
    with transaction.atomic():
        conversation = Conversation.objects.create(friendly_name="Order D4", **conversation_fields)
        participant = Participant.objects.create(conversation=conversation, identity="courier-7")
        create = sync_operation_queue(target=conversation, operation="conversation.create")
        add = sync_operation_queue(target=participant, operation="participant.add")
    return conversation, participant, refreshed(create), refreshed(add)


def test_a_participant_queued_with_its_conversation_runs_after_it(sim):
    conversation, participant, create, add = _conversation_with_participant()
    assert create.state == add.state == OperationState.SUCCEEDED
    assert create.completed_at <= add.completed_at
    assert SimParticipant.objects.get().conversation.sid == refreshed(conversation).sid


def test_a_participant_waits_while_its_conversation_is_not_created_yet(fail_next, settings):
    settings.SYNC_INLINE_WAIT_SECONDS = 0  # the create's retry goes back to the outbox
    fail_next("503", path="/Conversations")
    conversation, participant, create, add = _conversation_with_participant()
    assert (create.state, create.attempts) == (OperationState.PENDING, 1)
    assert (add.state, add.attempts, add.last_error_message) == (OperationState.PENDING, 0, "")  # no try made
    assert not SimParticipant.objects.exists()
    drain()
    assert refreshed(add).state == OperationState.SUCCEEDED and SimParticipant.objects.count() == 1


def test_after_a_failed_operation_the_next_ones_fail_until_it_is_retried(sim):
    conversation, participant, create, add = _conversation_with_participant(timers_inactive="PT10S")
    assert (create.state, create.last_error_code) == (OperationState.FAILED, 50375)  # Twilio: at least 1 minute
    assert add.state == OperationState.FAILED and f"retry #{create.pk} first" in add.last_error_message
    assert refreshed(participant).sync_state == SyncState.FAILED

    Conversation.objects.filter(pk=conversation.pk).update(timers_inactive="PT5M")
    assert sync_operations_retry(operations=[create]) == 2  # the blocked one comes along
    assert refreshed(create).state == refreshed(add).state == OperationState.SUCCEEDED
    assert refreshed(participant).sync_state == SyncState.SYNCED


def test_a_child_of_a_conversation_never_sent_waits_for_it(sim):
    conversation = Conversation.objects.create(friendly_name="local only")
    participant = Participant.objects.create(conversation=conversation, identity="ana")
    with transaction.atomic():
        op = sync_operation_queue(target=participant, operation="participant.add")
    op = refreshed(op)
    assert (op.state, op.attempts) == (OperationState.PENDING, 0) and "not on Twilio yet" in op.last_error_message


def test_workers_racing_over_one_conversation_keep_its_message_order(sim, held_tasks):
    with transaction.atomic():
        conversation = Conversation.objects.create(friendly_name="race")
        ops = [sync_operation_queue(target=conversation, operation="conversation.create")]
        messages = [Message.objects.create(conversation=conversation, body=f"m{n}") for n in range(12)]
        ops += [sync_operation_queue(target=m, operation="message.send") for m in messages]
    shuffled = random.Random(4).sample([op.pk for op in ops], len(ops))

    def worker(ids):
        try:
            for pk in ids:
                sync_operation_run(operation_id=pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(shuffled[n::3],)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drain()
    sent = {m.sid: m.index for m in SimMessage.objects.all()}
    assert [sent[refreshed(m).sid] for m in messages] == list(range(12))
