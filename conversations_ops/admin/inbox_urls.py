"""Mounted at /admin/inbox/ (config/urls.py), behind the admin's own login check (admin_view)."""

from django.contrib import admin
from django.urls import path

from .inbox import customer_view, inbox_view, transcript_view

app_name = "inbox"

urlpatterns = [
    path("", admin.site.admin_view(inbox_view), name="list"),
    path("<int:customer_id>/", admin.site.admin_view(customer_view), name="customer"),
    path("<int:customer_id>/transcript/", admin.site.admin_view(transcript_view), name="transcript"),
]
