"""Marks admin requests for the audit trail: what staff do there is recorded as source "admin", by them.

Only the admin's paths are marked: the webhook endpoints are Twilio, not staff,
and their hot path should not pay for anything it does not use.
"""

from functools import lru_cache

from django.urls import reverse

from conversations_ops.audit.context import admin_source


@lru_cache(maxsize=1)
def _admin_prefix() -> str:
    return reverse("admin:index")


class AuditSourceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_admin_prefix()):
            return self.get_response(request)
        with admin_source(request):
            return self.get_response(request)
