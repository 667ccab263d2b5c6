"""The console's own permissions, beyond Django's add/change/delete/view per model.

Held by an unmanaged model without a table: permissions need a content type,
and these belong to the console as a whole rather than to one model.
Groups (Support, Ops, Auditor) are made by migration 0010.
"""

from django.db import models

PUSH_TO_TWILIO = "conversations_ops.push_to_twilio"
SEND_MESSAGE = "conversations_ops.send_message"
VIEW_FULL_NUMBERS = "conversations_ops.view_full_numbers"
EXPORT_HISTORY = "conversations_ops.export_history"


class ConsoleAccess(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("push_to_twilio", "Can push changes to Twilio (Push now, Retry failed, Pull, pairings)"),
            ("send_message", "Can send messages to customers and couriers"),
            ("view_full_numbers", "Can see phone numbers unmasked"),
            ("export_history", "Can export message history (CSV, JSON)"),
        ]
        verbose_name = "console access"
