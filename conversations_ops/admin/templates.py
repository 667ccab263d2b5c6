from django.contrib import admin

from conversations_ops.models import Template

from .base import TwilioMirrorAdmin


@admin.register(Template)
class TemplateAdmin(TwilioMirrorAdmin):
    list_display = ("friendly_name", "language", "approval_category", "approval_status", "body_preview")
    list_filter = ("language", "approval_status")
    search_fields = ("sid__exact", "friendly_name__startswith")
    readonly_fields = ("approval_status", "approval_rejection_reason")

    @admin.display(description="Text")
    def body_preview(self, obj):
        text = obj.body_text
        return text if len(text) <= 80 else f"{text[:79]}…"
