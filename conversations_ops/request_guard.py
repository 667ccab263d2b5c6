"""Malformed request headers are a 400 with the reason, not a 500.

Django reads `Content-Length` with a bare int() the first time a view or a
middleware touches request.body or request.POST (`HttpRequest.body`): a value
such as `abc`, `1e3` or `5, 5` raises ValueError there, which Django answers as
a 500 with an error report, on the webhook endpoints and on any admin form. HTTP
says Content-Length is one or more decimal digits (RFC 9110, section 8.6), so
anything else is refused before any other middleware runs; gunicorn refuses most
of these itself, the check covers every server the console runs under.
"""

import logging
import re

from django.http import HttpResponseBadRequest

logger = logging.getLogger(__name__)

# RFC 9110 8.6: Content-Length = 1*DIGIT. A number longer than this is no body anyone sends.
_CONTENT_LENGTH = re.compile(r"[0-9]{1,15}")


def malformed_header(meta) -> str:
    """Why the request's headers cannot be read ("" when they can)."""
    length = meta.get("CONTENT_LENGTH")
    if length not in (None, "") and not _CONTENT_LENGTH.fullmatch(str(length).strip(" \t")):
        return "Content-Length is not a number of bytes"
    return ""


class MalformedHeadersMiddleware:
    """First in MIDDLEWARE: nothing has read the body yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = malformed_header(request.META)
        if reason:
            # The path only: the query string may hold a searched number.
            logger.warning("Bad request %s %s: %s", request.method, request.path, reason)
            return HttpResponseBadRequest(f"Bad request: {reason}.", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
