"""CSV import (and export) on the Customer list, with django-import-export: the library's upload, dry run,
per-row errors, preview and confirm pages; the rows go through clienteling/imports.py's resource (the
clienteling services). Import: those who may create and assign customers (managers, superusers). Export: anyone
who sees the list, of the rows the list shows them (the row rule, its filters and search), numbers masked
unless they may see them."""

from django.contrib import messages
from django.shortcuts import redirect
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV

from conversations_ops import permissions as rules
from conversations_ops.clienteling.imports import CustomerResource


class CustomerImportExportMixin(ImportExportMixin):
    resource_classes = [CustomerResource]
    import_formats = export_formats = [CSV]  # what the brief and operators use; no spreadsheet parsers exposed
    # The message only: "row" would print the refused row's values, "traceback" code paths.
    import_error_display = ("message",)

    def has_import_permission(self, request):
        # Creating an assigned customer queues their conversation on Twilio: what the add page needs.
        return rules.user_may(request.user, rules.ASSIGN_CUSTOMER)

    def has_export_permission(self, request):
        return self.has_view_permission(request)  # of get_queryset's rows: the row rule

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # The dry run's copy waits on the web machine that ran it (docs/deploy.md): gone once confirmed,
            # or never here when another machine ran the dry run.
            messages.error(
                request,
                "The file of this dry run is no longer on the server (already imported, or the dry run ran on "
                "another web machine): upload it again.",
            )
            return redirect("admin:conversations_ops_customer_import")
