"""X-Twilio-Signature, checked exactly as Twilio computes it.

The URL is rebuilt from PUBLIC_BASE_URL (what Twilio was told to call), not
from the request's Host header: behind a proxy or tunnel the app sees an
internal URL that Twilio never signed (reliability.md §1). Parameters are the
form grouped by key (a MultiValueDict) so repeated keys count, as twilio's RequestValidator expects.
"""

from dataclasses import dataclass

from django.conf import settings
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    compare,
    get_signature_algorithm,
)

SIGNATURE_HEADER = "X-Twilio-Signature"


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    url: str
    algorithm: str
    reason: str = ""


def public_url(request) -> str:
    """PUBLIC_BASE_URL + path + query string, without any #fragment."""
    query = request.META.get("QUERY_STRING", "")
    return f"{settings.PUBLIC_BASE_URL}{request.path}{'?' + query if query else ''}"


def _signing_secret(settings_header: str) -> str:
    """The auth token signs classic webhooks; a configured signing key those that name it."""
    key_id = ""
    for part in settings_header.split(","):
        name, _, value = part.partition("=")
        if name.strip() == "key":
            key_id = value.strip()
    keys = getattr(settings, "TWILIO_WEBHOOK_SIGNING_KEYS", {}) or {}
    return keys.get(key_id) or settings.TWILIO_AUTH_TOKEN


def _signed_as_is(validator, url: str, params, signature: str, algorithm: str) -> bool:
    """The common case in one HMAC: Twilio signed exactly this URL.

    validate() always computes two (the URL with and without its port, since
    Twilio's own signing is inconsistent there); it still decides every
    request this quick check does not accept."""
    if algorithm not in (HMAC_SHA1, HMAC_SHA256) or "bodySHA256=" in url:
        return False
    return compare(validator.compute_signature(url, params, algorithm), signature)


def signature_check(request, params=None) -> SignatureCheck:
    """`params`: the form grouped by key (request.POST when not given)."""
    params = request.POST if params is None else params
    url = public_url(request)
    settings_header = request.headers.get(SIGNATURE_SETTINGS_HEADER, "")
    # Upper case as RequestValidator compares it: the stored name is then one of two.
    algorithm = (get_signature_algorithm(settings_header) if settings_header else HMAC_SHA1).upper()
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return SignatureCheck(False, url, algorithm, "no X-Twilio-Signature header")
    validator = RequestValidator(_signing_secret(settings_header))
    if not _signed_as_is(validator, url, params, signature, algorithm) and not validator.validate(
            url, params, signature, algorithm=algorithm):
        return SignatureCheck(False, url, algorithm, "the signature does not match")
    return SignatureCheck(True, url, algorithm)
