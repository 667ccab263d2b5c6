from django.contrib import admin
from django.urls import path

admin.site.site_header = "Conversations Ops"
admin.site.site_title = "Conversations Ops"
admin.site.index_title = "Twilio Conversations + WhatsApp operations"

urlpatterns = [
    path("admin/", admin.site.urls),
]
