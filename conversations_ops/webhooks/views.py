"""The three webhook endpoints: a thin gate in front of the inbox.

size cap -> signature (403, nothing stored) -> parse (400 with the reason)
-> store once -> 200. The only CSRF-exempt views of the project: Twilio
cannot send a CSRF token, its signature is the proof of origin instead.
"""

import logging
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations_ops.models import EventSource
from conversations_ops.webhooks.parsing import MalformedEvent, parse_event
from conversations_ops.webhooks.recording import kept_headers, webhook_event_record, webhook_rejection_count
from conversations_ops.webhooks.signature import signature_check

logger = logging.getLogger(__name__)

# Messaging expects TwiML; an empty <Response/> means "no reply from here".
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _refuse(request, status: int, reason: str, counter: str) -> HttpResponse:
    # Never the body: it holds customers' numbers and messages.
    logger.warning(
        "Refused Twilio webhook %s %s: %s (from %s)",
        request.method,
        request.path,
        reason,
        request.META.get("REMOTE_ADDR", "?"),
    )
    webhook_rejection_count(reason=counter)
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > settings.WEBHOOK_MAX_BODY_BYTES


def _receive(request, source: str) -> HttpResponse:
    if _too_large(request):
        return _refuse(request, 413, f"Body larger than {settings.WEBHOOK_MAX_BODY_BYTES} bytes", "too_large")
    try:
        pairs, grouped = _read_form(request)
    except (RequestDataTooBig, SuspiciousOperation, MultiPartParserError, BadRequest) as exc:
        # Too many fields, a broken multipart body, a form declared in another
        # charset than UTF-8: never what Twilio sends.
        return _refuse(request, 400, f"Unreadable form body: {exc}", "malformed")
    check = signature_check(request, grouped)
    if not check.valid:
        return _refuse(request, 403, f"Invalid Twilio signature: {check.reason}", "bad_signature")
    try:
        parsed = parse_event(source, pairs)
    except MalformedEvent as exc:
        return _refuse(request, 400, f"Malformed {source} webhook: {exc}", "malformed")
    webhook_event_record(parsed=parsed, headers=kept_headers(request), signed_url=check.url, algorithm=check.algorithm)
    if source == EventSource.MESSAGING:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")
    return HttpResponse(b"", content_type="text/plain")


def _read_form(request) -> tuple[list[tuple[str, str]], MultiValueDict]:
    """The form fields in the order they were sent (stored so), and grouped by
    key (what the signature is computed over): one parse of the body, under
    Django's rules for request.POST (UTF-8 only, DATA_UPLOAD_MAX_NUMBER_FIELDS).
    Only a body that is not a URL-encoded form goes through request.POST."""
    if request.content_type != "application/x-www-form-urlencoded":
        grouped = request.POST
        return [(key, value) for key, values in grouped.lists() for value in values], grouped
    if request.encoding and request.encoding.lower() not in ("utf-8", "utf8"):
        raise BadRequest("a URL-encoded form must be UTF-8 encoded")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        text = request.body.decode("iso-8859-1")  # as QueryDict does; the signature then decides
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        )
    except ValueError as exc:
        raise TooManyFieldsSent("more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS") from exc
    lists: dict[str, list[str]] = {}
    for key, value in pairs:
        lists.setdefault(key, []).append(value)
    return pairs, MultiValueDict(lists)


@csrf_exempt
@require_POST
def conversations(request):
    """Conversations pre- and post-event webhooks (account-level and conversation-scoped)."""
    return _receive(request, EventSource.CONVERSATIONS)


@csrf_exempt
@require_POST
def messaging(request):
    """Programmable Messaging inbound ("When a message comes in"), e.g. the WhatsApp sandbox."""
    return _receive(request, EventSource.MESSAGING)


@csrf_exempt
@require_POST
def status(request):
    """Programmable Messaging status callbacks."""
    return _receive(request, EventSource.STATUS)
