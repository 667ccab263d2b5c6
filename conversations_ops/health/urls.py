from django.urls import path

from conversations_ops.health import views

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    # No trailing slash: Prometheus scrapes /metrics by default.
    path("metrics", views.metrics, name="metrics"),
]
