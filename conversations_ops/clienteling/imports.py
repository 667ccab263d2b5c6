"""Customers from a CSV file (issue 19, item 1), with django-import-export: upload, a dry run that shows
each row's errors by column, then confirm.

The library gives the upload form, the dry run in a rolled-back transaction, the per-row error table,
the preview and the confirm step; the rules stay ours. Each row goes through the clienteling service
`customer_create` (its checks, `customer_create_check`, are the add form's too; its audit entry, its
conversation queued for an assigned customer), with source "import". The resource never saves a row
itself. Checks the service cannot know are added here: the sender and advisor are named in the file
(an address, a username), and a customer may be in the file twice.

Columns: name, whatsapp_address, sms_address, sender, advisor, notes, tags. The sender's channel decides
which address is the customer's (as on the add form); the other column stays empty. `tags` are separated
by commas or semicolons.

Optional consent columns (issue 20): `consent` is opted_in, opted_out or empty (nothing recorded), and
`consent_source` says where it was collected. `opted_in` needs a source and is recorded through
consent/services.py as "imported with a source" (the source is the evidence, the importer the staff
member); `opted_out` is recorded as an opt-out on request with the source (or "customer import") as the
reason. A file never opts back in someone who opted out on that sender (a STOP outweighs a spreadsheet):
that row is refused, and staff record it in the registry with a reason. The dry run records nothing (the
library rolls it back). The export fills the same two columns with what the registry holds now for the
customer's address on their sender (`consent`: opted_in, opted_out or empty; `consent_source`: how, and
the reason or source recorded with it), two subqueries on the export's queryset, not a query per row; the
registry's own export has the whole history.

Numbers: the preview and every error are masked unless the viewer may see whole numbers (the library
renders the values it read and the rows it refused as they are: `_shown` masks them first). An export
starts from the row rule (the admin's list) and masks numbers the same way.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from import_export import fields, resources
from import_export.resources import Diff
from import_export.results import Error, RowResult

from conversations_ops.audit.entries import audit_record
from conversations_ops.consent.selectors import consent_refusal
from conversations_ops.consent.services import NEEDS_REASON, consent_opt_in, consent_opt_out
from conversations_ops.masking import can_see_full_numbers, mask_numbers_in
from conversations_ops.models import Consent, ConsentChange, ConsentHow, ConsentState, Customer, CustomerSource

from .selectors import clienteling_sender
from .services import advisor_by_username, advisor_problem, customer_create, customer_create_check

COLUMNS = ("name", "whatsapp_address", "sms_address", "sender", "advisor", "notes", "tags")
CONSENT_COLUMNS = ("consent", "consent_source")  # optional on import; the registry's state now on export
CONSENT_VALUES = (ConsentState.OPTED_IN, ConsentState.OPTED_OUT)
_TAG_SEPARATORS = re.compile(r"[,;]")


class _MaskedDiff(Diff):
    """The preview's old and new values, numbers masked for a viewer who may not see them (the library
    reads them with `Diff._read_field_values`, not through the class: so after it reads them)."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = [resource.shown(value) for value in self.left]

    def compare_with(self, resource, instance):
        super().compare_with(resource, instance)
        self.right = [resource.shown(value) for value in self.right]


