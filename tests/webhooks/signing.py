"""Signing test requests exactly as Twilio does (X-Twilio-Signature over PUBLIC_BASE_URL + path)."""

from urllib.parse import urlencode

from django.conf import settings
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

PATHS = {
    "conversations": "/webhooks/twilio/conversations/",
    "messaging": "/webhooks/twilio/messaging/",
    "status": "/webhooks/twilio/status/",
}


def sign(path: str, pairs, *, token: str | None = None, algorithm: str | None = None) -> str:
    multi = MultiValueDict()
    for key, value in pairs:
        multi.appendlist(key, str(value))
    validator = RequestValidator(token or settings.TWILIO_AUTH_TOKEN)
    return validator.compute_signature(settings.PUBLIC_BASE_URL + path, multi, algorithm)


def signed_post(
    client, endpoint: str, pairs, *, signature: str | None = None, headers: dict | None = None, query: str = ""
):
    """POSTs form pairs to one of the three endpoints ("conversations", "messaging", "status"),
    signed unless `signature` is given; `headers` use their HTTP names."""
    path = PATHS.get(endpoint, endpoint) + (f"?{query}" if query else "")
    pairs = [(key, str(value)) for key, value in pairs]
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}
    return client.post(
        path,
        urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign(path, pairs) if signature is None else signature,
        **extra,
    )
