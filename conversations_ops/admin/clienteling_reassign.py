"""Reassignment in the admin: the customer list's action "Reassign to another advisor" and the page that
moves all of one advisor's customers (someone leaves; linked from each team's members).

Both ask first: choose the advisor, optionally an introduction template and its variables (previewed),
see how many customers move and how many of them get the introduction, then confirm. Thin: the check
and the move are the services' (clienteling/reassign.py); their refusals are shown beside the field
they name.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations_ops import permissions as rules
from conversations_ops.clienteling.reassign import (
    BOOK_MOVE_INLINE_MAX,
    Introduction,
    customer_reassign,
    customer_reassign_check,
    customers_book,
    customers_reassign_all,
    customers_reassign_all_later,
)
from conversations_ops.clienteling.services import ADVISORS_GROUP
from conversations_ops.messaging.template_variables import template_render
from conversations_ops.models import Conversation, ConversationState, SyncState, Template
from conversations_ops.services.messages import approved_templates

from .pairings.forms import service_errors_show, template_label
from .permissions import require

TEMPLATE = "admin/conversations_ops/customer/reassign.html"


class _AdvisorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() and f"{obj.get_username()} ({obj.get_full_name()})" or obj.get_username()


class _TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return template_label(obj)


class ReassignForm(forms.Form):
    advisor = _AdvisorChoice(
        queryset=get_user_model().objects.none(),
        label="New advisor",
        help_text="An active staff member of the Advisors group (a manager: of a team they manage).",
    )
    introduction = _TemplateChoice(
        queryset=Template.objects.none(),
        required=False,
        help_text="Optional: an approved template the customer receives from their new advisor (only customers "
        "with an open conversation get it; templates are allowed outside WhatsApp's 24-hour window).",
    )
    variables = forms.CharField(
        required=False,
        help_text='The template\'s variables as JSON, e.g. {"1": "Robert", "2": "Bob"}.',
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=ADVISORS_GROUP)
        self.fields["advisor"].queryset = users.order_by("username").distinct()
        self.fields["introduction"].queryset = Template.objects.filter(pk__in=[t.pk for t in approved_templates()])

    def clean_variables(self):
        text = self.cleaned_data["variables"].strip()
        try:
            value = json.loads(text) if text else {}
        except json.JSONDecodeError as exc:
            raise ValidationError(f'Not JSON ({exc.msg}): write e.g. {{"1": "Robert"}}.') from exc
        if not isinstance(value, dict):
            raise ValidationError('Write a JSON object, e.g. {"1": "Robert"}.')
        return value

    def introduction_value(self) -> Introduction | None:
        template = self.cleaned_data.get("introduction")
        if template is None:
            return None
        return Introduction(content_sid=template.sid, variables=self.cleaned_data.get("variables") or {})

    def preview(self) -> str:
        template = self.cleaned_data.get("introduction")
        return template_render(template=template, variables=self.cleaned_data.get("variables")) if template else ""


class BookForm(ReassignForm):
    from_advisor = _AdvisorChoice(
        queryset=get_user_model().objects.none(),
        label="Move the customers of",
        help_text="Everyone who owns customers, including accounts already deactivated (someone who left).",
    )
    field_order = ("from_advisor", "advisor", "introduction", "variables")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = get_user_model().objects.filter(clienteling_customers__isnull=False).distinct()
        self.fields["from_advisor"].queryset = owners.order_by("username")


def _with_open_conversation(customers) -> set[int]:
    """The customers (pks) whose chat participant changes and who may get the introduction: one query."""
    return set(
        Conversation.objects.filter(customer_link__customer__in=[c.pk for c in customers])
        .exclude(state=ConversationState.CLOSED)
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .values_list("customer_link__customer", flat=True)
    )


def _render(admin, request, form, *, title, customers, bulk_action="", checked=False):
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "title": title,
        "form": form,
        "customers": customers[:20],
        "selected_ids": [c.pk for c in customers] if bulk_action else [],
        "moving_count": len(customers),
        "with_conversation": len(_with_open_conversation(customers)),
        "checked": checked,
        "preview": form.preview() if checked else "",
        "bulk_action": bulk_action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, TEMPLATE, context)


def customers_reassign_view(admin, request, queryset):
    """The action: the selected customers (among those the row rule shows) move to the chosen advisor."""
    customers = list(queryset.select_related("advisor", "sender"))
    step = request.POST.get("step")
    form = ReassignForm(request.POST if step else None)
    title = f"Reassign {len(customers)} customer{'s' if len(customers) != 1 else ''} to another advisor"
    checked = False
    if step and form.is_valid():
        advisor, introduction = form.cleaned_data["advisor"], form.introduction_value()
        checked = _checked(form, [(c, introduction) for c in customers], advisor, request.user)
        if checked and step == "reassign":
            moved = _reassign_each(admin, request, customers, advisor, introduction)
            admin.message_user(
                request,
                f"{moved} customer{'s' if moved != 1 else ''} moved to {advisor.get_username()}.",
                messages.SUCCESS,
            )
            return None
    return _render(
        admin,
        request,
        form,
        title=title,
        customers=customers,
        bulk_action="reassign_selected",
        checked=checked,
    )


def _checked(form, asked, advisor, user) -> bool:
    """The refusals of each (customer, introduction) asked, beside their field (each message once)."""
    seen = set()
    for customer, introduction in asked:
        try:
            customer_reassign_check(customer=customer, advisor=advisor, user=user, introduction=introduction)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                fresh = [p for p in problems if (field, p) not in seen]
                seen.update((field, p) for p in fresh)
                if fresh:
                    service_errors_show(form, ValidationError({field: fresh}))
    return not seen


def _reassign_each(admin, request, customers, advisor, introduction) -> int:
    moved = 0
    for customer in customers:
        try:
            move = customer_reassign(customer=customer, advisor=advisor, user=request.user, introduction=introduction)
        except ValidationError as exc:  # changed since the check (another manager moved them)
            admin.message_user(request, f"{customer}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            moved += 1
            if move.not_introduced:  # opted out: moved, and told why they got no introduction
                admin.message_user(request, f"{customer}: moved. {move.not_introduced}", messages.WARNING)
    return moved


def book_reassign_view(admin, request):
    """All of one advisor's customers (those the acting user may move) go to another advisor."""
    require(request, rules.ASSIGN_CUSTOMER)
    step = request.POST.get("step") if request.method == "POST" else None
    form = BookForm(request.POST if step else None, initial={"from_advisor": request.GET.get("from")})
    customers, checked = [], False
    if step and form.is_valid():
        data = form.cleaned_data
        customers = list(customers_book(from_advisor=data["from_advisor"], user=request.user))
        if step == "reassign":
            asked = {
                "from_advisor": data["from_advisor"],
                "to_advisor": data["advisor"],
                "user": request.user,
                "introduction": form.introduction_value(),
            }
            try:
                if len(customers) <= BOOK_MOVE_INLINE_MAX:
                    _report_book(admin, request, customers_reassign_all(**asked), data)
                else:  # a big book would outlast the request (~50 ms a customer): a worker moves it
                    _report_queued(admin, request, customers_reassign_all_later(**asked), data)
            except ValidationError as exc:
                service_errors_show(form, exc)
            else:
                return HttpResponseRedirect(reverse("admin:conversations_ops_customer_changelist"))
        else:
            checked = _book_checked(form, customers, request.user)
    elif not step and request.GET.get("from"):
        owner = get_user_model().objects.filter(pk=request.GET["from"]).first()
        customers = list(customers_book(from_advisor=owner, user=request.user)) if owner else []
    return _render(
        admin,
        request,
        form,
        title="Move all of an advisor's customers",
        customers=customers,
        checked=checked,
    )


