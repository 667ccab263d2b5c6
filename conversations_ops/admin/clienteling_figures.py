"""The response-time figures page, /admin/clienteling/figures/ (config/urls.py mounts it behind the admin's
login, as the second-factor page is): per advisor and per team, how long customers waited for a reply over
the last 7 and 30 days. Whose figures is the row rule's answer (clienteling/response_times.py)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from conversations_ops import permissions as rules
from conversations_ops.clienteling.response_times import response_time_figures
from conversations_ops.models import Customer


def figures_view(request):
    # Anyone who sees customers (Advisors, managers, Auditors); the row rule then decides whose figures.
    if not rules.user_may(request.user, rules.VIEW_CUSTOMERS):
        raise PermissionDenied
    figures = response_time_figures(request.user)
    context = {
        **admin.site.each_context(request),
        "title": "Response times",
        "opts": Customer._meta,
        "sections": [("Advisors", figures["advisors"]), ("Teams", figures["teams"])],
        "periods": figures["periods"],
        "now": figures["now"],
    }
    return TemplateResponse(request, "admin/conversations_ops/customer/figures.html", context)


figures_page = admin.site.admin_view(figures_view)
