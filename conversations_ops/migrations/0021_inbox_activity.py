"""Issue 19: the customer's activity for the advisor's inbox (clienteling/activity.py),
backfilled from the messages already recorded."""

from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    from conversations_ops.mirror.activity import activity_update

    Customer, Message = apps.get_model("conversations_ops", "Customer"), apps.get_model("conversations_ops", "Message")
    for customer in Customer.objects.filter(conversation_links__isnull=False).distinct().iterator():
        activity_update(customer, Message.objects)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations_ops", "0020_clienteling"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="advisor_read_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the owning advisor last opened the conversation: their messages after it are unread (a new owner after reassignment starts with those).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="awaiting_reply_since",
            field=models.DateTimeField(
                blank=True,
                help_text="Their unanswered message's time when they wrote last; empty once the business answered.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="last_inbound_at",
            field=models.DateTimeField(
                blank=True, help_text="When the customer last wrote (any of their conversations).", null=True
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="last_message_at",
            field=models.DateTimeField(blank=True, help_text="When the last message, either way, was.", null=True),
        ),
        migrations.AddField(
            model_name="customer",
            name="last_message_inbound",
            field=models.BooleanField(default=False, help_text="Whether the last message was theirs."),
        ),
        migrations.AddField(
            model_name="customer",
            name="last_message_preview",
            field=models.CharField(
                blank=True, help_text="The start of the last message, as the inbox lists it.", max_length=120
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="last_outbound_at",
            field=models.DateTimeField(
                blank=True, help_text="When the business last wrote to them (advisor, template, system).", null=True
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="unread_count",
            field=models.PositiveIntegerField(default=0, help_text="Their messages since the advisor last read."),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["advisor", "awaiting_reply_since", "-last_message_at"], name="customer_inbox_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["awaiting_reply_since"], name="customer_awaiting_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["last_inbound_at"], name="customer_last_inbound_idx"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
