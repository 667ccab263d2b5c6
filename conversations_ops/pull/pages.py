"""Writing one pulled page into the mirror, and marking what Twilio no longer has.

Rules (what a pull may overwrite; the ones webhooks share live in mirror.rules):
- A row is matched by SID only. Rows without a SID (not on Twilio yet) are
  never written by a pull; a remote record that carries the natural key or
  the local id of such a row is skipped, so the push runner can adopt it
  without a duplicate row.
- A row whose sync_state is pending or failed holds a staff change Twilio
  has not accepted yet: the pull keeps its values, state and error (only
  `last_seen_at` moves). The push, or "Retry failed", settles it.
- A row whose mapped fields already equal Twilio's is not written at all
  (`updated_at` stays); only `last_seen_at` is set, in one UPDATE per page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from conversations_ops.mirror.rules import LOCAL_CHANGE, compared_fields, mark_deleted, unclaimed

logger = logging.getLogger(__name__)


@dataclass
class Counts:
    items: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0  # kept local values (pending/failed) or a local row not yet given its SID
    conflicts: int = 0  # refused by a unique constraint; logged, retried next pull
    complete: bool = True

    def add(self, other: Counts) -> None:
        for name in ("items", "created", "updated", "unchanged", "deleted", "skipped", "conflicts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.complete = self.complete and other.complete


def store_page(resource, records, *, seen_at, counts: Counts, conversation=None) -> None:
    """Upserts one page; the caller wraps it (and its checkpoint) in one transaction."""
    model, fields = resource.model, compared_fields(resource.model)
    existing = {row.sid: row for row in model.objects.filter(sid__in=[r.sid for r in records])}
    new, changed, seen_only = [], [], []
    for remote in records:
        row = existing.get(remote.sid)
        if row is None:
            row = model(conversation=conversation) if conversation is not None else model()
            resource.apply(row, remote, seen_at=seen_at)
            new.append(row)
        elif row.sync_state in LOCAL_CHANGE:
            seen_only.append(row.pk)
            counts.skipped += 1
        else:
            before = [getattr(row, name) for name in fields]
            resource.apply(row, remote, seen_at=seen_at)
            if [getattr(row, name) for name in fields] == before:
                seen_only.append(row.pk)
                counts.unchanged += 1
            else:
                row.updated_at = timezone.now()  # bulk_update does not run auto_now
                changed.append(row)
    kept = unclaimed(model, new, conversation=conversation)
    counts.skipped += len(new) - len(kept)
    new = kept
    if new and resource.complete_new:
        resource.complete_new(new, conversation)
    _write(model, new, changed, [*fields, "updated_at", "last_synced_at", "last_seen_at"], counts)
    if (new or changed) and resource.after_store and conversation is not None:
        resource.after_store(conversation)
    model.objects.filter(pk__in=seen_only).update(last_seen_at=seen_at)
    counts.items += len(records)


def _write(model, new, changed, update_fields, counts: Counts) -> None:
    try:
        with transaction.atomic():
            model.objects.bulk_create(new)
            model.objects.bulk_update(changed, update_fields)
    except IntegrityError:
        # A unique key (address, unique name, binding) still held by a stale
        # local row: write row by row so one clash does not stop the pull.
        new, changed = _one_by_one(new, changed, update_fields, counts)
    counts.created += len(new)
    counts.updated += len(changed)


def _one_by_one(new, changed, update_fields, counts: Counts):
    written = ([], [])
    for rows, save, out in (
        (new, lambda r: r.save(), written[0]),
        (changed, lambda r: r.save(update_fields=update_fields), written[1]),
    ):
        for row in rows:
            try:
                with transaction.atomic():
                    save(row)
                out.append(row)
            except IntegrityError as exc:
                counts.conflicts += 1
                logger.warning("Pull could not store %s %s: %s", type(row).__name__, row.sid, exc)
    return written


def sweep(model, *, started_at, conversation=None) -> int:
    """After a complete listing: rows it did not see are gone from Twilio.

    Rows first stored after the listing began (a push or webhook meanwhile)
    are not evidence of anything, hence the created_at guard.
    """
    scope = model.objects.filter(conversation=conversation) if conversation is not None else model.objects.all()
    unseen = Q(last_seen_at__lt=started_at) | Q(last_seen_at__isnull=True, created_at__lt=started_at)
    return mark_deleted(scope.filter(unseen))
