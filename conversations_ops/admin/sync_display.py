"""How a sync failure reads in the admin: Twilio's words, the meaning, the next step, a link."""

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from conversations_ops.masking import mask_numbers_in, shown
from conversations_ops.models import OperationState, SyncOperation, SyncState
from conversations_ops.twilio.errors import explain


def explanation_html(*, code, status, message) -> str:
    explanation = explain(code, status)
    heading = f"{code} · {explanation.title}" if code else explanation.title
    return format_html(
        '<div class="sync-problem"><strong>{}</strong><br>Twilio said: {}<br>{}<br>'
        '<strong>Next step:</strong> {}<br><a href="{}" target="_blank" rel="noopener">{}</a></div>',
        heading,
        message or "(no message)",
        explanation.meaning,
        explanation.next_step,
        explanation.link,
        explanation.link,
    )


def _operation(row, state: str, *, newest: bool) -> SyncOperation | None:
    """The row's newest (or oldest) operation in `state`."""
    return (
        SyncOperation.objects.filter(content_type=ContentType.objects.get_for_model(row), object_id=row.pk, state=state)
        .order_by("-pk" if newest else "pk")
        .first()
    )


def last_failed_operation(row) -> SyncOperation | None:
    """The mirror row keeps code and message; the HTTP status lives on the operation."""
    return _operation(row, OperationState.FAILED, newest=True)


def row_problem_html(row) -> str:
    if row.pk is None or row.sync_state != SyncState.FAILED:
        return "—"
    op = last_failed_operation(row)
    return explanation_html(
        code=row.last_sync_error_code,
        status=op.last_error_status if op else None,
        message=shown(row, row.last_sync_error),  # Twilio's words may quote the person's number
    )


def _when(moment) -> str:
    """HH:MM today, with the day before it otherwise (staff read "at 09:12" as this morning)."""
    local = timezone.localtime(moment)
    same_day = local.date() == timezone.localdate()
    return local.strftime("%H:%M") if same_day else local.strftime("%d %b %Y %H:%M")


def _oldest_pending_operation(row) -> SyncOperation | None:
    return _operation(row, OperationState.PENDING, newest=False)


def sync_status_html(row, links=()) -> str:
    """The change page's one line on where the record stands with Twilio.

    `links` are (label, url) pairs the viewer may follow (Push now, Retry failed): the admin
    decides who may, this only shows them. A failure is told by `row_problem_html`, the same
    words as the details and the sync operation's page."""
    link = ' <a class="button sync-status-action" href="{}">{}</a>'
    actions = format_html_join(" ", link, ((url, label) for label, url in links))
    if row.sync_state == SyncState.SYNCED:
        when = f" at {_when(row.last_synced_at)}" if row.last_synced_at else ""
        return format_html('<div class="sync-status sync-status-synced">Synced with Twilio{}.{}</div>', when, actions)
    if row.sync_state == SyncState.PENDING:
        op = _oldest_pending_operation(row)
        queued = f" (queued {_when(op.created_at)})" if op else ""
        return format_html(
            '<div class="sync-status sync-status-pending">Waiting to be pushed to Twilio{}.{}</div>', queued, actions
        )
    if row.sync_state == SyncState.FAILED:
        return format_html(
            '<div class="sync-status sync-status-failed"><strong>Failed:</strong> {}{}</div>',
            row_problem_html(row),
            actions,
        )
    seen = f" (last seen {_when(row.last_seen_at)})" if row.last_seen_at else ""
    return format_html('<div class="sync-status sync-status-deleted">Deleted on Twilio{}.</div>', seen)


def row_problem_summary(row) -> str:
    """A short list-page cell; the change page has the full explanation."""
    if row.sync_state != SyncState.FAILED:
        return ""
    title = explain(row.last_sync_error_code, None).title if row.last_sync_error_code else "Failed"
    return f"{row.last_sync_error_code} {title}" if row.last_sync_error_code else title


def target_link(op: SyncOperation, *, masked: bool = False) -> str:
    target = op.target
    if target is None:
        return f"{op.content_type.model} #{op.object_id} (deleted)"
    name = mask_numbers_in(str(target)) if masked else str(target)  # a participant is named by its number
    try:
        url = reverse(f"admin:{op.content_type.app_label}_{op.content_type.model}_change", args=[op.object_id])
    except NoReverseMatch:
        return name
    return format_html('<a href="{}">{}</a>', url, name)
