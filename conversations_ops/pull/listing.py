"""Walking one Twilio list page by page, with a checkpoint after every committed page.

A listing is one (resource, scope) pair: scope is empty for account-wide
lists and the conversation SID for participants and messages. Its
`PullCheckpoint` keeps `next_page_url` and `started_at`.

Every listing of one pull run shares the run's `started_at`, and a resumed
run keeps it. So "finished in this run" is `started_at == run's started_at
and finished_at set`, a stopped listing continues at the page it had not
committed, and the final sweep knows which rows the whole run saw (rows seen
before the interruption carry the same `last_seen_at`).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import Sum
from django.utils import timezone

from conversations_ops.mirror.rules import mark_deleted
from conversations_ops.models import Conversation, PullCheckpoint, SyncState
from conversations_ops.pull.pages import Counts, store_page, sweep
from conversations_ops.twilio.gateway import PRODUCT_HOSTS, GatewayError
from conversations_ops.twilio.reads import read_with_retries

CONVERSATION_BATCH = 200


class OutOfTime(Exception):
    """The time budget ran out between two pages; the checkpoints hold the rest."""


def checkpoint_of(resource, scope: str = "") -> PullCheckpoint | None:
    return PullCheckpoint.objects.filter(resource=resource.name, scope=scope).first()


def finished_in_run(checkpoint: PullCheckpoint | None, started_at) -> bool:
    return checkpoint is not None and checkpoint.started_at == started_at and checkpoint.finished_at is not None


def _begin(resource, scope: str, started_at) -> PullCheckpoint:
    checkpoint, _ = PullCheckpoint.objects.update_or_create(
        resource=resource.name,
        scope=scope,
        defaults={"started_at": started_at, "next_page_url": "", "finished_at": None, "items": 0},
    )
    return checkpoint


def run_listing(
    resource,
    *,
    started_at,
    counts: Counts,
    progress,
    deadline=None,
    resume=True,
    conversation=None,
    retry_reads=False,
) -> None:
    """Lists one (resource, scope) to its end, continuing this run's checkpoint when there is one.

    `retry_reads`: staff wait for this listing ("Pull from Twilio", "Sync templates"), so a
    page read that meets a 429/5xx/timeout is tried again (twilio/reads.py). A page GET has
    no side effect; the scheduled pull leaves it off and resumes from the checkpoint next run.
    """
    scope = conversation.sid if conversation is not None else ""
    checkpoint = checkpoint_of(resource, scope)
    if resume and finished_in_run(checkpoint, started_at):
        return
    same_run = resume and checkpoint is not None and checkpoint.started_at == started_at
    if not (same_run and _reachable(checkpoint.next_page_url)):
        checkpoint = _begin(resource, scope, started_at)
    page_url = checkpoint.next_page_url or None
    while True:
        if deadline is not None and time.monotonic() > deadline:
            raise OutOfTime
        page = _read_page(resource, scope, page_url, retry_reads)
        with transaction.atomic():
            store_page(resource, page.records, seen_at=started_at, counts=counts, conversation=conversation)
            checkpoint.items += len(page.records)
            checkpoint.next_page_url = page.next_page_url or ""
            if not page.next_page_url:
                checkpoint.finished_at = timezone.now()
                counts.deleted += sweep(resource.model, started_at=started_at, conversation=conversation)
            checkpoint.save()
        # With DEBUG on, Django keeps every query of a command: keep memory flat.
        reset_queries()
        progress(resource.name, len(page.records))
        if not page.next_page_url:
            return
        page_url = page.next_page_url


def _read_page(resource, scope: str, page_url, retry_reads: bool):
    def read():
        return resource.fetch(scope or None, page_url)

    return read_with_retries(read) if retry_reads else read()


def _reachable(page_url: str) -> bool:
    """A stored page URL is used only if it still leads to this account's API.

    In simulator mode the URL holds the server's port; after a restart on
    another PORT it would point nowhere, so that listing starts over instead.
    """
    if not page_url:
        return False
    base = settings.TWILIO_API_BASE_URL
    prefixes = [f"{host}/" for host in PRODUCT_HOSTS] + ([f"{base}/"] if base else [])
    return any(page_url.startswith(prefix) for prefix in prefixes)


def run_nested_pass(
    resource, *, started_at, counts: Counts, progress, deadline=None, resume=True, retry_reads=False
) -> None:
    """Lists `resource` inside every conversation on Twilio, one checkpoint per conversation.

    The pass has its own checkpoint (scope ""); a resumed pass skips the
    conversations finished in this run and continues the one it was in.
    """
    pass_checkpoint = checkpoint_of(resource)
    if not (resume and pass_checkpoint is not None and pass_checkpoint.started_at == started_at):
        pass_checkpoint = _begin(resource, "", started_at)
    for conversation in _conversations_on_twilio():
        try:
            run_listing(
                resource,
                started_at=started_at,
                counts=counts,
                progress=progress,
                deadline=deadline,
                resume=resume,
                conversation=conversation,
                retry_reads=retry_reads,
            )
        except GatewayError as exc:
            if exc.status != 404:
                raise
            # Deleted on Twilio since the conversations were listed.
            mark_deleted(Conversation.objects.filter(pk=conversation.pk))
    with transaction.atomic():
        # What lived in a conversation Twilio deleted is gone with it.
        gone = resource.model.objects.filter(conversation__sync_state=SyncState.DELETED_REMOTELY)
        counts.deleted += mark_deleted(gone)
        inner = PullCheckpoint.objects.filter(resource=resource.name, started_at=started_at).exclude(scope="")
        pass_checkpoint.items = inner.aggregate(total=Sum("items"))["total"] or 0
        pass_checkpoint.finished_at = timezone.now()
        pass_checkpoint.save()


def _conversations_on_twilio():
    """Keyset batches by pk: bounded memory, no long-lived cursor across writes."""
    last_pk = 0
    while True:
        batch = list(
            Conversation.objects.exclude(sid="")
            .exclude(sync_state=SyncState.DELETED_REMOTELY)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "sid")[:CONVERSATION_BATCH]
        )
        if not batch:
            return
        yield from batch
        last_pk = batch[-1].pk
