"""What a person decided about the businesses that write to them, as the control API plays it:
`handsets/<address>/preferences`.

- GET: their SMS opt-outs (kept by the keywords they texted, engine/messaging_rules.py) and, for
  a WhatsApp address, what they set in the app per business sender (engine/whatsapp_preferences.py).
- POST `{"business": "whatsapp:+1...", "blocked": true}` or `{"business": ..., "marketing_stopped":
  true}` (either or both; false undoes it): the WhatsApp user blocks the business sender, or
  stops its marketing messages ("Offers and announcements"). Only the person can do either on
  WhatsApp, hence a control call and no REST resource. SMS opt-outs have no switch here: the
  person texts STOP or START (`POST inbound`), as on Twilio.
- DELETE (`?business=` for one sender): their WhatsApp preferences are forgotten.
"""

from django.http import JsonResponse

from simulator import clock
from simulator.control.common import ControlError, body, boolean, control_endpoint, phone_address
from simulator.engine import store
from simulator.models import SimOptOut, SimWhatsAppPreference
from simulator.sids import iso

SWITCHES = ("blocked", "marketing_stopped")


def preferences_json(address: str) -> dict:
    opt_outs = SimOptOut.objects.filter(address=address).order_by("date_created", "id")
    whatsapp = SimWhatsAppPreference.objects.filter(address=address).order_by("proxy_address")
    return {
        "address": address,
        "sms_opt_outs": [
            {"business": row.proxy_address, "keyword": row.keyword, "date": iso(row.date_created)} for row in opt_outs
        ],
        "whatsapp": [
            {
                "business": row.proxy_address,
                "blocked": row.blocked,
                "marketing_stopped": row.marketing_stopped,
                "date_updated": iso(row.date_updated),
            }
            for row in whatsapp
        ],
    }


def _set(address: str, data: dict) -> None:
    unknown = set(data) - {"business", "address", *SWITCHES}
    if unknown:
        raise ControlError(400, f"Unknown fields {sorted(unknown)}; known: business, blocked, marketing_stopped")
    business = phone_address(data, "business")
    if not business:
        raise ControlError(400, "business is required: the WhatsApp sender (whatsapp:+...) the person acts on")
    store.check_address(address, "address")
    store.check_address(business, "business")
    if not address.startswith("whatsapp:") or not business.startswith("whatsapp:"):
        raise ControlError(
            400, "Blocking and stopping marketing are WhatsApp's (whatsapp:+...); an SMS user texts STOP instead"
        )
    changes = {name: boolean(data[name], name) for name in SWITCHES if name in data}
    if not changes:
        raise ControlError(400, "Say what the person does: blocked and/or marketing_stopped, true or false")
    SimWhatsAppPreference.objects.update_or_create(
        address=address, proxy_address=business, defaults={**changes, "date_updated": clock.now()}
    )


@control_endpoint(["GET", "POST", "DELETE"])
def handset_preferences_view(request, address):
    address = phone_address({"address": address}, "address")  # a "+" that arrived as a space
    if request.method == "POST":
        _set(address, body(request))
    elif request.method == "DELETE":
        rows = SimWhatsAppPreference.objects.filter(address=address)
        if request.GET.get("business"):
            rows = rows.filter(proxy_address=request.GET["business"])
        rows.delete()
    return JsonResponse(preferences_json(address))
