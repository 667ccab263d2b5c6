"""What /health/ and /metrics read besides the inbox and the outbox (conversations_ops/health/)."""

from django.db import models

from conversations_ops.masking import mask_numbers_in


class WorkerHeartbeat(models.Model):
    """When a django-q2 worker on this host last ran a task (one row per host).

    In the database, not in django-q2's Stat (kept in the cache, which is per
    process with the default cache): every web process on every machine reads
    the same rows, whichever broker carries the tasks.
    """

    host = models.CharField(max_length=255, unique=True, help_text="Host name of the worker machine or container.")
    beat_at = models.DateTimeField(help_text="When a worker on this host last showed it was running tasks.")
    pid = models.PositiveIntegerField(default=0, help_text="Process that wrote the last beat.")

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self):
        return f"{mask_numbers_in(self.host)} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class MetricCounter(models.Model):
    """A count that only grows, kept in the database so every process reports the same value.

    Two kinds: a plain counter (`value` incremented where the thing happens, e.g.
    Twilio's 429s seen by the outbox), and a tally of an append-only table
    (`value` counts its rows with id <= `counted_up_to_id`; the rows after it are
    counted at scrape time, a range of the primary key).
    """

    name = models.CharField(max_length=64, unique=True, help_text="e.g. outbox_twilio_429, webhook_received:status.")
    value = models.PositiveBigIntegerField(default=0)
    counted_up_to_id = models.PositiveBigIntegerField(
        default=0, help_text="Tallies only: rows with an id up to this one are in the value."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "metric counter"

    def __str__(self):
        return f"{mask_numbers_in(self.name)}: {self.value}"
