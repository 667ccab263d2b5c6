"""Mounted at /admin/second-factor/ (config/urls.py), behind the admin's own login check."""

from django.contrib import admin
from django.urls import path

from conversations_ops.second_factor.views import enrol

app_name = "second_factor"

urlpatterns = [
    path("", admin.site.admin_view(enrol), name="enrol"),
]
