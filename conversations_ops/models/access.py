"""The console's own permissions, beyond Django's add/change/delete/view per model.

Held by an unmanaged model without a table: permissions need a content type,
and these belong to the console as a whole rather than to one model.
Groups (Support, Ops, Auditor) are made by migration 0011. Code checks them by
the names in conversations_ops/permissions.py (PUSH_TO_TWILIO, ...).
"""

from django.db import models


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
