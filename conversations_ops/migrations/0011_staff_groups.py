"""The three staff groups and what each may do (issue 8).

- Support: address configurations, sandbox senders, templates (create, submit,
  acknowledge alerts); pushes those to Twilio; reads the rest.
- Ops: conversations, participants, scoped webhooks, messages, pairings; sends
  messages and pushes; reprocesses webhook events; reads the rest.
- Auditor: reads everything and exports message history; changes nothing.

Nobody but superusers sees full phone numbers until given "view_full_numbers".
Running the migration again (or after new models) only adds what is missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APP = "conversations_ops"
MODELS = (
    "addressconfiguration",
    "conversation",
    "participant",
    "message",
    "deliveryreceipt",
    "conversationwebhook",
    "template",
    "templatestatuschange",
    "webhookevent",
    "webhookrejection",
    "syncoperation",
    "sandboxsender",
    "pullcheckpoint",
    "pacingbucket",
    "pairing",
    "pairingstep",
)
VIEW_ALL = [f"view_{model}" for model in MODELS]
GROUPS = {
    "Support": VIEW_ALL
    + [
        "add_addressconfiguration",
        "change_addressconfiguration",
        "delete_addressconfiguration",
        "add_sandboxsender",
        "change_sandboxsender",
        "delete_sandboxsender",
        "add_template",
        "change_template",
        "change_templatestatuschange",
        "push_to_twilio",
    ],
    "Ops": VIEW_ALL
    + [
        "add_conversation",
        "change_conversation",
        "delete_conversation",
        "add_participant",
        "change_participant",
        "delete_participant",
        "add_conversationwebhook",
        "change_conversationwebhook",
        "delete_conversationwebhook",
        "add_message",
        "add_pairing",
        "change_pairing",
        "change_webhookevent",
        "send_message",
        "push_to_twilio",
    ],
    "Auditor": VIEW_ALL + ["export_history"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrate; the groups need them now.
    app_config = apps.get_app_config(APP)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label=APP, codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conversations_ops", "0010_console_access"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
