"""The account's own addresses: buy or release a phone number, register or remove a WhatsApp sender.

What Twilio's Console does for an account (and no REST call of the console under test does):
the numbers then appear in IncomingPhoneNumbers, the senders in Channels Senders, and only
they may get an address configuration (engine/owned.py).
"""

from django.http import JsonResponse

from simulator.control.common import ControlError, body, control_endpoint, phone_address
from simulator.engine import owned, store
from simulator.models import SimPhoneNumber, SimWhatsAppSender
from simulator.sids import iso

SENDER_STATUSES = ("CREATING", "ONLINE", "OFFLINE", "PENDING_VERIFICATION", "VERIFYING", "TWILIO_REVIEW", "DRAFT")


def _numbers_json() -> dict:
    rows = SimPhoneNumber.objects.order_by("phone_number")
    return {
        "phone_numbers": [
            {
                "sid": r.sid,
                "phone_number": r.phone_number,
                "friendly_name": r.friendly_name,
                "date_created": iso(r.date_created),
            }
            for r in rows
        ]
    }


def _senders_json() -> dict:
    rows = SimWhatsAppSender.objects.order_by("sender_id")
    return {
        "whatsapp_senders": [
            {"sid": r.sid, "sender_id": r.sender_id, "status": r.status, "profile_name": r.profile_name} for r in rows
        ]
    }


@control_endpoint(["GET", "POST"])
def phone_numbers(request):
    if request.method == "POST":
        data = body(request)
        number = phone_address(data, "phone_number")
        if not number or number.startswith("whatsapp:"):
            raise ControlError(400, "phone_number (E.164, e.g. +14155550100) is required")
        store.check_address(number, "phone_number")
        owned.own_phone_number(number, str(data.get("friendly_name") or ""))
    return JsonResponse(_numbers_json())


@control_endpoint(["DELETE"])
def phone_number(request, number):
    if not owned.release(number):
        raise ControlError(404, f"{number} is not a number of the account")
    return JsonResponse(_numbers_json())


@control_endpoint(["GET", "POST"])
def whatsapp_senders(request):
    if request.method == "POST":
        data = body(request)
        sender_id = phone_address(data, "sender_id")
        if not sender_id.startswith("whatsapp:"):
            raise ControlError(400, "sender_id (whatsapp:+E.164) is required")
        store.check_address(sender_id, "sender_id")
        status = str(data.get("status") or "ONLINE")
        if status not in SENDER_STATUSES:
            raise ControlError(400, f"status must be one of {', '.join(SENDER_STATUSES)}")
        if sender_id == owned.SANDBOX_WHATSAPP:
            raise ControlError(400, "The WhatsApp Sandbox number is Twilio's shared number: no account owns it")
        owned.own_whatsapp_sender(sender_id, status=status, profile_name=str(data.get("profile_name") or ""))
    return JsonResponse(_senders_json())


@control_endpoint(["DELETE"])
def whatsapp_sender(request, sender_id):
    if not owned.release(sender_id):
        raise ControlError(404, f"{sender_id} is not a WhatsApp sender of the account")
    return JsonResponse(_senders_json())
