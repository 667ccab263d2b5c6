"""Admin lists take only the parameters they declare: their filters', search, ordering, paging.

Django's changelist applies any `?<field>__<lookup>=value` left in the query string once its
filters have taken theirs (`ModelAdmin.lookup_allowed` only guards relations), so
`?messaging_binding_address__startswith=whatsapp:+4915` showed the row or not: a yes/no
oracle that recovered a whole number from its masked form in a few dozen requests. Here a
list answers 400, naming what it refused, for:

- a query parameter no list filter (nor the date hierarchy) took, or one Django's
  `lookup_allowed` refuses (a relation no filter declares);
- an ordering (`o`) over a column the list does not offer to sort (Django would sort by any
  column with an ordering field, `sortable_by` notwithstanding);
- an autocomplete (`/admin/autocomplete/`) for a field no admin declares in
  `autocomplete_fields` (Django would run the related list's search for any foreign key).

Accepted besides the filters' own parameters: `q` (search, which each admin keeps exact on
numbers), `p`, `all`, `e`, `_facets`, and `_popup`/`_to_field` (Django checks `_to_field`).

The rule is applied to every admin the site has (ours, Django's users, groups and log
entries, the task queue's and the login throttle's) by `guard_every_admin`, which the app
config calls once every admin module is imported: no admin opts in, so none is forgotten.
"""

import logging
from functools import cache

from django.apps import apps
from django.contrib.admin.exceptions import DisallowedModelAdminLookup, NotRegistered
from django.contrib.admin.sites import all_sites
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

# Django's own logger for refused lookups: where operators already look for probing.
security_log = logging.getLogger("django.security.DisallowedModelAdminLookup")


class UndeclaredParameters(DisallowedModelAdminLookup):
    """A list was asked for something it does not offer (a SuspiciousOperation: 400 wherever it surfaces)."""

    def __init__(self, parameters: list[str], reason: str):
        self.parameters = parameters
        self.reason = reason
        super().__init__(f"{reason}: {', '.join(parameters)}")


def _sortable_positions(changelist) -> set[int]:
    """The columns the list offers to sort: the ones whose header is a sort link."""
    positions = set()
    for position, name in enumerate(changelist.list_display):
        if changelist.sortable_by is not None and name not in changelist.sortable_by:
            continue
        if changelist.get_ordering_field(name):
            positions.add(position)
    return positions


class DeclaredParametersChangeList(ChangeList):
    """Refuses, before any query, what the list did not declare (see the module docstring)."""

    def get_filters(self, request):
        typed = self.get_filters_params()  # the query string less q, o, p, e, all, _popup, _to_field, _facets
        self._refuse_ordering()
        refused = [key for key, values in typed.items() if not self._lookup_allowed(key, values, request)]
        if refused:
            raise UndeclaredParameters(refused, "not a filter of this list")
        specs, has_filters, remaining, may_have_duplicates, has_active_filters = super().get_filters(request)
        # What no filter took is still in `remaining` (the date hierarchy's bounds are added there
        # under their own names, so a typed `<date>__gte` is caught too).
        refused = [key for key in typed if key in remaining]
        if refused:
            raise UndeclaredParameters(refused, "not a filter of this list")
        return specs, has_filters, remaining, may_have_duplicates, has_active_filters

    def _lookup_allowed(self, key, values, request) -> bool:
        return all(self.model_admin.lookup_allowed(key, value, request) for value in values)

    def _refuse_ordering(self):
        order = self.params.get(ORDER_VAR, "")
        if not order:
            return
        sortable = _sortable_positions(self)
        for part in order.split("."):
            position = part.removeprefix("-")
            if not (position.isdigit() and int(position) in sortable):
                raise UndeclaredParameters([f"{ORDER_VAR}={order}"], "ordering by a column this list does not sort")


@cache
def _declared_only(changelist_class):
    if issubclass(changelist_class, DeclaredParametersChangeList):
        return changelist_class
    return type(changelist_class.__name__, (DeclaredParametersChangeList, changelist_class), {})


def _autocomplete_declared(site, request) -> bool:
    """The autocomplete's source field is one an admin offers as an autocomplete."""
    try:
        source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        source_admin = site.get_model_admin(source)
    except (KeyError, LookupError, NotRegistered):
        return False
    return request.GET.get("field_name") in source_admin.get_autocomplete_fields(request)


class DeclaredLookupsOnly:
    """The rule as a ModelAdmin mixin; `guard_every_admin` puts it in front of every registered admin."""

    def get_changelist(self, request, **kwargs):
        return _declared_only(super().get_changelist(request, **kwargs))

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DisallowedModelAdminLookup as refusal:
            return self.refused_parameters_response(request, refusal)

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete view runs this list's search for the form field it names.
        match = request.resolver_match
        autocomplete = match is not None and match.url_name == "autocomplete"
        if autocomplete and not _autocomplete_declared(self.admin_site, request):
            raise PermissionDenied("No admin offers this field as an autocomplete.")
        return super().get_search_results(request, queryset, search_term)

    def refused_parameters_response(self, request, refusal):
        parameters = getattr(refusal, "parameters", None) or [str(refusal)]
        reason = getattr(refusal, "reason", "not a filter of this list")
        # Probing a list is worth an operator's look; the names only (the values may be numbers).
        security_log.warning(
            "Refused %s on the %s list for %s: %s",
            ", ".join(parameters),
            self.opts.label,
            request.user.get_username(),
            reason,
        )
        kept = request.GET.copy()
        for name in parameters:
            kept.pop(name.split("=")[0], None)
        site = self.admin_site
        # The page's own few names rather than each_context(): its app list (a permission check per
        # admin) would make a refusal cost more than the list it refuses.
        context = {
            "site_title": site.site_title,
            "site_header": site.site_header,
            "site_url": site.site_url,
            "has_permission": True,
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
            "title": "This list does not take that parameter",
            "opts": self.opts,
            "parameters": parameters,
            "reason": reason,
            "without_url": f"{request.path}?{kept.urlencode()}" if kept else request.path,
        }
        return TemplateResponse(request, "admin/refused_parameters.html", context, status=400)


def guard(admin_class):
    """`admin_class` with the rule in front (itself if it already has it)."""
    if issubclass(admin_class, DeclaredLookupsOnly):
        return admin_class
    return type(
        admin_class.__name__,
        (DeclaredLookupsOnly, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


def guard_every_admin():
    """Re-registers every admin of every admin site with the rule in front (Django's documented way
    to change a registered admin: unregister, register a subclass)."""
    for site in all_sites:
        for model, model_admin in list(site._registry.items()):
            guarded = guard(type(model_admin))
            if guarded is not type(model_admin):
                site.unregister(model)
                site.register(model, guarded)
