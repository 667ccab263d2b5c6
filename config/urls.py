from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from conversations_ops.admin.clienteling_figures import figures_page
from conversations_ops.admin.consent_report import changes_csv_page, report_page

admin.site.site_header = "Conversations Ops"
admin.site.site_title = "Conversations Ops"
admin.site.index_title = "Twilio Conversations + WhatsApp operations"

urlpatterns = [
    # Before the admin's own URLs: its catch-all would answer for this prefix.
    path("admin/second-factor/", include("conversations_ops.second_factor.urls")),
    # The advisor's inbox (clienteling, issue 19): staff pages of the admin site.
    path("admin/inbox/", include("conversations_ops.admin.inbox_urls")),
    # Staff pages beside the admin's models (their own paths, so before the admin's catch-all too).
    path("admin/clienteling/figures/", figures_page, name="clienteling_figures"),
    path("admin/consent/report/", report_page, name="consent_report"),
    path("admin/consent/report/changes.csv", changes_csv_page, name="consent_report_changes"),
    path("admin/", admin.site.urls),
    path("webhooks/twilio/", include("conversations_ops.webhooks.urls")),
    # GET /health/ (load balancers, no login) and /metrics (Prometheus; off unless METRICS_ENABLED).
    path("", include("conversations_ops.health.urls")),
]

# Only present when the console runs simulated (never in production settings).
if apps.is_installed("simulator"):
    urlpatterns.append(path("simulator/", include("simulator.urls")))
