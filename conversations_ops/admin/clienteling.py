"""Clienteling in the admin: customers (each staff member sees only the rows the row rule gives
them: clienteling/selectors.py) and teams. Saving calls the clienteling services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils.html import format_html

from conversations_ops import permissions as rules
from conversations_ops.clienteling.selectors import customer_conversation, customers_visible_to
from conversations_ops.clienteling.services import customer_create, customer_create_check, customer_update
from conversations_ops.masking import shown
from conversations_ops.models import ClientelingTeam, Customer, TeamMembership

from .clienteling_import import CustomerImportExportMixin
from .clienteling_reassign import book_reassign_view, customers_reassign_view
from .consent import consent_line
from .masked import MaskedFieldsMixin, MaskedInlineMixin
from .permissions import may
from .work_filters import UnassignedQueueFilter

CREATED_ONLY = ("whatsapp_address", "sms_address", "sender", "advisor")


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ("name", "whatsapp_address", "sms_address", "sender", "advisor", "notes", "tags")

    def clean(self):
        data = super().clean()
        sender = data.get("sender")
        if self.instance.pk is None and sender is not None:
            # The service's own refusals, beside their fields, before anything is saved.
            address = (
                data.get("whatsapp_address") if sender.address.startswith("whatsapp:") else data.get("sms_address")
            )
            try:
                customer_create_check(address=(address or "").strip(), sender=sender, advisor=data.get("advisor"))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Customer)
class CustomerAdmin(CustomerImportExportMixin, MaskedFieldsMixin, admin.ModelAdmin):
    form = CustomerForm
    change_list_template = "admin/conversations_ops/customer/change_list.html"  # links the figures page
    list_display = ("__str__", "name", "shown_address", "sender", "advisor", "source", "routing_problem", "created_at")
    list_filter = ("source", "sender", UnassignedQueueFilter)  # the home page's queue count
    list_select_related = ("sender", "advisor")
    search_fields = ("name__icontains",)
    fields = (
        "name",
        "whatsapp_address",
        "sms_address",
        "sender",
        "advisor",
        "notes",
        "tags",
        "source",
        "routing_problem",
        "current_conversation",
        "consent",
        "created_by",
        "created_at",
    )
    readonly_fields = ("source", "routing_problem", "current_conversation", "consent", "created_by", "created_at")
    actions = ("reassign_selected",)

    def get_queryset(self, request):
        return customers_visible_to(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        # Outside the row rule is "not yours" (403, as the inbox answers), not the admin's "deleted?"
        # redirect: an advisor whose customer was reassigned is told plainly. Only the id is known to
        # exist, which the viewer already had in the URL.
        if (
            found is None
            and from_field is None
            and object_id.isdigit()
            and Customer.objects.filter(pk=object_id).exists()
        ):
            raise PermissionDenied("This customer is not among those you may see.")
        return found

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Number, sender and owner are set once here; moving a customer is reassignment (audited, re-added on Twilio).
        return (*fields, *[name for name in CREATED_ONLY if name not in fields]) if obj is not None else fields

    @admin.display(description="Address")
    def shown_address(self, obj):
        return shown(obj, obj.whatsapp_address or obj.sms_address)

    @admin.display(description="Conversation")
    def current_conversation(self, obj):
        conversation = customer_conversation(obj) if obj.pk else None
        return (conversation.sid or "being created on Twilio") if conversation else "-"

    @admin.display(description="Consent")
    def consent(self, obj):
        return consent_line(obj.whatsapp_address or obj.sms_address, obj.sender.address) if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        if change:
            # The form already wrote its values onto `obj`: the service compares with the stored row.
            stored = Customer.objects.get(pk=obj.pk)
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            customer_update(customer=stored, data=changed, user=request.user)
            return
        created = customer_create(
            address=obj.whatsapp_address if obj.sender.address.startswith("whatsapp:") else obj.sms_address,
            sender=obj.sender,
            name=obj.name,
            advisor=obj.advisor,
            notes=obj.notes,
            tags=obj.tags,
            user=request.user,
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    # Reassignment (admin/clienteling_reassign.py): the action, and the page for a whole book.

    def has_reassign_permission(self, request):
        return may(request, rules.ASSIGN_CUSTOMER)

    @admin.action(description="Reassign to another advisor", permissions=["reassign"])
    def reassign_selected(self, request, queryset):
        return customers_reassign_view(self, request, queryset)

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: book_reassign_view(self, request))
        own = [path("reassign-advisor/", view, name="conversations_ops_customer_reassign_advisor")]
        return own + super().get_urls()


class TeamMembershipInline(MaskedInlineMixin, admin.TabularInline):
    model = TeamMembership
    extra = 0
    fields = ("advisor", "available", "last_assigned_at", "move_customers")
    readonly_fields = ("last_assigned_at", "move_customers")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            # A tabular row's inputs have their field's name only in the column heading, which is no
            # label to a screen reader (axe: label, critical): each input carries it as its aria-label.
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for field in form.fields.values():
                    # A foreign key's select sits inside the admin's related-widget wrapper.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", str(field.label))

        return Labelled

    @admin.display(description="Customers")
    def move_customers(self, obj):
        """Someone leaves: the page that moves their whole book (reassignment)."""
        if obj.pk is None:
            return "-"
        url = reverse("admin:conversations_ops_customer_reassign_advisor")
        return format_html('<a href="{}?from={}">Move their customers…</a>', url, obj.advisor_id)


@admin.register(ClientelingTeam)
class ClientelingTeamAdmin(MaskedFieldsMixin, admin.ModelAdmin):
    list_display = ("name", "assignment")
    list_filter = ("assignment",)
    search_fields = ("name__icontains",)
    fields = ("name", "senders", "managers", "assignment")
    filter_horizontal = ("senders", "managers")
    inlines = [TeamMembershipInline]
