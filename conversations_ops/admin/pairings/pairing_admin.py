"""Courier pairings: the list, the Start pairing page, and a read-only page per pairing.

A pairing is never edited or deleted here: it is started through the pre-flight
(start.py) and ended with Close or Abandon (actions.py), each a
service call. The page shows the facts, the timeline and the transcript, numbers
masked unless the viewer may see them.

Starting needs add_pairing, push_to_twilio and send_message (it sends the invite);
Close, Retry, Abandon and Replace the courier need change_pairing and push_to_twilio
(conversations_ops.permissions).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.timesince import timesince

from conversations_ops import permissions as rules
from conversations_ops import validators as v
from conversations_ops.masking import shown
from conversations_ops.models import Pairing, PairingState

from ..masked import MaskedFieldsMixin
from ..permissions import may
from . import display as show
from .actions import ACTIONS, offered_actions, pairing_action_view, pairings_close
from .courier_replace import courier_replace_view
from .filters import WaitingTooLongFilter
from .start import conflict_close_view, pairing_start_view


def _is_address(term: str) -> bool:
    try:
        v.validate_messaging_address(term)
    except ValidationError:
        return False
    return True


@admin.register(Pairing)
class PairingAdmin(MaskedFieldsMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "state",
        "customer",
        "courier",
        "sender_address",
        "conversation_link",
        "started_by",
        "created_at",
        "expires_at",
        "age",
    )
    list_display_links = ("id",)
    list_filter = ("state", WaitingTooLongFilter, "sender")
    list_select_related = ("sender", "conversation", "started_by")
    search_fields = ("conversation__sid__exact",)
    search_help_text = (
        "A conversation SID (CH..., exact), a pairing id, or the customer's or courier's whole "
        "number, e.g. whatsapp:+447700900123."
    )
    show_full_result_count = False
    actions = ("close_selected",)
    fieldsets = (
        (
            "Pairing",
            {
                "fields": (
                    "state_explained",
                    "customer",
                    "courier",
                    "sender_address",
                    "sms_sender_address",
                    "conversation_link",
                    "started_by",
                )
            },
        ),
        ("Messages", {"fields": ("invite", "connected", "auto_reply", "reply_timeout_minutes")}),
        ("Times", {"fields": ("created_at", "invited_at", "expires_at", "replied_at", "connected_at", "ended_at")}),
        ("Timeline", {"fields": ("timeline",)}),
        ("Transcript", {"fields": ("transcript",)}),
    )
    readonly_fields = tuple(name for _, options in fieldsets for name in options["fields"])

    # Read-only: started on the Start pairing page, ended by Close or Abandon.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        """Starting a pairing (the "Start pairing" button and page)."""
        return may(request, rules.START_PAIRING)

    def has_manage_permission(self, request, obj=None):
        """Close, Retry and Abandon: for those who may change pairings and push to Twilio."""
        return may(request, rules.MANAGE_PAIRING)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sender", "conversation", "started_by", "invite_template", "connected_template")
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().removeprefix("#")
        if term.isdigit():  # a pairing id: by primary key, not a text scan
            return queryset.filter(pk=int(term)), False
        if _is_address(term):  # the whole number finds it, even for those who see it masked
            return queryset.filter(Q(customer_address=term) | Q(courier_address=term)), False
        return super().get_search_results(request, queryset, search_term)

    # Columns and fields ------------------------------------------------------

    @admin.display(description="Customer")
    def customer(self, obj):
        return shown(obj, obj.customer_address)

    @admin.display(description="Courier")
    def courier(self, obj):
        return shown(obj, obj.courier_address)

    @admin.display(description="Sender", ordering="sender__address")
    def sender_address(self, obj):
        return obj.sender.address

    @admin.display(description="SMS sender")
    def sms_sender_address(self, obj):
        return obj.sms_sender or "none (both on WhatsApp)"

    @admin.display(description="Conversation")
    def conversation_link(self, obj):
        return show.conversation_link_html(obj.conversation)

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj):
        return timesince(obj.created_at) if obj.created_at else show.EMPTY

    @admin.display(description="State")
    def state_explained(self, obj):
        return show.state_html(obj)

    @admin.display(description="Invite template")
    def invite(self, obj):
        return show.template_html(obj.invite_template, obj.invite_variables)

    @admin.display(description="Connected template")
    def connected(self, obj):
        return show.template_html(obj.connected_template, obj.connected_variables)

    @admin.display(description="Timeline")
    def timeline(self, obj):
        return show.timeline_html(obj)

    @admin.display(description="Transcript")
    def transcript(self, obj):
        return show.transcript_html(obj)

    # Pages -------------------------------------------------------------------

    def get_urls(self):
        def view(function, **fixed):
            return self.admin_site.admin_view(lambda request, **kwargs: function(self, request, **fixed, **kwargs))

        own = [
            path("start/", view(pairing_start_view), name="conversations_ops_pairing_start"),
            path("start/close-conflict/", view(conflict_close_view), name="conversations_ops_pairing_conflict_close"),
            path(
                "<int:object_id>/replace-courier/",
                view(courier_replace_view),
                name="conversations_ops_pairing_replace_courier",
            ),
            *(
                path(
                    f"<int:object_id>/{name}/",
                    view(pairing_action_view, name=name),
                    name=f"conversations_ops_pairing_{name}",
                )
                for name in ACTIONS
            ),
        ]
        return own + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # The admin's "Add" leads to the pre-flight form, never to a bare model form.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:conversations_ops_pairing_start"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pairing = self.get_object(request, object_id)
        offered = offered_actions(pairing) if pairing and self.has_manage_permission(request) else []
        # Replace the courier (pairings/courier_replace.py): a page of its own, for a connected pairing.
        replaceable = bool(offered) and pairing.state == PairingState.CONNECTED
        extra_context = {**(extra_context or {}), "pairing_actions": offered, "courier_replaceable": replaceable}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Close selected pairings", permissions=["manage"])
    def close_selected(self, request, queryset):
        return pairings_close(self, request, queryset)
