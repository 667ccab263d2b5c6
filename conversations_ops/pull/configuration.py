"""Pulling the account's /v1/Configuration into its one mirror row (models.AccountConfiguration).

Not a listing: one GET, no pages, no checkpoint and no deletion sweep. The read is
retried on a 429/5xx/timeout (twilio/reads.py) when staff wait for it; the scheduled
pull reads once and tries again on its next run.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from conversations_ops.models import AccountConfiguration
from conversations_ops.pull.pages import Counts
from conversations_ops.twilio import gateway
from conversations_ops.twilio.reads import read_with_retries

NAME = "configuration"
FIELDS = ("default_chat_service_sid", "default_messaging_service_sid", "default_inactive_timer", "default_closed_timer")


def account_configuration_pull(*, retry_reads: bool = True) -> Counts:
    """Stores what Twilio answers; counts it created, updated or unchanged like a listing's row."""
    remote = (
        read_with_retries(gateway.account_configuration_fetch)
        if retry_reads
        else (gateway.account_configuration_fetch())
    )
    values = {name: getattr(remote, name) or "" for name in FIELDS}
    counts = Counts(items=1)
    with transaction.atomic():
        row = AccountConfiguration.objects.select_for_update().filter(pk=1).first()
        if row is None:
            AccountConfiguration.objects.create(pk=1, pulled_at=timezone.now(), **values)
            counts.created = 1
            return counts
        changed = [name for name in FIELDS if getattr(row, name) != values[name]]
        for name in changed:
            setattr(row, name, values[name])
        row.pulled_at = timezone.now()
        row.save(update_fields=[*changed, "pulled_at"])
    if changed:
        counts.updated = 1
    else:
        counts.unchanged = 1
    return counts