def _book_checked(form, customers, user) -> bool:
    data = form.cleaned_data
    if not customers:
        form.add_error("from_advisor", f"{data['from_advisor'].get_username()} has no customer you may move.")
        return False
    # As the service moves a book: the advisor checked once, the introduction where there is a conversation.
    asked = [(customers[0], None)]
    introduction, open_ones = form.introduction_value(), _with_open_conversation(customers)
    if introduction is not None and open_ones:
        asked.append((next(c for c in customers if c.pk in open_ones), introduction))
    return _checked(form, asked, data["advisor"], user)


def _report_queued(admin, request, count: int, data) -> None:
    admin.message_user(
        request,
        f"Moving {count} customers from {data['from_advisor'].get_username()} to {data['advisor'].get_username()} "
        "in the background: each move appears in the audit trail as it is made. If it stops half-way, "
        "moving the book again finishes it.",
        messages.SUCCESS,
    )


def _report_book(admin, request, book, data) -> None:
    moved = len(book.moves)
    introduced = sum(1 for move in book.moves if move.introduced)
    admin.message_user(
        request,
        f"{moved} customer{'s' if moved != 1 else ''} moved from {data['from_advisor'].get_username()} to "
        f"{data['advisor'].get_username()}"
        + (f"; {introduced} received the introduction." if data.get("introduction") else "."),
        messages.SUCCESS,
    )
    for move in book.moves:
        if move.not_introduced:  # opted out: moved, and told why they got no introduction
            admin.message_user(request, f"{move.customer}: moved. {move.not_introduced}", messages.WARNING)
    for customer, reason in book.skipped:
        admin.message_user(request, f"Not moved: {customer}: {reason}", messages.ERROR)
