"""Applying one "snapshot" event (…Added / …Updated / …Removed) to its mirror row.

The one algorithm behind the conversation, participant and message appliers:

1. the row with the event's SID, locked; none yet: build it from the event,
   unless it is the Twilio copy of a local row waiting for its SID (the push
   runner adopts that one), and INSERT it (a concurrent worker that inserted
   first wins; the row is then re-read and updated instead);
2. a row pending a staff push keeps its values (a Removed still marks it deleted);
3. the event's fields are copied unless the mirror already holds a strictly
   newer version (DateUpdated);
4. deleted_remotely is sticky: a Removed event (or a removed conversation)
   sets it and no later or earlier event clears it. Fields still follow the
   newest version, so every order of the same events ends in the same row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from conversations_ops.mirror.rules import LOCAL_CHANGE, compared_fields, is_claimed
from conversations_ops.models import Conversation

from .common import (
    DELETED,
    changes,
    insert,
    locked,
    older,
    stamp,
    values,
)


@dataclass
class Snapshot:
    model: type
    label: str  # "conversation", "participant", "message"
    sid: str
    version: datetime | None
    fill: Callable  # (row) -> None: copies the event's fields onto the row
    removed: bool = False
    conversation: Conversation | None = None
    # (row) -> [notes]: settles natural keys (unique name, binding, index) another row holds
    settle_keys: Callable | None = None
    # (row) -> [notes]: what follows once the row is saved (cascades, message directions)
    after: Callable | None = None
    detail: Callable = field(default=lambda row: "")


def apply_snapshot(s: Snapshot) -> str:
    row = locked(s.model, s.sid)
    if row is None:
        outcome = _create(s)
        if outcome is not None:
            return outcome
        row = locked(s.model, s.sid)  # another worker inserted it meanwhile
    return _update(s, row)


def _gone(s: Snapshot) -> bool:
    return s.removed or (s.conversation is not None and s.conversation.sync_state == DELETED)


def _join(head: str, notes: list[str]) -> str:
    return "; ".join([head, *[note for note in notes if note]])


def new_row(model, *, sid: str, fill: Callable, conversation=None, gone: bool = False):
    """A row built from an event, not saved yet (the one-by-one and the bulk appliers')."""
    row = model(conversation=conversation) if conversation is not None else model()
    fill(row)
    row.sid, row.last_seen_at = sid, None  # last_seen_at belongs to the pull's listings
    if gone:
        row.sync_state = DELETED
    return row


def _create(s: Snapshot) -> str | None:
    row = new_row(s.model, sid=s.sid, fill=s.fill, conversation=s.conversation, gone=_gone(s))
    if is_claimed(row, conversation=s.conversation):
        return (
            f"skipped: {s.label} {s.sid} is the Twilio copy of a local row still waiting for its SID "
            f"(the push runner adopts it)"
        )
    notes = s.settle_keys(row) if s.settle_keys else []
    if not insert(row):
        return None
    notes += s.after(row) if s.after else []
    gone = " (deleted on Twilio)" if row.sync_state == DELETED else ""
    return _join(f"{s.label} {s.sid} stored{s.detail(row)}{gone}", notes)


def _update(s: Snapshot, row) -> str:
    if row.sync_state in LOCAL_CHANGE:
        if not _gone(s):
            return f"skipped: {s.label} {s.sid} holds a staff change not pushed yet (the push settles it)"
        type(row).objects.filter(pk=row.pk).update(sync_state=DELETED)
        return f"{s.label} {s.sid} marked deleted on Twilio; its unpushed local change is kept"
    fields = compared_fields(s.model)
    before, was_deleted, notes = values(row, fields), row.sync_state == DELETED, []
    if older(s.version, row.date_updated):
        notes.append(
            f"fields kept: mirror already newer (DateUpdated {stamp(row.date_updated)} > event {stamp(s.version)})"
        )
    else:
        seen_at = row.last_seen_at
        s.fill(row)
        row.last_seen_at = seen_at
    if was_deleted or _gone(s):
        row.sync_state = DELETED
    if s.settle_keys and not notes:
        notes += s.settle_keys(row)
    changed = changes(before, row)
    if changed:
        row.save()
    notes += s.after(row) if s.after else []
    if not changed:
        head = f"{s.label} {s.sid} unchanged"
        if notes and notes[0].startswith("fields kept"):
            head, notes[0] = f"skipped: {s.label} {s.sid}: {notes[0].removeprefix('fields kept: ')}", ""
        return _join(head, notes)
    state = " (deleted on Twilio)" if row.sync_state == DELETED and not was_deleted else ""
    return _join(f"{s.label} {s.sid} updated{s.detail(row)}{state}: {', '.join(changed)}", notes)
