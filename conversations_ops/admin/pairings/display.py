"""How a pairing reads in the admin: masked numbers, its timeline and its transcript as tables.

Everything is built with format_html / format_html_join, so what people wrote (and
what Twilio answered) is shown escaped. Phone numbers are masked on pairings the
admin loaded for a viewer without "view full numbers" (masking.for_viewer), in the
facts, the failure text, the timeline's details and the transcript.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from conversations_ops.masking import is_masked, mask_data, shown
from conversations_ops.models import Pairing, PairingState, ReceiptStatus, SyncState
from conversations_ops.pairings.selectors import pairing_timeline, pairing_transcript
from conversations_ops.twilio.errors import explain

EMPTY = "—"
STATUS_LABELS = dict(ReceiptStatus.choices)


def when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else EMPTY


def conversation_link_html(conversation):
    if conversation is None:
        return EMPTY
    url = reverse("admin:conversations_ops_conversation_change", args=[conversation.pk])
    return format_html('<a href="{}">{}</a>', url, conversation.sid or "not on Twilio yet")


def pairing_link_html(conversation):
    """On a conversation's page: the pairing it belongs to, if any."""
    try:
        pairing = conversation.pairing
    except Pairing.DoesNotExist:  # also an unsaved conversation (the add page)
        return EMPTY
    url = reverse("admin:conversations_ops_pairing_change", args=[pairing.pk])
    return format_html('<a href="{}">{}</a> ({})', url, pairing, pairing.get_state_display())


def state_html(pairing: Pairing):
    if pairing.state == PairingState.FAILED and pairing.failure:
        return format_html(
            '<strong>{}</strong><div class="pairing-failure" style="white-space: pre-wrap">{}</div>',
            pairing.get_state_display(),
            shown(pairing, pairing.failure),
        )
    return format_html("<strong>{}</strong>", pairing.get_state_display())


def template_html(template, variables):
    # The values are message content (a name, an order): a number in them is masked for every reader.
    values = format_html_join(", ", "{{{{{}}}}} = “{}”", sorted(mask_data(variables or {}).items()))
    return format_html(
        "{} ({}) · {}<br>{}",
        template,
        template.sid,
        template.approval_status or "not submitted",
        values or "no placeholders",
    )


# SIDs are 34 characters without a break: let them wrap so the table fits the admin's fieldset.
TIMELINE_ROW = (
    '<tr><td>{}</td><td>{}</td><td>{}</td><td style="word-break: break-all">{}</td>'
    '<td style="white-space: nowrap">{}</td><td>{}</td></tr>'
)


def _twilio_ref(step) -> str:
    parts = [step.result_sid] if step.result_sid else []
    if step.error_code:
        parts.append(f"error {step.error_code} ({explain(step.error_code, None).title})")
    return " · ".join(parts) or EMPTY


def timeline_html(pairing: Pairing):
    lines = pairing_timeline(pairing=pairing)
    if not lines:
        return "No steps yet."
    rows = format_html_join(
        "",
        TIMELINE_ROW,
        (
            (
                line.step.get_kind_display(),
                line.status,
                shown(pairing, line.detail) or EMPTY,
                _twilio_ref(line.step),
                when(line.step.completed_at or line.step.created_at),
                line.step.actor or EMPTY,
            )
            for line in lines
        ),
    )
    return format_html(
        '<table class="pairing-timeline"><thead><tr><th>Step</th><th>Status</th><th>Detail</th>'
        "<th>Twilio SID / error</th><th>When</th><th>By</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def _receipts_html(receipts):
    if not receipts:
        return EMPTY
    return format_html_join(
        mark_safe("<br>"),
        "{}: {}{}",  # a constant: nothing to escape
        (
            (
                f"{r.role} ({r.address})" if r.role else r.address,
                STATUS_LABELS.get(r.status, r.status),
                f" (error {r.error_code}: {explain(r.error_code, None).title})" if r.error_code else "",
            )
            for r in receipts
        ),
    )


def _text(row) -> str:
    """What the person read: a template under its name (its SID when it is not pulled yet), attachments counted."""
    text = row.text
    if row.template_sid:
        text = f"[{row.template_name or 'template ' + row.template_sid}] {text}".rstrip()
    if row.media:
        text += f" [{len(row.media)} attachment{'s' if len(row.media) != 1 else ''}]"
    return text


def _message_when(message):
    """When Twilio has it; else when it was queued, and why it is not there. Links to the message's page."""
    if message.date_created:
        text = when(message.date_created)
    else:
        why = "Twilio refused it" if message.sync_state == SyncState.FAILED else "not on Twilio yet"
        text = f"{when(message.created_at)} ({why})"
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:conversations_ops_message_change", args=[message.pk]), text
    )


TRANSCRIPT_ROW = '<tr><td>{}</td><td style="white-space: pre-wrap">{}</td><td>{}</td><td>{}</td></tr>'


def transcript_html(pairing: Pairing):
    rows = pairing_transcript(pairing=pairing, full_numbers=not is_masked(pairing))
    if not rows:
        return "No messages yet."
    rows = format_html_join(
        "",
        TRANSCRIPT_ROW,
        ((row.who, _text(row) or EMPTY, _message_when(row.message), _receipts_html(row.receipts)) for row in rows),
    )
    return format_html(
        '<table class="pairing-transcript"><thead><tr><th>Who</th><th>Text</th><th>When</th>'
        "<th>Receipts (per recipient)</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )
