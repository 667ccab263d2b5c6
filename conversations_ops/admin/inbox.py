"""The advisor's inbox: /admin/inbox/ (their customers, who waits longest first) and
/admin/inbox/<customer id>/ (the transcript of all the customer's conversations and the reply box).

Thin views: the reads are clienteling/inbox.py's, the sends message_send's (the same outbox,
guard and audit trail as the Send message page), an outreach clienteling's
customer_conversation_ensure. The list and the transcript refresh themselves with htmx
polling (`hx-trigger="every 5s"`): an htmx request gets the partial only.

Every request asks the row rule again, so a customer reassigned away is a 403 at once.
Numbers are masked unless the viewer may see them whole.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations_ops.clienteling.activity import customer_mark_read
from conversations_ops.clienteling.inbox import (
    SHOW_CHOICES,
    customer_for_inbox,
    customer_transcript,
    customer_windows,
    inbox_advisors,
    inbox_customers,
    inbox_rows,
    may_reply,
    may_use_inbox,
)
from conversations_ops.clienteling.selectors import customer_conversation
from conversations_ops.clienteling.services import customer_conversation_ensure
from conversations_ops.masking import address_for, text_for
from conversations_ops.messaging.template_variables import template_render
from conversations_ops.services.messages import approved_templates, message_send

from .inbox_forms import InboxReplyForm, media_upload_for
from .send_message import FREE_FORM, TEMPLATE

PAGE_SIZE = 50
POLL_SECONDS = 5


def _gate(request):
    if not may_use_inbox(request.user):
        raise PermissionDenied


def _customer_or_403(request, customer_id):
    customer = customer_for_inbox(request.user, customer_id)
    if customer is None:
        raise PermissionDenied  # not theirs (or no longer: reassigned), or no such customer
    return customer


def _context(request, **extra) -> dict:
    from django.contrib import admin

    return {**admin.site.each_context(request), "poll_seconds": POLL_SECONDS, **extra}


def inbox_view(request):
    _gate(request)
    advisors = inbox_advisors(request.user)
    advisor = request.GET.get("advisor", "")
    advisor_id = int(advisor) if advisor.isdigit() and any(str(a.pk) == advisor for a in advisors) else None
    show = request.GET.get("show", "")
    show = show if show in SHOW_CHOICES else ""
    page = Paginator(inbox_customers(request.user, advisor_id=advisor_id, show=show), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _context(
        request,
        title="Inbox",
        rows=inbox_rows(page.object_list, user=request.user),
        page=page,
        advisors=advisors,
        advisor_id=advisor_id,
        show=show,
        show_choices=SHOW_CHOICES,
        query=request.GET.urlencode(),
    )
    template = "clienteling/inbox_list.html" if request.htmx else "clienteling/inbox.html"
    return TemplateResponse(request, template, context)


def transcript_view(request, customer_id):
    """The transcript alone (htmx polling): the owner reading it has read it."""
    _gate(request)
    customer = _customer_or_403(request, customer_id)
    customer_mark_read(customer=customer, user=request.user)
    return TemplateResponse(
        request, "clienteling/transcript.html", _context(request, **_transcript_context(request, customer))
    )


def _transcript_context(request, customer) -> dict:
    return {"customer": customer, "transcript": customer_transcript(customer, user=request.user)}


def customer_view(request, customer_id):
    _gate(request)
    customer = _customer_or_403(request, customer_id)
    if request.method == "POST":
        return _reply(request, customer)
    customer_mark_read(customer=customer, user=request.user)
    window = customer_windows([customer])[customer.pk]
    initial = {
        "mode": request.GET.get("mode") or (FREE_FORM if window.free_form else TEMPLATE),
        "template": request.GET.get("template"),
    }
    return _render(request, customer, _form(request, customer, initial=initial))


def _templates_only(customer) -> bool:
    return customer_conversation(customer) is None or not customer_windows([customer])[customer.pk].free_form


def _form(request, customer, *, data=None, files=None, initial=None, conversation=None) -> InboxReplyForm:
    return InboxReplyForm(
        data,
        files,
        initial=initial,
        conversation=conversation or customer_conversation(customer),
        viewer=request.user,
        templates_only=_templates_only(customer),
    )


def _render(request, customer, form, *, preview: str | None = None, status: int = 200):
    conversation = customer_conversation(customer)
    window = customer_windows([customer])[customer.pk]
    context = _context(
        request,
        title=f"Inbox: {text_for(request.user, customer.name) or customer}",
        customer_name=text_for(request.user, customer.name) or str(customer),
        customer_address=address_for(request.user, customer.address),
        conversation=conversation,
        window=window,
        outreach=conversation is None,
        may_reply=may_reply(request.user, customer),
        form=form,
        preview=preview,
        approved=approved_templates(),
        **_transcript_context(request, customer),
    )
    return TemplateResponse(request, "clienteling/customer.html", context, status=status)


def _reply(request, customer):
    if not may_reply(request.user, customer):
        raise PermissionDenied  # an Auditor reads; a manager without the send permissions too
    action = request.POST.get("action", "send")
    if action in ("choose", "edit"):
        initial = {k: request.POST.get(k) for k in request.POST if k != "csrfmiddlewaretoken"}
        return _render(request, customer, _form(request, customer, initial=initial))
    conversation = customer_conversation(customer)
    form = _form(request, customer, data=request.POST, files=request.FILES, conversation=conversation)
    if conversation is None:
        return _outreach(request, customer, form, action)
    if not form.is_valid():
        return _render(request, customer, form)
    template = form.cleaned_data["template"] if form.cleaned_data["mode"] == TEMPLATE else None
    if template is not None and (action == "preview" or not form.cleaned_data.get("confirmed")):
        return _preview(request, customer, form, template, conversation)
    media_sid = media_upload_for(form, conversation) if template is None else ""
    if form.errors:
        return _render(request, customer, form)
    return _send(request, customer, form, conversation, template, media_sid)


def _preview(request, customer, form, template, conversation):
    data = request.POST.copy()
    data["confirmed"] = "on"
    confirmed = _form(request, customer, data=data, conversation=conversation)
    confirmed.is_valid()
    return _render(request, customer, confirmed, preview=template_render(template=template, variables=form.variables()))


def _send(request, customer, form, conversation, template, media_sid):
    try:
        message_send(
            conversation=conversation,
            body=form.cleaned_data["body"] if template is None else "",
            media_sid=media_sid,
            content_sid=template.sid if template else "",
            content_variables=form.variables() if template else None,
            author=request.user.get_username(),  # their chat identity in the conversation
            user=request.user,
            guard=True,
        )
    except ValidationError as exc:
        for reason in exc.messages:
            form.add_error(None, text_for(request.user, reason))
        return _render(request, customer, form)
    messages.success(
        request, f"Sent ({'template ' + str(template) if template else 'free-form'}): its delivery shows below."
    )
    return HttpResponseRedirect(reverse("inbox:customer", args=[customer.pk]))


def _outreach(request, customer, form, action):
    """No conversation yet: it is created (queued) with the advisor in it, then the template goes out,
    in one transaction; a refused template leaves nothing behind."""
    if request.POST.get("mode") != TEMPLATE:
        form.is_valid()  # refused: no conversation yet, templates only
        return _render(request, customer, form)
    preview = None
    with transaction.atomic():
        conversation = customer_conversation_ensure(customer=customer, user=request.user)
        form.conversation = conversation
        if form.is_valid() and action != "preview" and form.cleaned_data.get("confirmed"):
            template = form.cleaned_data["template"]
            try:
                message_send(
                    conversation=conversation,
                    content_sid=template.sid,
                    content_variables=form.variables(),
                    author=request.user.get_username(),
                    user=request.user,
                    guard=True,
                )
            except ValidationError as exc:
                transaction.set_rollback(True)
                for reason in exc.messages:
                    form.add_error(None, text_for(request.user, reason))
                return _render(request, customer, form)
            messages.success(request, f"Outreach started: template {template} queued to {customer}.")
            return HttpResponseRedirect(reverse("inbox:customer", args=[customer.pk]))
        if form.is_valid():  # checked against the conversation it would start: preview, then confirm
            data = request.POST.copy()
            data["confirmed"] = "on"
            confirmed = _form(request, customer, data=data, conversation=conversation)
            confirmed.is_valid()
            preview = template_render(template=form.cleaned_data["template"], variables=form.variables())
            form = confirmed
        transaction.set_rollback(True)  # nothing is started until the advisor confirms
    return _render(request, customer, form, preview=preview)
