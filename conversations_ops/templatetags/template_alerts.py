"""The template alert banner, for admin pages that have no view of their own to pass it (the index)."""

from django import template

from conversations_ops.masking import mask_numbers_in
from conversations_ops.messaging.templates import template_alerts_open

register = template.Library()


@register.inclusion_tag("admin/conversations_ops/template/alerts.html")
def template_alerts_banner():
    return {"template_alerts": list(template_alerts_open()[:20])}


@register.filter
def numbers_masked(text):
    """Every number in the text masked, for every reader: a banner shown to all staff (Twilio's
    rejection reason) is no place for a whole number."""
    return mask_numbers_in(str(text or ""))
