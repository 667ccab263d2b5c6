"""Customers' and couriers' numbers in the admin, masked for staff without "view full numbers".

Display methods receive only the row, never the request, so the admin flags the
rows it loads for such a viewer (`masking.for_viewer`) and displays ask the row
(`masking.shown`). Model fields that hold a number are swapped, on the change
page, for a display method that masks (`masked_fields`); the full value then
never reaches the page, not even in a form input.
"""

import json

from django.contrib.messages.storage.fallback import FallbackStorage
from django.db.models import CharField, JSONField, Model, TextField
from django.utils.safestring import SafeData, SafeString, mark_safe

from conversations_ops.masking import can_see_full_numbers, contains_number, for_viewer, mask_data, mask_numbers_in


def _masked_tree(items):
    """The delete page's nested list of "Participant: <a>whatsapp:+1…</a>" lines, numbers masked."""
    masked = []
    for item in items:
        if isinstance(item, list):
            masked.append(_masked_tree(item))
        elif isinstance(item, SafeString):
            masked.append(mark_safe(mask_numbers_in(item)))  # only digits change: the escaping stays valid
        else:
            masked.append(mask_numbers_in(str(item)))
    return masked


def _swapped(fields, names: dict, seen: set):
    """A fieldset's fields with each masked field replaced by its display (nested rows kept).

    A display already placed (the swap of a field listed in an earlier fieldset,
    or added as a read-only field) is not repeated."""
    swapped = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            swapped.append(_swapped(field, names, seen))
            continue
        field = names.get(field, field)
        if field not in seen:
            seen.add(field)
            swapped.append(field)
    return tuple(swapped)


# Fields that hold the business's own numbers (its senders, the sandbox, the proxy a person
# writes to): staff configure them and see them whole. Every other text field is masked
# wherever it holds a number, whatever it was meant to hold.
OWN_NUMBER_FIELDS = {
    "addressconfiguration": {"address"},
    "consent": {"sender"},
    "participant": {"messaging_binding_proxy_address", "messaging_binding_projected_address"},
    "pairing": {"sms_sender"},
    "sandboxsender": {"address"},
    "messaginginbound": {"to_address"},
}
# A masked display made for a field that holds a number: `masked__<field name>`.
MASKED_DISPLAY = "masked__"
_TEXT_FIELDS = (CharField, TextField, JSONField)


def text_fields(model):
    """The model's fields that may hold free text or JSON, but not the business's own numbers."""
    own = OWN_NUMBER_FIELDS.get(model._meta.model_name, set())
    return [f for f in model._meta.concrete_fields if isinstance(f, _TEXT_FIELDS) and f.name not in own]


def _as_text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def mask_row(row) -> None:
    """Masks, in memory, every number in the row's text fields (for rows that are only shown, never saved)."""
    for field in text_fields(type(row)):
        value = getattr(row, field.attname)
        if isinstance(value, str):
            setattr(row, field.attname, mask_numbers_in(value))
        elif value is not None and isinstance(field, JSONField):
            setattr(row, field.attname, mask_data(value))


def _mask_rows(rows) -> None:
    for row in rows:
        if isinstance(row, Model):
            mask_row(row)


class MaskedRowsMixin:
    """Rows flagged for the viewer; for a viewer who may not see numbers, the list's rows have every
    number in their text masked (names, attributes, Twilio's errors...: a number is masked wherever
    it was written, not only in the fields meant for one), and so do the related rows a delete
    confirmation lists."""

    def get_queryset(self, request):
        return for_viewer(super().get_queryset(request), request.user)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Shown only: list_editable would post the masked values back, so no list here has it.
        if not can_see_full_numbers(request.user) and not self.list_editable:
            _mask_rows(changelist.result_list)  # fills the page's cache: the template reads these rows
        return changelist

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None) or {}
        if not can_see_full_numbers(request.user) and context.get("action_list") is not None:
            # Django's log: the row's name when it was saved and what changed, in staff's words.
            _mask_rows(context["action_list"])
        return response

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if can_see_full_numbers(request.user):
            return deleted, counts, perms_needed, protected
        return _masked_tree(deleted), counts, perms_needed, _masked_tree(protected)


class MaskedFieldsMixin(MaskedRowsMixin):
    """On an existing row's page, a viewer who may not see numbers gets a read-only masked display
    instead of each field that holds a number: the full value then never reaches the page, not
    even in a form input, and cannot be saved back masked.

    `masked_fields = {"model_field": "display_method"}` names fields always swapped (the person's
    address) with their own display; any other text field is swapped for `masked__<field>` when its
    value holds a number. On the add page the fields stay: staff type the number they were given."""

    masked_fields: dict[str, str] = {}

    def masks_numbers(self, request, obj) -> bool:
        return obj is not None and not can_see_full_numbers(request.user)

    def swapped_fields(self, request, obj) -> dict[str, str]:
        """Field -> the display shown instead, for this viewer and this row."""
        if not self.masks_numbers(request, obj):
            return {}
        found = {
            field.name: f"{MASKED_DISPLAY}{field.name}"
            for field in text_fields(self.model)
            if field.name not in self.masked_fields and contains_number(_as_text(getattr(obj, field.attname)))
        }
        return {**self.masked_fields, **found}

    def __getattr__(self, name):
        # `masked__<field>`: the display the admin looks up by name for a swapped field.
        if not name.startswith(MASKED_DISPLAY):
            raise AttributeError(name)
        field = self.model._meta.get_field(name[len(MASKED_DISPLAY) :])

        def display(obj):
            return mask_numbers_in(_as_text(getattr(obj, field.attname)))

        display.short_description = field.verbose_name
        return display

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        swapped = self.swapped_fields(request, obj)
        if not swapped:
            return excluded
        return (*(excluded or ()), *swapped)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        swapped = self.swapped_fields(request, obj)
        if not swapped:
            return fields
        return (*(f for f in fields if f not in swapped), *dict.fromkeys(swapped.values()))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        swapped = self.swapped_fields(request, obj)
        if not swapped:
            return fieldsets
        seen = set()
        return [
            (name, {**options, "fields": _swapped(options["fields"], swapped, seen)}) for name, options in fieldsets
        ]


class MaskedMessageStorage(FallbackStorage):
    """MESSAGE_STORAGE: every message shown to staff ("Push now: 1 failed", "Participant … was
    changed", Twilio's refusal quoted) has its numbers masked when they may not see them.

    One rule for every `message_user` and `messages.*` call, Django's own included, rather
    than a mask at each call: Twilio's error text quotes the address it refused, and a new
    action's message would otherwise be one more place to remember. A viewer who is not known
    (no user on the request) gets the masked text."""

    def add(self, level, message, extra_tags=""):
        if not can_see_full_numbers(getattr(self.request, "user", None)):
            masked = mask_numbers_in(str(message))
            # Only digits change, so HTML the message was built with stays valid.
            message = mark_safe(masked) if isinstance(message, SafeData) else masked
        return super().add(level, message, extra_tags)


class MaskedInlineMixin(MaskedRowsMixin):
    """A read-only inline's rows with every number in their text masked for a viewer who may not see them."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if can_see_full_numbers(request.user) or self.has_change_permission(request, obj):
            return formset  # an editable inline would save the masked values back

        class MaskedFormSet(formset):
            def get_queryset(self):
                rows = super().get_queryset()
                _mask_rows(rows)
                return rows

        return MaskedFormSet
