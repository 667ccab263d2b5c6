"""X-Twilio-Signature, checked exactly as Twilio computes it.

The URL is rebuilt from PUBLIC_BASE_URL (what Twilio was told to call), not
from the request's Host header: behind a proxy or tunnel the app sees an
internal URL that Twilio never signed. Parameters are the form grouped by key
(a MultiValueDict) so repeated keys count, as twilio's RequestValidator expects.

During an auth-token rotation TWILIO_PREVIOUS_AUTH_TOKEN is accepted too: Twilio
signs with whichever token was primary when it sent the request.
"""

import logging
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

logger = logging.getLogger(__name__)


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


def _signing_secrets(settings_header: str) -> list[str]:
    """The auth token signs classic webhooks (the previous one too, during a
    rotation); a configured signing key those that name it."""
    key_id = ""
    for part in settings_header.split(","):
        name, _, value = part.partition("=")
        if name.strip() == "key":
            key_id = value.strip()
    keys = settings.TWILIO_WEBHOOK_SIGNING_KEYS or {}
    if keys.get(key_id):
        return [keys[key_id]]
    previous = settings.TWILIO_PREVIOUS_AUTH_TOKEN
    return [settings.TWILIO_AUTH_TOKEN, *([previous] if previous else [])]


def _signed_with(secret: str, url: str, params, signature: str, algorithm: str) -> bool:
    validator = RequestValidator(secret)
    return _signed_as_is(validator, url, params, signature, algorithm) or validator.validate(
        url, params, signature, algorithm=algorithm
    )


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
    secrets = _signing_secrets(settings_header)
    for position, secret in enumerate(secrets):
        if _signed_with(secret, url, params, signature, algorithm):
            if position:
                # Worth knowing: while this appears, Twilio still signs with the old token.
                logger.warning("Webhook to %s signed with TWILIO_PREVIOUS_AUTH_TOKEN (token rotation).", url)
            return SignatureCheck(True, url, algorithm)
    return SignatureCheck(False, url, algorithm, "the signature does not match")
