"""The three webhook endpoints: a thin gate in front of the inbox.

size cap -> signature (403, nothing stored) -> parse (400 with the reason)
-> store once -> 200. The only CSRF-exempt views of the project: Twilio
cannot send a CSRF token, its signature is the proof of origin instead.
"""

import logging
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations_ops.models import EventSource
from conversations_ops.services.webhook_events import kept_headers, webhook_event_record, webhook_rejection_count
from conversations_ops.webhooks.parsing import MalformedEvent, parse_event
from conversations_ops.webhooks.signature import signature_check

logger = logging.getLogger(__name__)

# Messaging expects TwiML; an empty <Response/> means "no reply from here".
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _refuse(request, status: int, reason: str, counter: str) -> HttpResponse:
    # Never the body: it holds customers' numbers and messages.
    logger.warning("Refused Twilio webhook %s %s: %s (from %s)", request.method, request.path, reason,
                   request.META.get("REMOTE_ADDR", "?"))
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
        check = signature_check(request)  # reads request.POST
    except (RequestDataTooBig, SuspiciousOperation, MultiPartParserError, BadRequest) as exc:
        # Too many fields, a broken multipart body, a form declared in another
        # charset than UTF-8: never what Twilio sends.
        return _refuse(request, 400, f"Unreadable form body: {exc}", "malformed")
    if not check.valid:
        return _refuse(request, 403, f"Invalid Twilio signature: {check.reason}", "bad_signature")
    try:
        parsed = parse_event(source, _pairs(request))
    except MalformedEvent as exc:
        return _refuse(request, 400, f"Malformed {source} webhook: {exc}", "malformed")
    webhook_event_record(parsed=parsed, headers=kept_headers(request), signed_url=check.url,
                         algorithm=check.algorithm)
    if source == EventSource.MESSAGING:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")
    return HttpResponse(b"", content_type="text/plain")


def _pairs(request) -> list[tuple[str, str]]:
    """The form fields in the order they were sent. request.POST groups the values
    of a repeated key together; the body is parsed again as QueryDict parses it,
    and that order is used only when it holds exactly the same fields."""
    grouped = [(key, value) for key, values in request.POST.lists() for value in values]
    if request.content_type != "application/x-www-form-urlencoded":
        return grouped
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        text = request.body.decode("iso-8859-1")
    ordered = parse_qsl(text, keep_blank_values=True, encoding="utf-8")
    return ordered if sorted(ordered) == sorted(grouped) else grouped


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
