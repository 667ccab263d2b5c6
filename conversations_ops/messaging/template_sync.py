"""Template sync: the template pull (ContentAndApprovals), then the status history and alerts.

The pull machinery does the listing, upserts and deletions; this module adds
what templates need on top: a record of every approval status change and an
alert when a template in use stops being deliverable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from conversations_ops.messaging.templates import template_status_changes_record
from conversations_ops.models import PullCheckpoint
from conversations_ops.pull.runner import PullSummary, twilio_pull

logger = logging.getLogger(__name__)


@dataclass
class TemplateSyncResult:
    summary: PullSummary
    changes: list = field(default_factory=list)

    @property
    def alerts(self) -> list:
        return [change for change in self.changes if change.alert]

    def __str__(self) -> str:
        lines = [str(self.summary)]
        lines += [f"status {change}" for change in self.changes]
        return "\n".join(lines)


def template_sync_all(*, retry_reads: bool = True) -> TemplateSyncResult:
    """Pulls every template with its WhatsApp approval and records status changes.

    Raises the gateway's GatewayError when Twilio cannot be reached; the history
    is still recorded for what earlier pulls stored. Staff wait for it ("Sync
    templates"), so each page read is retried on a 429/5xx/timeout
    (twilio/reads.py); the schedule passes retry_reads=False and runs again later.
    """
    try:
        summary = twilio_pull(resources=("templates",), resume=False, retry_reads=retry_reads)
    finally:
        changes = template_status_changes_record()
    return TemplateSyncResult(summary=summary, changes=changes)


def template_sync_scheduled() -> str:
    """The django-q2 schedule's function; returns the summary text."""
    result = template_sync_all(retry_reads=False)
    logger.info("Template sync:\n%s", result)
    return str(result)


def template_last_synced_at():
    """When a complete template listing (this sync or the general pull) last finished."""
    checkpoint = PullCheckpoint.objects.filter(resource="templates", scope="").first()
    return checkpoint.finished_at if checkpoint else None
