"""What the appliers share: reading Twilio's form values, locking and inserting
rows safely beside other workers, and the version rule.

Version rule: an event is a snapshot of a resource at its DateUpdated (at its
DateCreated for an ...Added event, which has no DateUpdated). It is applied
unless the mirror already holds a strictly newer version; an equal version
applies again and changes nothing, so replays are harmless.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conversations_ops.mirror.rules import LOCAL_CHANGE
from conversations_ops.models import Conversation, SyncState

DELETED = SyncState.DELETED_REMOTELY


class NotInMirrorYet(Exception):
    """The row the event belongs to is being pushed right now (no SID yet):
    the inbox applies the event again a few seconds later."""

    expected = True  # a normal wait, not an error worth a traceback


class KeyClash(Exception):
    """A natural key the event needs is held by a row with an unpushed staff change."""


# Twilio's form values ---------------------------------------------------------


def when(params, key: str):
    """An ISO-8601 timestamp (milliseconds and a trailing Z, as Twilio posts them), or None."""
    value = params.get(key)
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None


def number(params, key: str) -> int | None:
    try:
        return int(params.get(key))
    except (TypeError, ValueError):
        return None


def text_or_none(params, key: str) -> str | None:
    return params.get(key) or None


def json_list(value: str):
    """`Media` is a stringified JSON array; anything else is "unknown" (None)."""
    if not value:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def stamp(moment) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else "none"


def older(incoming, stored) -> bool:
    """True when the mirror holds a strictly newer version than the event.

    A row without a version (a placeholder) takes anything; an event without
    a version never beats a dated row.
    """
    if stored is None:
        return False
    return incoming is None or incoming < stored


def rank(row) -> tuple:
    """Who holds a natural key when two rows claim it: the newer version, then the SID (deterministic)."""
    return (row.date_updated is not None, row.date_updated or timezone.now(), row.sid)


def settle_natural_key(row, same, *, key: str, release: dict, drop) -> list[str]:
    """Twilio handed a natural key (unique name, binding, message index) to `row`
    while other rows of the mirror still claim it: the newest version keeps it.

    The holders are the other live rows matching `same` (a Q), locked. A losing
    holder gets `release` (field values); a losing `row` is passed to `drop`.
    A holder with an unpushed staff change is not overruled (KeyClash).
    """
    kind = row._meta.verbose_name
    holders = type(row).objects.select_for_update().filter(same).exclude(sync_state=DELETED).exclude(sid=row.sid)
    notes = []
    for holder in holders:
        if not holder.sid or holder.sync_state in LOCAL_CHANGE:
            raise KeyClash(
                f"{key} is held by {kind} {holder.sid or '(not on Twilio yet)'}, "
                f"which has a staff change not pushed yet"
            )
        if rank(holder) < rank(row):
            type(holder).objects.filter(pk=holder.pk).update(**release, updated_at=timezone.now())
            notes.append(f"{kind} {holder.sid} gave up {key} (Twilio gave it to {row.sid} later)")
        else:
            drop(row)
            notes.append(f"{key} not kept: {kind} {holder.sid} holds it in a newer version")
            break
    return notes


# Rows ---------------------------------------------------------------------------


def locked(model, sid: str):
    """The row with this SID, locked until the applier's transaction ends (a no-op on SQLite,
    whose IMMEDIATE transactions already serialise writers)."""
    return model.objects.select_for_update().filter(sid=sid).first()


def insert(row) -> bool:
    """INSERTs a new row; False when another worker stored the same SID first (re-read it then)."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
        return True
    except IntegrityError:
        if type(row).objects.filter(sid=row.sid).exists():
            return False
        raise


def values(row, fields) -> dict:
    return {name: getattr(row, name) for name in fields}


def changes(before: dict, row) -> list[str]:
    return [name for name, value in before.items() if getattr(row, name) != value]


def conversation_for(sid: str) -> Conversation:
    """The conversation a child event hangs on, created with only its SID when the
    mirror does not know it yet (its own event or the pull fills the rest)."""
    row = locked(Conversation, sid)
    if row is not None:
        return row
    row = Conversation(sid=sid, sync_state=SyncState.SYNCED)
    return row if insert(row) else locked(Conversation, sid)
