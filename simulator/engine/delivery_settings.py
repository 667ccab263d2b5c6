"""How delivery and webhooks behave: receipt delays, what each phone does, webhook order.

Stored in the database (SimDeliverySettings, SimHandsetDelivery) so every process serving
the simulator, and a shell, see the same switches. What the control API never set falls
back to the Django settings the process started with:

- SIMULATOR_DELIVERED_AFTER_SECONDS: from `sent` to `delivered` (or failed/undelivered);
- SIMULATOR_READ_AFTER_SECONDS: from `delivered` to `read` on WhatsApp; None: nobody reads.

Webhook order and duplicates are control-only (default: in order, once each).
"""

from django.conf import settings

from simulator.models import SimDeliverySettings, SimHandsetDelivery

WEBHOOK_ORDERS = ("in_order", "shuffled", "reversed")
# Codes a phone can be made to fail with (POST _control/handsets/<address>/delivery), each with
# the status Twilio reports it under and its meaning on Twilio's error page
# (https://www.twilio.com/docs/errors/<code>). The console explains every one of them.
HANDSET_ERRORS = {
    30003: (30003, "Unreachable destination handset (phone off or out of coverage)"),
    30004: (30004, "Message blocked (the person blocked the sender, or the carrier did)"),
    30005: (30005, "Unknown destination handset (the number does not exist)"),
    30006: (30006, "Landline or unreachable carrier"),
    30007: (30007, "Message filtered by the carrier"),
    30008: (30008, "Unknown error from the carrier"),
    63003: (63003, "Channel could not find the To address (not on WhatsApp)"),
    63024: (63024, "Invalid message recipient (WhatsApp)"),
    63032: (63032, "WhatsApp limitation: this user cannot be sent this message"),
    63049: (63049, "Meta chose not to deliver this marketing message"),
}
OUTCOMES = ("delivered", "failed", "undelivered")


def _stored() -> dict:
    return SimDeliverySettings.objects.filter(pk=1).values_list("config", flat=True).first() or {}


def current() -> dict:
    """The effective switches: what the control API set, else the process's settings."""
    stored = _stored()
    webhooks = stored.get("webhooks") or {}
    return {
        "delivered_after_s": stored.get("delivered_after_s", settings.SIMULATOR_DELIVERED_AFTER_SECONDS),
        # A stored None means "nobody reads": only a missing key falls back.
        "read_after_s": stored.get("read_after_s", settings.SIMULATOR_READ_AFTER_SECONDS),
        "webhooks": {
            "order": webhooks.get("order", "in_order"),
            "duplicates": webhooks.get("duplicates", 0.0),
            "hold_ms": webhooks.get("hold_ms", 200),
            "seed": webhooks.get("seed"),
        },
    }


def configure(changes: dict) -> dict:
    """Merges `changes` (already validated) into the stored switches."""
    row, _ = SimDeliverySettings.objects.get_or_create(pk=1)
    config = dict(row.config or {})
    for key, value in changes.items():
        if key == "webhooks":
            config["webhooks"] = {**(config.get("webhooks") or {}), **value}
        else:
            config[key] = value
    row.config = config
    row.save(update_fields=["config"])
    return current()


def clear() -> dict:
    SimDeliverySettings.objects.filter(pk=1).delete()
    return current()


def webhook_switch() -> dict:
    return current()["webhooks"]


def handset(address: str) -> SimHandsetDelivery | None:
    return SimHandsetDelivery.objects.filter(address=address).first()


def handset_json(address: str) -> dict:
    row = handset(address)
    if row is None:
        return {"address": address, "outcome": "delivered", "error_code": None, "reads": True}
    return {"address": address, "outcome": row.outcome, "error_code": row.error_code, "reads": row.reads}
