"""The rules the pull and the webhook appliers share about mirror rows.

- Which fields count: a row whose compared fields equal Twilio's is unchanged
  (bookkeeping such as `last_seen_at` never makes a change).
- Whose values win: a row pending or failed holds a staff change Twilio has
  not accepted yet (LOCAL_CHANGE); neither the pull nor a webhook overwrites it.
- Claims: a remote record carrying the natural key or the local id of a row
  still waiting for its SID is that row's Twilio copy; the push runner adopts
  it, so neither the pull nor a webhook stores it as a second row.
- Deletion: rows with a SID that Twilio no longer has become deleted_remotely.
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.utils import timezone

from conversations_ops.models import AddressConfiguration, Conversation, Message, Participant, SyncState

# The attribute the push writes on every message it sends (outbox/executors/messages.py): the
# mark a retried send looks for, and how a pull knows this console wrote a message.
LOCAL_ID_ATTRIBUTE = "ops_local_id"


def written_by_the_console(attributes: str) -> bool:
    """A message whose Twilio attributes carry our local id was sent by this console, whoever
    it is authored as (a pairing writes its invite as the courier)."""
    try:
        value = json.loads(attributes or "{}")
    except ValueError:
        return False
    return isinstance(value, dict) and LOCAL_ID_ATTRIBUTE in value


# Fields set on every row seen; they do not make a row "changed".
BOOKKEEPING = {"id", "local_id", "created_at", "updated_at", "last_synced_at", "last_seen_at"}
LOCAL_CHANGE = (SyncState.PENDING, SyncState.FAILED)
# Field groups that identify a record besides its SID (unique on the model).
NATURAL_KEYS = {
    AddressConfiguration: (("address",),),
    Conversation: (("unique_name",),),
    Participant: (("messaging_binding_address", "messaging_binding_proxy_address"), ("identity",)),
    Message: (("index",),),
}


def compared_fields(model) -> list[str]:
    """The fields whose change counts as a mirror change."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in BOOKKEEPING]


def mark_deleted(queryset) -> int:
    """Rows with a SID that Twilio no longer has become deleted_remotely (sticky:
    only a pull, which sees Twilio's list, revives a row)."""
    return (
        queryset.exclude(sid="")
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .update(sync_state=SyncState.DELETED_REMOTELY, updated_at=timezone.now())
    )


def unclaimed(model, rows: list, *, conversation=None) -> list:
    """`rows` (unsaved, built from Twilio's records) without those that are the
    Twilio copy of a local row still waiting for its SID."""
    if not rows:
        return rows
    scope = Q(conversation=conversation) if conversation is not None else Q()
    keys = NATURAL_KEYS.get(model, ())
    waiting = list(model.objects.filter(scope, sid="").values("local_id", *{f for k in keys for f in k}))
    if not waiting:
        return rows
    local_ids = [str(w["local_id"]) for w in waiting]
    claimed = {(key, tuple(w[f] for f in key)) for w in waiting for key in keys if w[key[0]] not in ("", None)}

    def is_claimed(row) -> bool:
        text = f"{getattr(row, 'attributes', '')} {getattr(row, 'unique_name', '')}"
        return any((key, tuple(getattr(row, f) for f in key)) in claimed for key in keys) or any(
            local_id in text for local_id in local_ids
        )

    return [row for row in rows if not is_claimed(row)]


def is_claimed(row, *, conversation=None) -> bool:
    """True when `row` (unsaved, built from a Twilio record) is a waiting local row's copy."""
    return not unclaimed(type(row), [row], conversation=conversation)
