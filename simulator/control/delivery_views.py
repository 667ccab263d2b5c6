"""Control endpoints for asynchronous delivery: receipt delays, webhook order and duplicates
(`delivery`), and what one phone does with what it is sent (`handsets/<address>/delivery`)."""

from django.http import JsonResponse

from simulator.control.common import ControlError, body, boolean, control_endpoint, number, phone_address
from simulator.engine import delivery_settings, receipt_schedule, store
from simulator.models import SimHandsetDelivery

DAY = 24 * 3600  # seconds (a product, not a literal: five-digit literals here are error codes)


def _switches(data: dict) -> dict:
    changes = {}
    if "delivered_after_s" in data:
        changes["delivered_after_s"] = number(data, "delivered_after_s", minimum=0, maximum=DAY)
    if "read_after_s" in data:
        # null or "" means nobody reads (the phones stay at delivered).
        empty = data["read_after_s"] in (None, "")
        changes["read_after_s"] = None if empty else number(data, "read_after_s", minimum=0, maximum=DAY)
    webhooks = data.get("webhooks")
    if webhooks is not None:
        if not isinstance(webhooks, dict):
            raise ControlError(400, "webhooks must be an object: {order, duplicates, hold_ms, seed}")
        switch = {}
        if "order" in webhooks:
            if webhooks["order"] not in delivery_settings.WEBHOOK_ORDERS:
                raise ControlError(400, f"webhooks.order must be one of {', '.join(delivery_settings.WEBHOOK_ORDERS)}")
            switch["order"] = webhooks["order"]
        if "duplicates" in webhooks:
            switch["duplicates"] = number(webhooks, "duplicates", minimum=0, maximum=1)
        if "hold_ms" in webhooks:
            switch["hold_ms"] = number(webhooks, "hold_ms", minimum=0, maximum=10 * 1000)
        if "seed" in webhooks:
            seed = webhooks["seed"]
            if seed is not None and not isinstance(seed, int | str):
                raise ControlError(400, "webhooks.seed must be an integer or a string")
            switch["seed"] = seed
        changes["webhooks"] = switch
    unknown = set(data) - {"delivered_after_s", "read_after_s", "webhooks"}
    if unknown:
        raise ControlError(400, f"Unknown switches {sorted(unknown)}; known: delivered_after_s, read_after_s, webhooks")
    return changes


@control_endpoint(["GET", "POST", "DELETE"])
def delivery_view(request):
    if request.method == "POST":
        switches = delivery_settings.configure(_switches(body(request)))
    elif request.method == "DELETE":
        switches = delivery_settings.clear()
    else:
        switches = delivery_settings.current()
    return JsonResponse({**switches, "pending_steps": receipt_schedule.pending()})


@control_endpoint(["GET", "POST", "DELETE"])
def handset_delivery_view(request, address):
    if request.method == "POST":
        data = body(request)
        data.setdefault("address", address)
        address = phone_address(data, "address")
        store.check_address(address, "address")
        outcome = data.get("outcome", "delivered")
        if outcome not in delivery_settings.OUTCOMES:
            raise ControlError(400, f"outcome must be one of {', '.join(delivery_settings.OUTCOMES)}")
        error_code = None
        if outcome != "delivered":
            error_code = int(number(data, "error_code") or 0)
            if error_code not in delivery_settings.HANDSET_ERRORS:
                known = ", ".join(str(code) for code in delivery_settings.HANDSET_ERRORS)
                raise ControlError(400, f"error_code is required with outcome {outcome}; one of {known}")
        reads = boolean(data.get("reads", True), "reads")
        SimHandsetDelivery.objects.update_or_create(
            address=address, defaults={"outcome": outcome, "error_code": error_code, "reads": reads}
        )
    elif request.method == "DELETE":
        SimHandsetDelivery.objects.filter(address=address).delete()
    return JsonResponse(delivery_settings.handset_json(address))
