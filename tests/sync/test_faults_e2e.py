"""With 20% of Twilio calls failing (429, 500, 503, timeouts, lost answers), every
operation still ends succeeded and Twilio holds no duplicates; and the console's
own pacing never trips Twilio's 30 actions/s limit."""

import json
import time
from collections import Counter

import pytest
import requests
from django.db import transaction

from conversations_ops.models import Conversation, Message, OperationState, Participant, SyncOperation, SyncState
from conversations_ops.outbox.queue import sync_operation_queue
from simulator.models import SimConversation, SimMessage, SimParticipant
from tests.sync.helpers import BUSINESS_SMS, BUSINESS_WA, drain, faults, queue, rate_limited

pytestmark = pytest.mark.slow


def _queue_conversation(n: int) -> None:
    """What a pairing does: a conversation, two people, three messages, one transaction."""
    with transaction.atomic():
        conversation = Conversation.objects.create(friendly_name=f"Order {n}")
        sync_operation_queue(target=conversation, operation="conversation.create")
        people = [
            Participant.objects.create(
                conversation=conversation,
                messaging_binding_address=f"whatsapp:+1500555{n:04d}",
                messaging_binding_proxy_address=BUSINESS_WA,
            ),
            Participant.objects.create(
                conversation=conversation,
                messaging_binding_address=f"+1500666{n:04d}",
                messaging_binding_proxy_address=BUSINESS_SMS,
            ),
        ]
        for person in people:
            sync_operation_queue(target=person, operation="participant.add")
        for k in range(3):
            message = Message.objects.create(conversation=conversation, body=f"Update {k} for order {n}")
            sync_operation_queue(target=message, operation="message.send")


def test_every_operation_succeeds_once_despite_faults(sim, settings):
    # The client's timeout is what a held answer must outlast; it is also what a request the loaded machine
    # merely serves slowly must not reach: at 1 s such a request could time out, be looked for before the
    # simulator committed it, and be sent again (a duplicate the faults did not cause).
    settings.TWILIO_HTTP_TIMEOUT = 2.0
    faults(sim, {"rate": 0.2, "kinds": ["429", "500", "503", "timeout", "lost_response"], "timeout_s": 2.5, "seed": 3})
    for n in range(10):
        _queue_conversation(n)
    drain(timeout=240)
    injected = requests.get(f"{sim.api_base}/_control/faults", timeout=10).json()["counters"]
    faults(sim, None)

    assert sum(injected.values()) >= 10, injected  # the faults really happened
    states = Counter(SyncOperation.objects.values_list("state", flat=True))
    unfinished = SyncOperation.objects.exclude(state=OperationState.SUCCEEDED).values_list(
        "pk", "operation", "state", "attempts", "last_error_status", "last_error_message"
    )
    assert states == {OperationState.SUCCEEDED: 60}, list(unfinished)
    assert SyncOperation.objects.filter(outcome_unknown=True).exists()  # some answers were lost on the way
    # Zero duplicates: exactly what the mirror holds, once.
    assert SimConversation.objects.count() == 10
    assert SimParticipant.objects.count() == 20
    assert SimMessage.objects.count() == 30
    marks = Counter(json.loads(m.attributes)["ops_local_id"] for m in SimMessage.objects.all())
    assert set(marks.values()) == {1}
    for model in (Conversation, Participant, Message):
        assert set(model.objects.values_list("sync_state", flat=True)) == {SyncState.SYNCED}
    sids = set(SimConversation.objects.values_list("sid", flat=True))
    assert set(Conversation.objects.values_list("sid", flat=True)) == sids
    assert set(Message.objects.values_list("sid", flat=True)) == set(SimMessage.objects.values_list("sid", flat=True))
    # Each conversation's messages landed in the order they were queued.
    for conversation in Conversation.objects.all():
        bodies = list(
            SimMessage.objects.filter(conversation__sid=conversation.sid)
            .order_by("index")
            .values_list("body", flat=True)
        )
        assert bodies == [f"Update {k} for {conversation.friendly_name.lower()}" for k in range(3)]


def test_one_hundred_messages_to_one_conversation_cause_no_429(sim):
    conversation = Conversation.objects.create(friendly_name="hot")
    queue(conversation, "conversation.create")
    started = time.monotonic()
    with transaction.atomic():
        for n in range(100):
            sync_operation_queue(
                target=Message.objects.create(conversation=conversation, body=f"#{n}"), operation="message.send"
            )
    elapsed = time.monotonic() - started
    drain()
    assert rate_limited(sim) == 0
    assert not SyncOperation.objects.filter(last_error_status=429).exists()
    assert SimMessage.objects.count() == 100
    assert elapsed >= (100 - 30) / 30  # paced: no faster than Twilio allows


def test_workers_creating_conversations_in_parallel_share_the_service_pace(sim, held_tasks):
    import threading

    from django.db import connection

    from conversations_ops.models import PacingBucket
    from conversations_ops.outbox.runner import sync_operation_run

    with transaction.atomic():
        for n in range(60):
            sync_operation_queue(
                target=Conversation.objects.create(friendly_name=f"c{n}"), operation="conversation.create"
            )
    ids = list(held_tasks)

    def worker(part):
        try:
            for pk in part:
                sync_operation_run(operation_id=pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(ids[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drain()
    assert rate_limited(sim) == 0
    assert SimConversation.objects.count() == 60
    assert PacingBucket.objects.filter(key="service:default").exists()
