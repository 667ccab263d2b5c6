"""The page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): what happened, for how long, what to do."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone

TOO_MANY_REQUESTS = 429


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
        "retry_at": timezone.localtime() + settings.AXES_COOLOFF_TIME,
    }
    response = TemplateResponse(request, "registration/locked_out.html", context, status=TOO_MANY_REQUESTS)
    return response.render()
