"""Customers' and couriers' numbers in the admin, masked for staff without "view full numbers".

Display methods receive only the row, never the request, so the admin flags the
rows it loads for such a viewer (`masking.for_viewer`) and displays ask the row
(`masking.shown`). Model fields that hold a number are swapped, on the change
page, for a display method that masks (`masked_fields`); the full value then
never reaches the page, not even in a form input.
"""

from django.utils.safestring import SafeString, mark_safe

from conversations_ops.masking import can_see_full_numbers, for_viewer, mask_numbers_in


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


class MaskedRowsMixin:
    """Rows flagged for the viewer; the delete confirmation masks the related rows it lists too."""

    def get_queryset(self, request):
        return for_viewer(super().get_queryset(request), request.user)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if can_see_full_numbers(request.user):
            return deleted, counts, perms_needed, protected
        return _masked_tree(deleted), counts, perms_needed, _masked_tree(protected)


class MaskedFieldsMixin(MaskedRowsMixin):
    """`masked_fields = {"model_field": "display_method"}`: on an existing row's page, a viewer who
    may not see numbers gets the display (read-only, masked) instead of the field. On the add
    page the field stays: staff type the number they were given."""

    masked_fields: dict[str, str] = {}

    def masks_numbers(self, request, obj) -> bool:
        return obj is not None and not can_see_full_numbers(request.user)

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        if not self.masks_numbers(request, obj):
            return excluded
        return (*(excluded or ()), *self.masked_fields)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.masks_numbers(request, obj):
            return fields
        return (*(f for f in fields if f not in self.masked_fields), *self.masked_fields.values())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.masks_numbers(request, obj):
            return fieldsets
        seen = set()
        return [
            (name, {**options, "fields": _swapped(options["fields"], self.masked_fields, seen)})
            for name, options in fieldsets
        ]
