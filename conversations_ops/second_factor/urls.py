"""Mounted at /admin/second-factor/ (config/urls.py), behind the admin's own login check."""

from django.contrib import admin
from django.urls import path
from django.views.decorators.debug import sensitive_post_parameters

from conversations_ops.second_factor.views import enrol

app_name = "second_factor"

urlpatterns = [
    # The typed code stays out of error reports, as the login view's POST does (Django marks it so).
    path("", admin.site.admin_view(sensitive_post_parameters("otp_token")(enrol)), name="enrol"),
]
