"""The home page's "Needs reply" panel (clienteling, issue 19): the viewer's customers who wrote
last and got no answer for longer than CLIENTELING_NEEDS_REPLY_MINUTES, and those whose
WhatsApp window closes within two hours; each count links to the inbox filtered the same way."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from conversations_ops.clienteling.inbox import CLOSING, NEEDS_REPLY, may_use_inbox, needs_reply_counts
from conversations_ops.clienteling.selectors import customers_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_panel(context) -> dict:
    """{"shown": False} for staff without customers; else the counts and links."""
    user = context["request"].user
    if not may_use_inbox(user) or not customers_visible_to(user).exists():
        return {"shown": False}
    counts = needs_reply_counts(user)
    url = reverse("inbox:list")
    minutes = settings.CLIENTELING_NEEDS_REPLY_MINUTES
    return {
        "shown": True,
        "inbox_url": url,
        "items": [
            {
                "key": NEEDS_REPLY,
                "count": counts[NEEDS_REPLY],
                "label": f"wrote last and got no answer for over {minutes} minutes",
                "url": f"{url}?show={NEEDS_REPLY}",
            },
            {
                "key": CLOSING,
                "count": counts[CLOSING],
                "label": "WhatsApp windows close within 2 hours (then templates only)",
                "url": f"{url}?show={CLOSING}",
            },
        ],
    }
