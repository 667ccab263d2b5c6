"""Periodic schedules stored before the packages moved (issue 16) name functions
that no longer exist at those paths; django-q2 would fail them at every run.
Point them at conversations_ops.tasks, whose paths stay put."""

from django.db import migrations

MOVED = {
    "conversations_ops.services.pull.pull_scheduled": "conversations_ops.tasks.twilio_pull_scheduled",
    "conversations_ops.services.templates_sync.template_sync_scheduled": "conversations_ops.tasks.template_sync_scheduled",
    "conversations_ops.health.heartbeat.heartbeat_scheduled": "conversations_ops.tasks.health_heartbeat",
    "conversations_ops.health.counters.received_tally_advance": "conversations_ops.tasks.metrics_tally",
}


def forwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in MOVED.items():
        Schedule.objects.filter(func=old).update(func=new)


def backwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in MOVED.items():
        Schedule.objects.filter(func=new).update(func=old)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations_ops", "0014_health_heartbeat_metric_counters"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
