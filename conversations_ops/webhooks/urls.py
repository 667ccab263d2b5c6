from django.urls import path

from conversations_ops.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("conversations/", views.conversations, name="conversations"),
    path("messaging/", views.messaging, name="messaging"),
    path("status/", views.status, name="status"),
]
