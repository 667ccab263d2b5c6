"""The outbox is the truth: the sweep rescues dead workers' operations, twilio_push runs what is due,
and "Retry failed" really runs failed operations again."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from conversations_ops.models import Conversation, Message, OperationState, SyncOperation, SyncState
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.outbox.runner import sync_operation_run, sync_push_due, sync_sweep
from simulator.models import SimConversation, SimMessage
from tests.sync.helpers import queue, refreshed

pytestmark = pytest.mark.slow


def _queued(*rows, operation="conversation.create"):
    with transaction.atomic():
        return [sync_operation_queue(target=row, operation=operation) for row in rows]


def test_the_sweep_hands_a_dead_workers_operation_back_and_it_adopts_the_first_try(sim, held_tasks):
    row = Conversation.objects.create(friendly_name="orphan")
    (op,) = _queued(row)
    # A worker claimed it, got it made on Twilio, and died before recording it.
    from conversations_ops.twilio import gateway

    made = gateway.conversation_create(unique_name=f"ops-{row.local_id}", friendly_name="orphan")
    SyncOperation.objects.filter(pk=op.pk).update(
        state=OperationState.RUNNING, locked_until=timezone.now() - timedelta(seconds=1)
    )
    held_tasks.clear()
    assert sync_sweep() == {"reclaimed": 1, "enqueued": 1}
    assert held_tasks == [op.pk]
    op = refreshed(op)
    assert (op.state, op.outcome_unknown) == (OperationState.PENDING, True)
    sync_operation_run(operation_id=op.pk)
    assert (refreshed(op).state, refreshed(row).sid) == (OperationState.SUCCEEDED, made.sid)
    assert SimConversation.objects.count() == 1


def test_the_sweep_leaves_live_leases_and_future_retries_alone(sim, held_tasks):
    running, later, due = _queued(*(Conversation.objects.create() for _ in range(3)))
    SyncOperation.objects.filter(pk=running.pk).update(
        state=OperationState.RUNNING, locked_until=timezone.now() + timedelta(seconds=60)
    )
    SyncOperation.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=60))
    held_tasks.clear()
    assert sync_sweep() == {"reclaimed": 0, "enqueued": 1}
    assert held_tasks == [due.pk]


def test_the_sweep_enqueues_only_the_head_of_each_conversation(sim, held_tasks):
    conversation = Conversation.objects.create()
    with transaction.atomic():
        head = sync_operation_queue(target=conversation, operation="conversation.create")
        for n in range(3):
            sync_operation_queue(
                target=Message.objects.create(conversation=conversation, body=f"{n}"), operation="message.send"
            )
    held_tasks.clear()
    assert sync_sweep()["enqueued"] == 1 and held_tasks == [head.pk]


def test_a_claimed_operation_is_not_run_twice(sim, held_tasks):
    (op,) = _queued(Conversation.objects.create())
    SyncOperation.objects.filter(pk=op.pk).update(
        state=OperationState.RUNNING, locked_until=timezone.now() + timedelta(seconds=60)
    )
    assert sync_operation_run(operation_id=op.pk).state == OperationState.RUNNING
    assert not SimConversation.objects.exists()


def test_push_due_runs_everything_due_in_order(sim, held_tasks):
    conversation = Conversation.objects.create()
    with transaction.atomic():
        sync_operation_queue(target=conversation, operation="conversation.create")
        for n in range(3):
            sync_operation_queue(
                target=Message.objects.create(conversation=conversation, body=f"m{n}"), operation="message.send"
            )
    summary = sync_push_due()
    assert (summary.succeeded, summary.failed, summary.pending) == (4, 0, 0)
    assert list(SimMessage.objects.order_by("index").values_list("body", flat=True)) == ["m0", "m1", "m2"]


def test_push_due_finishes_a_queue_longer_than_one_tasks_budget(sim, held_tasks, settings):
    settings.SYNC_LEASE_SECONDS = 2  # a 1 s budget: each task runs about one operation
    conversation = Conversation.objects.create()
    with transaction.atomic():
        sync_operation_queue(target=conversation, operation="conversation.create")
        for n in range(8):
            sync_operation_queue(
                target=Message.objects.create(conversation=conversation, body=f"m{n}"), operation="message.send"
            )
    summary = sync_push_due()
    assert (summary.succeeded, summary.pending) == (9, 0)
    assert SimMessage.objects.count() == 8


def test_twilio_push_prints_failures_with_twilios_code_and_exits_1(sim, held_tasks):
    _queued(Conversation.objects.create(friendly_name="fine"), Conversation.objects.create(timers_closed="PT1M"))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("twilio_push", stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert "1 succeeded, 1 failed" in str(caught.value)
    assert "[50376]" in err.getvalue() and "conversation.create" in err.getvalue()


def test_twilio_push_exits_0_when_all_went_through(sim, held_tasks):
    _queued(Conversation.objects.create())
    out = StringIO()
    call_command("twilio_push", stdout=out)
    assert "1 succeeded, 0 failed, 0 pending" in out.getvalue()


def test_retry_failed_really_calls_twilio_again(sim):
    row = Conversation.objects.create(timers_closed="PT1M")
    op = queue(row, "conversation.create")
    assert refreshed(row).sync_state == SyncState.FAILED
    Conversation.objects.filter(pk=row.pk).update(timers_closed="PT20M")
    from conversations_ops.outbox.runner import sync_operations_retry

    assert sync_operations_retry(operations=SyncOperation.objects.filter(pk=op.pk)) == 1
    assert refreshed(op).state == OperationState.SUCCEEDED and refreshed(row).sync_state == SyncState.SYNCED
    assert SimConversation.objects.get().timers_closed == "PT20M"


@pytest.mark.django_db
def test_schedule_setup_is_idempotent():
    out = StringIO()
    call_command("sync_schedule_setup", stdout=out)
    call_command("sync_schedule_setup", stdout=out)
    (sweep,) = Schedule.objects.filter(name="sync-sweep")
    assert (sweep.func, sweep.schedule_type, sweep.minutes) == ("conversations_ops.tasks.sync_sweep", "I", 1)
    Schedule.objects.filter(pk=sweep.pk).update(minutes=5)
    call_command("sync_schedule_setup", stdout=out)
    assert Schedule.objects.get(name="sync-sweep").minutes == 1
    assert "updated sync-sweep" in out.getvalue()
    (pull,) = Schedule.objects.filter(name="twilio-pull")
    assert (pull.func, pull.minutes) == ("conversations_ops.tasks.twilio_pull_scheduled", 10)


@pytest.mark.django_db
def test_the_tasks_take_primary_keys_and_return_nothing(monkeypatch):
    from conversations_ops import tasks

    seen = []
    monkeypatch.setattr(tasks.sync_runner, "sync_operation_run", lambda **kw: seen.append(kw))
    monkeypatch.setattr(tasks.sync_runner, "sync_sweep", lambda: seen.append("sweep"))
    assert tasks.sync_operation_run(7) is None and tasks.sync_sweep() is None
    assert seen == [{"operation_id": 7}, "sweep"]
