"""The history pages beside the message list: a conversation's transcript and the exports.

Both are views of the Message admin (its permissions, its filters); the
conversation page links to the transcript (`transcript_link_html`).
"""

from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from conversations_ops import exports
from conversations_ops.masking import address_for, can_see_full_numbers, text_for
from conversations_ops.models import Conversation
from conversations_ops.permissions import EXPORT_HISTORY
from conversations_ops.selectors.expected_failures import expected_failures
from conversations_ops.selectors.history import transcript_page
from conversations_ops.selectors.history_rows import describe_messages

from .masked import mask_row

FORMATS = {
    "csv": (exports.csv_chunks, "text/csv; charset=utf-8"),
    "json": (exports.json_chunks, "application/json; charset=utf-8"),
}


def may_export(request) -> bool:
    return request.user.has_perm(EXPORT_HISTORY)


def export_view(model_admin, request, fmt):
    """The message list's rows (its query string: filters, search, order) as a streamed file."""
    if fmt not in FORMATS:
        raise Http404("Export as csv or json.")
    if not (model_admin.has_view_permission(request) and may_export(request)):
        raise PermissionDenied
    request.history_export = True  # the changelist only builds the queryset (history_columns.py)
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest("These filters do not apply to messages.")
    except DisallowedModelAdminLookup as refusal:  # admin/lookups.py: only the list's own parameters
        return HttpResponseBadRequest(f"Not exported: {refusal}.", content_type="text/plain; charset=utf-8")
    chunks, content_type = FORMATS[fmt]
    response = StreamingHttpResponse(
        chunks(exports.history_records(changelist.queryset, user=request.user)), content_type=content_type
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="messages-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"  # may hold numbers and what people wrote
    return response


def _before(request):
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() else None


def _oldest_first(model_admin, request) -> str:
    """The list's `o` parameter that sorts by "when" ascending (its position counts the checkbox column)."""
    columns = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        columns.insert(0, "action_checkbox")
    return str(columns.index("when"))


def transcript_view(model_admin, request, conversation_id):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    conversation = get_object_or_404(Conversation, pk=conversation_id)
    before = _before(request)
    page = transcript_page(conversation=conversation, before=before)
    if not can_see_full_numbers(request.user):
        mask_row(conversation)  # its names and attributes, shown in the heading; never saved
    rows = describe_messages(page.messages, user=request.user, all_receipts=True)
    expected = expected_failures(page.messages)
    people = [
        (
            p.role or "participant",
            address_for(request.user, p.messaging_binding_address) or text_for(request.user, p.identity),
            p.messaging_binding_type or ("chat" if p.identity else ""),
            p.get_sync_state_display(),
        )
        for p in conversation.participants.order_by("pk")
    ]
    query = f"?conversation__id__exact={conversation.pk}&o={_oldest_first(model_admin, request)}"
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Transcript: {conversation}",
        "opts": Conversation._meta,
        "original": conversation,
        "conversation": conversation,
        "people": people,
        "rows": rows,
        "expected_failures": expected,
        "older_url": f"?before={page.older_before}" if page.older_before is not None else "",
        "showing_older": before is not None,
        "list_url": _list_url(conversation),
        "export_query": query if may_export(request) else "",
    }
    return TemplateResponse(request, "admin/conversations_ops/conversation/transcript.html", context)


def _list_url(conversation) -> str:
    return reverse("admin:conversations_ops_message_changelist") + f"?conversation__id__exact={conversation.pk}"


def transcript_link_html(conversation):
    """On a conversation's page: its transcript and its messages in the history list."""
    if conversation is None or conversation.pk is None:
        return "—"
    transcript = reverse("admin:conversations_ops_conversation_transcript", args=[conversation.pk])
    return format_html(
        '<a href="{}">Transcript</a> · <a href="{}">Messages in the history list</a>',
        transcript,
        _list_url(conversation),
    )
