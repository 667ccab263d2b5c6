"""Api v2010 IncomingPhoneNumbers: the phone numbers the account owns (list only).

Served at /simulator/api/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json in the
shape of vendor/twilio-oai/twilio_api_v2010.json (ListIncomingPhoneNumber): v2010 paging
(`page`, `page_size`, `start`, `end`, relative `uri`/`first_page_uri`/`next_page_uri`, which
twilio-python joins to api.twilio.com and the console's client routes back here), RFC 2822
dates, PageSize up to 1000 (default 50).
"""

from email.utils import format_datetime
from urllib.parse import urlencode

from django.conf import settings

from simulator.api.common import by_method, form_int, ok, resource_missing, twilio_endpoint
from simulator.api.errors import TwilioError
from simulator.models import SimPhoneNumber

API_VERSION = "2010-04-01"
MAX_PAGE_SIZE = 1000


def _rfc2822(dt) -> str | None:
    return format_datetime(dt, usegmt=False).replace("-0000", "+0000") if dt else None


def phone_number_json(row: SimPhoneNumber) -> dict:
    account = settings.TWILIO_ACCOUNT_SID
    return {
        "account_sid": account,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": API_VERSION,
        "beta": False,
        # Every simulated number takes SMS (and is the WhatsApp sender's number when one is registered).
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": _rfc2822(row.date_created),
        "date_updated": _rfc2822(row.date_updated),
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "friendly_name": row.friendly_name,
        "identity_sid": None,
        "origin": "twilio",
        "phone_number": row.phone_number,
        "sid": row.sid,
        "sms_application_sid": None,
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": row.sms_url,
        "status_callback": "",
        "status_callback_method": "POST",
        "trunk_sid": None,
        "uri": f"/{API_VERSION}/Accounts/{account}/IncomingPhoneNumbers/{row.sid}.json",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": None,
        "voice_method": "POST",
        "voice_url": None,
        "bundle_sid": None,
        "voice_receive_mode": "voice",
        "status": "in-use",
        "type": "local",
    }


def _list(request, account_sid):
    if account_sid != settings.TWILIO_ACCOUNT_SID:  # another account's numbers are not ours to list
        raise resource_missing(request)
    rows = SimPhoneNumber.objects.order_by("id")
    filters = {}
    for name, lookup in (("PhoneNumber", "phone_number__contains"), ("FriendlyName", "friendly_name")):
        value = request.GET.get(name)
        if value:
            filters[name] = value
            rows = rows.filter(**{lookup: value})
    size = form_int(request.GET, "PageSize", 50)
    number = form_int(request.GET, "Page", 0)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise TwilioError(400, 20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
    if number < 0:
        raise TwilioError(400, 20001, "Page must not be negative")
    chunk = list(rows[number * size : (number + 1) * size + 1])
    path = f"/{API_VERSION}/Accounts/{account_sid}/IncomingPhoneNumbers.json"

    def uri(n):
        return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': n, **({'PageToken': f'PT{n}'} if n else {})})}"

    shown = chunk[:size]
    return ok(
        {
            "incoming_phone_numbers": [phone_number_json(row) for row in shown],
            "end": number * size + max(len(shown) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(number + 1) if len(chunk) > size else None,
            "page": number,
            "page_size": size,
            "previous_page_uri": uri(number - 1) if number > 0 else None,
            "start": number * size,
            "uri": uri(number),
        }
    )


@twilio_endpoint
def collection(request, account_sid):
    return by_method(request, {"GET": _list}, account_sid)
