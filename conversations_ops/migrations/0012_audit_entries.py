"""The audit trail (AuditEntry), viewable by the three staff groups, with the admin log.

Every group (Support, Ops, Auditor) may view the audit trail and the admin log
(Django's LogEntry, the model history); nobody may change either.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUPS = ("Support", "Ops", "Auditor")
VIEW = (("conversations_ops", "view_auditentry"), ("admin", "view_logentry"))


def grant_view(apps, schema_editor):
    # Permissions are normally made after migrate; the groups need them now (as in 0011).
    for label in {app for app, _ in VIEW}:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    permissions = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in VIEW]
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke_view(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for app, codename in VIEW:
        for permission in Permission.objects.filter(content_type__app_label=app, codename=codename):
            permission.group_set.remove(*permission.group_set.filter(name__in=GROUPS))


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conversations_ops", "0011_staff_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        editable=False,
                        help_text="When the action was taken.",
                        verbose_name="when",
                    ),
                ),
                (
                    "actor_name",
                    models.CharField(
                        blank=True,
                        help_text="Who acted, as a name kept even if the account is deleted.",
                        max_length=150,
                        verbose_name="who",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("admin", "Admin"),
                            ("shell", "Shell command"),
                            ("worker", "Worker / code"),
                            ("webhook", "Twilio webhook"),
                        ],
                        help_text="Where the action came from.",
                        max_length=16,
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        help_text="What was done, e.g. conversation.create, pairing.start, template.submit.",
                        max_length=64,
                    ),
                ),
                (
                    "object_id",
                    models.PositiveBigIntegerField(blank=True, help_text="Id of the record acted on.", null=True),
                ),
                (
                    "target_repr",
                    models.CharField(
                        blank=True,
                        help_text="The record acted on, as it was named then (numbers masked).",
                        max_length=200,
                        verbose_name="target",
                    ),
                ),
                (
                    "target_sid",
                    models.CharField(
                        blank=True,
                        help_text="Twilio SID of the record acted on when the action was taken, if any.",
                        max_length=34,
                        verbose_name="target SID",
                    ),
                ),
                (
                    "detail",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="What was asked (e.g. changed field names); never message bodies, full numbers or tokens.",
                    ),
                ),
                (
                    "result_state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued (waiting for Twilio)"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled (never sent)"),
                        ],
                        default="succeeded",
                        help_text="How Twilio answered; queued until the push carrying it settles.",
                        max_length=16,
                        verbose_name="Twilio result",
                    ),
                ),
                (
                    "twilio_sid",
                    models.CharField(
                        blank=True,
                        help_text="SID Twilio answered with, if any.",
                        max_length=34,
                        verbose_name="Twilio SID",
                    ),
                ),
                (
                    "twilio_error_code",
                    models.IntegerField(
                        blank=True,
                        help_text="Twilio's error code when it refused, e.g. 50416.",
                        null=True,
                        verbose_name="Twilio error code",
                    ),
                ),
                (
                    "twilio_http_status",
                    models.IntegerField(
                        blank=True,
                        help_text="HTTP status of the refusal; empty when Twilio did not answer.",
                        null=True,
                        verbose_name="HTTP status",
                    ),
                ),
                (
                    "twilio_error",
                    models.TextField(
                        blank=True,
                        help_text="Twilio's message when it refused (numbers masked).",
                        verbose_name="Twilio's message",
                    ),
                ),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, help_text="When Twilio's result was known.", null=True),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Staff member who acted; empty for a shell command run without --as.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_entries",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        help_text="Kind of record acted on.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        blank=True,
                        help_text="The outbox operation that carried this action to Twilio, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_entries",
                        to="conversations_ops.syncoperation",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["created_at"], name="auditentry_created_idx"),
                    models.Index(fields=["content_type", "object_id"], name="auditentry_target_idx"),
                    models.Index(fields=["twilio_sid"], name="auditentry_twilio_sid_idx"),
                    models.Index(fields=["target_sid"], name="auditentry_target_sid_idx"),
                ],
            },
        ),
        migrations.RunPython(grant_view, revoke_view),
    ]
