"""onMessageAdded in bulk: the busy inbox's common case in a handful of queries.

One by one, an event costs ~14 queries (apply_snapshot: lock the conversation,
look the message up, the claim check, the index guard, the direction, a
savepoint, the INSERT, the event's own bookkeeping): ~6 ms of ORM work, 20x
the cost of recording it. A run of new-message events is instead applied
together when none of them needs the one-event rules:

- its conversation is in the mirror (a placeholder or the real thing), or
  is not and gets its placeholder here (only its SID, as conversation_for
  makes it one by one: the first message of every new conversation would
  otherwise take the slow path, ~11 ms on PostgreSQL under load),
- its message is not (by SID), and no other event of the run names it,
- no message of that conversation waits for its SID (a push in flight:
  the claim check),
- its index is free in that conversation, also within the run.

Those are the conditions under which apply_snapshot only builds the row from
the event and INSERTs it; this module only decides which events qualify and
builds their rows with the same builders (snapshots.new_row,
messages.fill_message), so the rows are the same (tests compare both paths).
Every other event goes through the one-by-one applier.

Two steps, so the write lock is held only for the writing: `plan` reads and
builds the rows outside any transaction; `store` INSERTs them in the caller's
(short) transaction after re-checking, under row locks, that the
conversations have not changed state meanwhile, and answers False, having
written nothing, when they have or when another writer took a SID or an
index first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from conversations_ops.models import Conversation, Message, Participant, SyncState
from conversations_ops.webhooks.attribution import attribution_enqueue_on_commit, may_be_a_template
from conversations_ops.webhooks.parsing import EventParams

from .common import DELETED
from .messages import fill_message, message_remote
from .snapshots import new_row

EVENT_TYPE = "onMessageAdded"


@dataclass
class Plan:
    rows: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)  # event id -> what staff read on the event
    left: list = field(default_factory=list)  # events for the one-by-one applier
    states: dict = field(default_factory=dict)  # conversation pk -> sync_state the rows were built for
    new_conversations: dict = field(default_factory=dict)  # SID -> unsaved placeholder the rows hang on
    from_clients: set = field(default_factory=set)  # message SIDs that may be templates: fetched (attribution)


def plan(events) -> Plan:
    """Reads what the run needs (five queries) and builds its rows; writes nothing."""
    parsed = [(event, message_remote(EventParams(event.params))) for event in events]
    conversations = {
        row.sid: row
        for row in Conversation.objects.filter(sid__in={remote.conversation_sid for _, remote in parsed}).only(
            "pk", "sid", "sync_state"
        )
    }
    ids = [row.pk for row in conversations.values()]
    known = set(Message.objects.filter(sid__in=[remote.sid for _, remote in parsed]).values_list("sid", flat=True))
    waiting = set(Message.objects.filter(conversation_id__in=ids, sid="").values_list("conversation_id", flat=True))
    taken = set(
        Message.objects.filter(conversation_id__in=ids, index__in={r.index for _, r in parsed if r.index is not None})
        .exclude(sync_state=DELETED)
        .values_list("conversation_id", "index")
    )
    people = set(
        Participant.objects.filter(conversation_id__in=ids)
        .exclude(messaging_binding_address="")
        .values_list("conversation_id", "messaging_binding_address")
    )
    result = Plan()
    for event, remote in parsed:
        conversation = conversations.get(remote.conversation_sid)
        if conversation is None and remote.conversation_sid:
            # Unknown to the mirror: a placeholder with only its SID, written by store().
            conversation = result.new_conversations.setdefault(
                remote.conversation_sid, Conversation(sid=remote.conversation_sid, sync_state=SyncState.SYNCED)
            )
        slot = (conversation.pk or conversation.sid if conversation else None, remote.index)
        if (
            conversation is None
            or remote.sid in known
            or conversation.pk in waiting
            or remote.index is None
            or slot in taken
        ):
            result.left.append(event)
            continue
        known.add(remote.sid)
        taken.add(slot)
        person = (conversation.pk, remote.author or "") in people
        row = new_row(
            Message,
            sid=remote.sid,
            fill=lambda row, remote=remote, person=person: fill_message(row, remote, written_by_a_person=person),
            conversation=conversation,
            gone=conversation.sync_state == DELETED,
        )
        gone = " (deleted on Twilio)" if row.sync_state == DELETED else ""
        result.rows.append(row)
        source = EventParams(event.params).get("Source")
        if row.sync_state != DELETED and may_be_a_template(
            source=source, attributes=remote.attributes, direction=row.direction
        ):
            result.from_clients.add(row.sid)
        if conversation.pk is not None:
            result.states[conversation.pk] = conversation.sync_state
        result.outcomes[event.pk] = f"message {row.sid} stored (index {row.index}){gone}"
    return result


def store(planned: Plan) -> bool:
    """INSERTs the planned rows; call it inside a transaction. False: nothing written,
    the events go one by one (which re-read and settle each)."""
    if not planned.rows:
        return True
    now = dict(
        Conversation.objects.select_for_update()
        .filter(pk__in=planned.states)
        .order_by("pk")
        .values_list("pk", "sync_state")
    )
    if now != planned.states:
        return False  # a conversation was removed (or is gone) since the plan was read
    if Conversation.objects.filter(sid__in=planned.new_conversations).exists():
        return False  # another writer stored one of the new conversations meanwhile
    try:
        with transaction.atomic():
            # Their primary keys come back from the INSERT and the rows pick them up.
            Conversation.objects.bulk_create(planned.new_conversations.values())
            Message.objects.bulk_create(planned.rows)
    except IntegrityError:
        return False  # another writer stored one of the messages, or an index, meanwhile
    # Their primary keys came back from the INSERT (as for the one-by-one applier: after the commit).
    attribution_enqueue_on_commit(row.pk for row in planned.rows if row.sid in planned.from_clients)
    return True
