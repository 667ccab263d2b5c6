"""The periodic django-q2 schedules, created or corrected idempotently.

Run by `manage.py sync_schedule_setup` (`make run` calls it after migrate).
Every periodic job is one line of SCHEDULES.
"""

from django_q.models import Schedule

# name -> (task path, minutes between runs): always a function of conversations_ops.tasks,
# whose paths stay put (migration 0015 moved the older ones there). catch_up is off in Q_CLUSTER:
# after downtime a schedule runs once, not once per missed minute.
SCHEDULES = {
    "sync-sweep": ("conversations_ops.tasks.sync_sweep", 1),
    "webhook-inbox-sweep": ("conversations_ops.tasks.webhook_inbox_sweep", 1),
    # Time-boxed (45 s < the cluster's 60 s timeout) and resuming from checkpoints,
    # so a large account is covered over several runs; catches what webhooks missed.
    "twilio-pull": ("conversations_ops.tasks.twilio_pull_scheduled", 10),
    # Template approvals change on WhatsApp's side without a webhook: pull them and
    # record status changes (alerts for templates in use).
    "template-sync": ("conversations_ops.tasks.template_sync_scheduled", 10),
    "pairing-expiry": ("conversations_ops.tasks.pairings_expire", 1),
    # /health/: a worker took this task off the broker within the last minute or two
    # (conversations_ops/health/heartbeat.py says why a task and a row).
    "health-heartbeat": ("conversations_ops.tasks.health_heartbeat", 1),
    # /metrics: folds new webhook events into the per-endpoint tally (health/counters.py).
    "metrics-tally": ("conversations_ops.tasks.metrics_tally", 1),
}


def schedules_ensure() -> list[str]:
    """Creates missing schedules and repairs changed ones; answers what changed."""
    changed = []
    for name, (func, minutes) in SCHEDULES.items():
        wanted = {"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1}
        schedule = Schedule.objects.filter(name=name).first()
        if schedule is None:
            Schedule.objects.create(name=name, **wanted)
            changed.append(f"created {name}")
        elif any(getattr(schedule, field) != value for field, value in wanted.items()):
            Schedule.objects.filter(pk=schedule.pk).update(**wanted)
            changed.append(f"updated {name}")
    return changed
