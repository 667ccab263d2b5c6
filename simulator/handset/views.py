"""The handset page: act as a customer's or courier's phone against the simulated Twilio."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from simulator.control.views import content_json, entry_json
from simulator.engine import receipt_schedule
from simulator.models import (
    SimAddressConfiguration,
    SimContent,
    SimHandsetEntry,
    SimNumber,
    SimParticipant,
    SimWhatsAppPreference,
)


def _known_addresses():
    """People and business addresses seen so far, to pick from instead of typing."""
    people = set(SimParticipant.objects.exclude(address=None).values_list("address", flat=True))
    people |= set(SimHandsetEntry.objects.values_list("address", flat=True))
    business = set(SimParticipant.objects.exclude(proxy_address=None).values_list("proxy_address", flat=True))
    business |= set(SimAddressConfiguration.objects.values_list("address", flat=True))
    business |= set(SimNumber.objects.values_list("address", flat=True))
    return sorted(people), sorted(business)


def handset_page(request):
    if not settings.TWILIO_SIMULATED:
        raise Http404("The simulator is only available when TWILIO_SIMULATED is true.")
    receipt_schedule.apply_due()  # the phone shows what has reached it by now
    receipt_schedule.ensure_ticker_if_pending()
    people, business = _known_addresses()
    address = request.GET.get("address", "").strip()
    counterpart = request.GET.get("business", "").strip()
    entries = SimHandsetEntry.objects.filter(address=address).order_by("date", "id") if address else []
    if address and counterpart:
        entries = entries.filter(counterpart=counterpart)
    # What this WhatsApp user set about this business sender: only they can (control API, below).
    whatsapp_pair = address.startswith("whatsapp:") and counterpart.startswith("whatsapp:")
    preference = (
        SimWhatsAppPreference.objects.filter(address=address, proxy_address=counterpart).first()
        if whatsapp_pair
        else None
    )
    return render(
        request,
        "simulator/handset.html",
        {
            "people": people,
            "business": business,
            "address": address,
            "counterpart": counterpart,
            "entries": [entry_json(e) for e in entries],
            "contents": [content_json(c) for c in SimContent.objects.order_by("id")],
            "whatsapp_pair": whatsapp_pair,
            "blocked": bool(preference and preference.blocked),
            "marketing_stopped": bool(preference and preference.marketing_stopped),
        },
    )
