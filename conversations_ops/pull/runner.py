"""Pull (Twilio -> console): list Twilio's resources page by page and make the mirror exact.

Webhooks are best effort; this is what corrects the mirror. Memory stays
flat however large the account is: one page is held at a time, and rows are
looked up, created and updated per page (see pull_pages for what a pull may
overwrite, pull_listing for checkpoints and resuming).

Entry points: `twilio_pull` (command and schedule), `pull_scheduled` (the
django-q2 schedule), and the admin's per-object "Pull from Twilio":
`pull_conversation`, `pull_address_configuration`, `pull_template`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from conversations_ops.audit.entries import audited, summary_detail
from conversations_ops.mirror.rules import mark_deleted
from conversations_ops.models import PullCheckpoint
from conversations_ops.pull import configuration
from conversations_ops.pull.listing import (
    OutOfTime,
    checkpoint_of,
    finished_in_run,
    run_listing,
    run_nested_pass,
)
from conversations_ops.pull.pages import Counts, store_page
from conversations_ops.pull.resources import RESOURCE_NAMES, RESOURCES
from conversations_ops.twilio import gateway
from conversations_ops.twilio.reads import read_with_retries

logger = logging.getLogger(__name__)

# The listings (pull/resources.py), then the account's /v1/Configuration (one GET, pull/configuration.py).
PULL_NAMES = (*RESOURCE_NAMES, configuration.NAME)

# django-q2 kills a task after Q_CLUSTER["timeout"] (60 s) and the ORM broker
# hands it to a second worker after "retry" (90 s): a scheduled pull stops
# well before, and the next run resumes from the checkpoints.
SCHEDULED_TIME_BUDGET = 45.0


@dataclass
class PullSummary:
    resources: dict[str, Counts] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(counts.complete for counts in self.resources.values())

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated + c.deleted for c in self.resources.values())

    def line(self, name: str) -> str:
        c = self.resources[name]
        extra = "".join(f", {n} {label}" for n, label in ((c.skipped, "skipped"), (c.conflicts, "conflicts")) if n)
        status = "" if c.complete else " (stopped; the next pull resumes)"
        return (
            f"{name}: {c.items} read, {c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
            f"{c.deleted} deleted{extra}{status}"
        )

    def __str__(self) -> str:
        return "\n".join(self.line(name) for name in self.resources)


def _no_progress(resource: str, items: int) -> None:
    pass


# Audited when staff or a shell start it (the command, "Sync templates"); the schedule is not.
@audited(
    "pull.run",
    asked=lambda kwargs: {"resources": list(kwargs.get("resources", PULL_NAMES))},
    answered=summary_detail,
)
def twilio_pull(
    *, resources=PULL_NAMES, progress=None, resume=True, time_budget=None, retry_reads=False
) -> PullSummary:
    """Pulls `resources` in dependency order; `progress(resource, items_on_page)` after each page.

    With `resume`, a run that was stopped (error, Ctrl-C, time budget) is
    continued with its own started_at: listings it finished are not read
    again, the one it was in continues from its checkpoint. `time_budget`
    (seconds) stops between two pages. `retry_reads`: staff wait for this run, so a page
    read meeting a 429/5xx/timeout is tried again (twilio/reads.py).
    """
    unknown = set(resources) - set(PULL_NAMES)
    if unknown:
        raise ValueError(f"Unknown resources {sorted(unknown)}; choose from {', '.join(PULL_NAMES)}")
    selected = [RESOURCES[name] for name in RESOURCE_NAMES if name in resources]
    started_at = _interrupted_run(selected) if resume else None
    started_at = started_at or timezone.now()
    progress = progress or _no_progress
    deadline = time.monotonic() + time_budget if time_budget is not None else None
    summary = PullSummary()
    for resource in selected:
        if resume and finished_in_run(checkpoint_of(resource), started_at):
            continue
        counts = summary.resources[resource.name] = Counts()
        progress(resource.name, 0)
        run = run_nested_pass if resource.nested else run_listing
        try:
            run(
                resource,
                started_at=started_at,
                counts=counts,
                progress=progress,
                deadline=deadline,
                resume=resume,
                retry_reads=retry_reads,
            )
        except OutOfTime:
            counts.complete = False
            return summary
    if configuration.NAME in resources:
        progress(configuration.NAME, 0)
        summary.resources[configuration.NAME] = configuration.account_configuration_pull(retry_reads=retry_reads)
        progress(configuration.NAME, 1)
    return summary


def _interrupted_run(selected):
    """started_at of the latest run that left one of these listings unfinished, if any."""
    names = [resource.name for resource in selected]
    latest = (
        PullCheckpoint.objects.filter(resource__in=names, scope="", finished_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    return latest.started_at if latest else None


def pull_scheduled() -> str:
    """The django-q2 schedule's function: one time-boxed, resuming pull; returns the summary text."""
    summary = twilio_pull(resume=True, time_budget=SCHEDULED_TIME_BUDGET)
    logger.info("Scheduled pull:\n%s", summary)
    return str(summary)


# Per-object refresh ("Pull from Twilio" in the admin) -----------------------


def _refresh_one(resource_name: str, row, fetch) -> Counts:
    """Fetches one record and stores it with the pull's rules; a 404 marks the row deleted_remotely.

    Staff wait for it, so the read is retried on a 429/5xx/timeout (twilio/reads.py); a 404 is not.
    """
    counts = Counts()
    if not row.sid:
        return counts  # not on Twilio yet: nothing to pull
    try:
        remote = read_with_retries(fetch)
    except gateway.GatewayError as exc:
        if exc.status != 404:
            raise
        counts.deleted += mark_deleted(type(row).objects.filter(pk=row.pk))
        return counts
    with transaction.atomic():
        store_page(RESOURCES[resource_name], [remote], seen_at=timezone.now(), counts=counts)
    row.refresh_from_db()
    return counts


def pull_address_configuration(*, address_configuration) -> PullSummary:
    counts = _refresh_one(
        "addresses", address_configuration, lambda: gateway.address_configuration_fetch(sid=address_configuration.sid)
    )
    return PullSummary({"addresses": counts})


def pull_template(*, template) -> PullSummary:
    def fetch():
        # Content fetch has no approval; without it the pull would erase the row's approval fields.
        remote = gateway.content_fetch(sid=template.sid)
        return dataclasses.replace(remote, approval=gateway.content_approval_fetch(sid=template.sid))

    return PullSummary({"templates": _refresh_one("templates", template, fetch)})


def pull_conversation(*, conversation) -> PullSummary:
    """The conversation, then all its participants and messages (with deletions)."""
    summary = PullSummary(
        {
            "conversations": _refresh_one(
                "conversations", conversation, lambda: gateway.conversation_fetch(sid=conversation.sid)
            )
        }
    )
    if summary.resources["conversations"].deleted:
        for name in ("participants", "messages"):
            deleted = mark_deleted(RESOURCES[name].model.objects.filter(conversation=conversation))
            summary.resources[name] = Counts(deleted=deleted)
        return summary
    if not conversation.sid:
        return summary
    for name in ("participants", "messages"):
        counts = summary.resources[name] = Counts()
        run_listing(
            RESOURCES[name],
            started_at=timezone.now(),
            counts=counts,
            progress=_no_progress,
            resume=False,
            conversation=conversation,
            retry_reads=True,
        )
    return summary