class CustomerResource(resources.ModelResource):
    sender = fields.Field(attribute="sender__address", column_name="sender")
    advisor = fields.Field(attribute="advisor__username", column_name="advisor")
    tags = fields.Field(attribute="tags", column_name="tags")
    # Not the customer's fields: what the row says about consent, kept on the instance for the save and the preview.
    consent = fields.Field(attribute="import_consent", column_name="consent", readonly=True)
    consent_source = fields.Field(attribute="import_consent_source", column_name="consent_source", readonly=True)

    class Meta:
        model = Customer
        fields = COLUMNS + CONSENT_COLUMNS
        import_order = COLUMNS + CONSENT_COLUMNS
        export_order = COLUMNS
        import_id_fields = []  # every row is a new customer: an existing one is a duplicate, not an update
        skip_unchanged = False
        report_skipped = True

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.full_numbers = can_see_full_numbers(user)
        self._seen: dict = {}  # (sender, address) -> first row number in this file

    # What anyone is shown --------------------------------------------------------------------------------

    def shown(self, value):
        return value if self.full_numbers or not isinstance(value, str) else mask_numbers_in(value)

    def get_diff_class(self):
        return _MaskedDiff

    def dehydrate_tags(self, customer):
        return ", ".join(customer.tags or [])

    def export_field(self, field, instance, **kwargs):
        return self.shown(super().export_field(field, instance, **kwargs))

    # Export ---------------------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        """The registry's state now for each customer's address on their sender, as two subqueries."""
        queryset = super().filter_export(queryset, **kwargs).annotate(export_address=Customer.address_expression())
        consent = Consent.objects.filter(address=OuterRef("export_address"), sender=OuterRef("sender__address"))
        latest = ConsentChange.objects.filter(
            consent__address=OuterRef("export_address"), consent__sender=OuterRef("sender__address")
        ).order_by("-occurred_at", "-id")
        return queryset.annotate(
            export_consent=Subquery(consent.values("state")[:1]),
            export_consent_how=Subquery(consent.values("how")[:1]),
            export_consent_reason=Subquery(latest.values("reason")[:1]),
        )

    def dehydrate_consent(self, customer):
        return getattr(customer, "export_consent", None) or ""

    def dehydrate_consent_source(self, customer):
        how = getattr(customer, "export_consent_how", None)
        if not how:
            return ""
        label, reason = ConsentHow(how).label, getattr(customer, "export_consent_reason", None) or ""
        return f"{label}: {reason}" if reason else label

    # Import ---------------------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user", self.user)
        self.full_numbers = can_see_full_numbers(self.user)
        headers = set(dataset.headers or [])
        if "sender" not in headers or not headers & {"whatsapp_address", "sms_address"}:
            raise ValidationError(
                f"The file needs a header row with at least: sender, and whatsapp_address or sms_address "
                f"(all columns: {', '.join(COLUMNS + CONSENT_COLUMNS)})."
            )

    def import_instance(self, instance, row, **kwargs):
        """The row's values checked and put on `instance` (for the preview); ValidationError by column."""
        values = {column: str(row.get(column) or "").strip() for column in COLUMNS}
        errors: dict[str, list[str]] = {}
        sender = clienteling_sender(values["sender"]) if values["sender"] else None
        if sender is None:
            errors["sender"] = [
                f"No address configuration for {values['sender']!r}: the sender must be a business address the "
                "console knows (Support adds it, or pull it from Twilio)."
                if values["sender"]
                else "Name the business address the customer talks to (whatsapp:+E.164 or +E.164)."
            ]
        advisor = None
        if values["advisor"]:
            advisor = advisor_by_username(values["advisor"])
            if problem := (advisor_problem(advisor) if advisor else f"No staff account {values['advisor']!r}."):
                errors["advisor"] = [problem]
        if sender is not None:
            column = "whatsapp_address" if sender.address.startswith("whatsapp:") else "sms_address"
            other = "sms_address" if column == "whatsapp_address" else "whatsapp_address"
            address = values[column]
            if values[other]:
                errors[other] = [f"{sender.address} talks over {column}: leave {other} empty on this row."]
            try:
                if address:
                    Customer._meta.get_field(column).run_validators(address)  # the model's own format rule
            except ValidationError as exc:
                errors[column] = exc.messages
            earlier = self._seen.get((sender.pk, address)) if address else None
            if earlier is not None and column not in errors:
                # Before the database check: in a dry run row `earlier` is already saved (then rolled back).
                errors[column] = [f"The same customer and sender as row {earlier}: one row per customer."]
            try:
                if column not in errors:
                    customer_create_check(address=address, sender=sender, advisor=advisor if not errors else None)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    # "sender" is the service's word for "already a customer of this sender": the number's column.
                    errors.setdefault(column if field in ("sender", "__all__") else field, []).extend(messages)
            if not errors:  # a refused row is no customer: it duplicates nothing
                self._seen[(sender.pk, address)] = kwargs.get("row_number")
            setattr(instance, column, address)
            instance.sender = sender
        instance.name, instance.notes, instance.advisor = values["name"], values["notes"], advisor
        instance.tags = [tag.strip() for tag in _TAG_SEPARATORS.split(values["tags"]) if tag.strip()]
        instance.source = CustomerSource.IMPORT
        self._consent_columns(instance, row, errors)
        if errors:
            raise ValidationError({column: [self.shown(m) for m in messages] for column, messages in errors.items()})

    def _consent_columns(self, instance, row, errors: dict) -> None:
        """The row's consent and its source, checked; put on `instance` for the save (errors by column)."""
        state = str(row.get("consent") or "").strip().lower()
        source = str(row.get("consent_source") or "").strip()
        instance.import_consent, instance.import_consent_source = state, source
        if state and state not in CONSENT_VALUES:
            errors["consent"] = [f"Write {' or '.join(CONSENT_VALUES)}, or leave it empty to record nothing."]
        elif state == ConsentState.OPTED_IN and not source:
            errors["consent_source"] = [NEEDS_REASON[ConsentHow.IMPORTED]]
        elif source and not state:
            errors["consent"] = ["A consent_source without a consent: write opted_in or opted_out here."]
        elif state == ConsentState.OPTED_IN and instance.sender_id:
            address = instance.whatsapp_address or instance.sms_address
            refusal = consent_refusal(address, instance.sender.address) if address else None
            if refusal:
                errors["consent"] = [
                    f"This person {refusal}: a file does not opt them back in. Staff record it in the consent "
                    "registry with their reason (Record a consent change)."
                ]

    def _record_consent(self, instance) -> None:
        address, sender = instance.whatsapp_address or instance.sms_address, instance.sender.address
        state, source = getattr(instance, "import_consent", ""), getattr(instance, "import_consent_source", "")
        if state == ConsentState.OPTED_IN:
            consent_opt_in(address=address, sender=sender, how=ConsentHow.IMPORTED, reason=source, user=self.user)
        elif state == ConsentState.OPTED_OUT:
            reason = f"customer import: {source}" if source else "customer import"
            consent_opt_out(address=address, sender=sender, how=ConsentHow.STAFF_OPT_OUT, reason=reason, user=self.user)

    def do_instance_save(self, instance, is_create):
        created = customer_create(
            address=instance.whatsapp_address or instance.sms_address,
            sender=instance.sender,
            name=instance.name,
            advisor=instance.advisor,
            notes=instance.notes,
            tags=instance.tags,
            source=CustomerSource.IMPORT,
            user=self.user,
        )
        instance.pk, instance.local_id = created.pk, created.local_id
        self._record_consent(instance)

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        if not self.full_numbers:
            # The library shows a refused row's values and an unexpected error as they are: mask them here.
            for column, value in list(row.items()):
                row[column] = self.shown(value)
            result.errors = [Error(Exception(self.shown(str(e.error))), number=e.number) for e in result.errors]
        return result

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        audit_record(
            action="clienteling.import",
            user=self.user,
            detail={
                "file": mask_numbers_in(kwargs.get("file_name") or ""),
                "rows": result.total_rows,
                "created": result.totals[RowResult.IMPORT_TYPE_NEW],
            },
        )
