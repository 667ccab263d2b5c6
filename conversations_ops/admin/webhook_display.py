"""How a stored webhook reads in the admin: the payload as a table, links to the
mirrored records it names, and the refused-request counters in one line.

`masked=True` (a viewer without "view full numbers"): every phone number in a
value is masked, whichever parameter carries it (From, To, Author,
MessagingBinding.Address, a number quoted in Attributes...)."""

import json

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from conversations_ops.masking import mask_numbers_in
from conversations_ops.models import (
    Conversation,
    DeliveryReceipt,
    Message,
    Participant,
    WebhookEvent,
    WebhookRejection,
)

EMPTY = mark_safe("<em>(empty)</em>")
REFUSAL_LABELS = {
    "bad_signature": ("bad signature", "bad signatures"),
    "malformed": ("malformed", "malformed"),
    "too_large": ("too large", "too large"),
}
# Parameters Twilio sends as JSON text, pretty-printed whatever their content.
JSON_PARAMS = {"Attributes", "Media", "ContentVariables"}


def _pretty_json(value: str) -> str | None:
    text = value.strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if not isinstance(parsed, (dict, list)):
        return None
    return json.dumps(parsed, indent=2, ensure_ascii=False)


def value_html(key: str, value, *, masked: bool = False) -> str:
    """A parameter value: JSON-looking values pretty-printed, others kept with their line breaks."""
    if isinstance(value, (list, tuple)):  # older rows kept a key's values as a list
        value = ", ".join(str(v) for v in value)
    value = mask_numbers_in(str(value)) if masked else str(value)
    if value == "":
        return EMPTY
    pretty = _pretty_json(value) if key in JSON_PARAMS or value.lstrip()[:1] in "{[" else None
    if pretty is not None:
        return format_html('<pre class="webhook-json" style="margin:0;white-space:pre-wrap">{}</pre>', pretty)
    return format_html('<span style="white-space:pre-wrap;word-break:break-all">{}</span>', value)


def _pair(item) -> tuple[str, object]:
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return str(item[0]), item[1]
    return "?", item


def pairs_table(pairs, *, key_heading: str, masked: bool = False) -> str:
    rows = [_pair(item) for item in pairs]
    if not rows:
        return EMPTY
    body = format_html_join(
        "",
        '<tr><td style="white-space:nowrap"><code>{}</code></td><td>{}</td></tr>',
        ((key, value_html(key, value, masked=masked)) for key, value in rows),
    )
    return format_html(
        '<table class="webhook-params"><thead><tr><th>{}</th><th>Value</th></tr></thead><tbody>{}</tbody></table>',
        key_heading,
        body,
    )


def params_table(event: WebhookEvent, *, masked: bool = False) -> str:
    return pairs_table(event.params or [], key_heading="Parameter", masked=masked)


def headers_table(event: WebhookEvent, *, masked: bool = False) -> str:
    headers = event.headers if isinstance(event.headers, dict) else {}
    return pairs_table(sorted(headers.items()), key_heading="Header", masked=masked)


def _param(event: WebhookEvent, key: str) -> str:
    for item in event.params or []:
        name, value = _pair(item)
        if name == key:
            return value if isinstance(value, str) else ""
    return ""


def _record_link(model, sid: str, label: str, masked: bool) -> str:
    row = model.objects.filter(sid=sid).order_by("-pk").first()
    if row is None:
        return format_html("{} <code>{}</code> (not in the mirror)", label, sid)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    name = mask_numbers_in(str(row)) if masked else str(row)  # a participant is named by its number
    return format_html('{} <a href="{}"><code>{}</code></a> {}', label, url, sid, "" if name == sid else f"({name})")


def mirrored_records(event: WebhookEvent, *, masked: bool = False) -> str:
    """Links to the Conversation, Participant, Message and receipt the event names, when the mirror has them."""
    named = [
        (Conversation, event.conversation_sid, "Conversation"),
        (Participant, event.participant_sid, "Participant"),
        (Message, event.message_sid, "Message"),
        (DeliveryReceipt, _param(event, "DeliveryReceiptSid")[:34], "Delivery receipt"),
    ]
    lines = [_record_link(model, sid, label, masked) for model, sid, label in named if sid]
    if not lines:
        return "—"
    if event.conversation_sid:
        lines.append(conversation_events_link(event.conversation_sid, label="All webhook events of this conversation"))
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


def conversation_events_link(conversation_sid: str, *, label: str = "Webhook events") -> str:
    """“Webhook events (N)”: the inbox filtered to one conversation (an indexed lookup)."""
    if not conversation_sid:
        return "—"
    count = WebhookEvent.objects.filter(conversation_sid=conversation_sid).count()
    url = reverse("admin:conversations_ops_webhookevent_changelist")
    return format_html('<a href="{}?conversation_sid={}">{} ({})</a>', url, conversation_sid, label, count)


def _when(moment) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def refusals_summary() -> str:
    """“Refused: 3 bad signatures (last 10:02), 1 malformed (last 09:40)”: requests never stored."""
    parts = []
    for row in WebhookRejection.objects.filter(count__gt=0).order_by("-count", "reason"):
        reason = mask_numbers_in(row.reason)  # the reasons are the console's words; masked like any text
        singular, plural = REFUSAL_LABELS.get(reason, (reason.replace("_", " "),) * 2)
        text = f"{row.count} {singular if row.count == 1 else plural}"
        parts.append(f"{text} (last {_when(row.last_at)})" if row.last_at else text)
    return f"Refused: {', '.join(parts)}" if parts else "Refused: none"
