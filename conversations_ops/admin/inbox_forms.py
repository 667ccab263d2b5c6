"""The inbox's reply box: the Send message page's form (free-form or an approved template with
its variables, the same checks) plus a file to attach.

A file goes to Twilio's Media Content Service of the conversation's chat service (the
gateway's `media_upload`, as the sandbox flow carries WhatsApp media) and the message names
its ME... SID; WhatsApp takes one file of at most 16 MB.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from conversations_ops.twilio import gateway
from conversations_ops.twilio.errors import explain_line

from .send_message import FREE_FORM, SendMessageForm

# Stands for the file until it is uploaded: the checks only ask whether a send carries media.
MEDIA_TO_UPLOAD = "ME-to-upload"


class InboxReplyForm(SendMessageForm):
    media = forms.FileField(
        required=False,
        help_text="One image, PDF or other file (at most 16 MB), sent with the text inside the window.",
    )

    def __init__(self, *args, templates_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates_only = templates_only  # outside the window, or no conversation yet (outreach)
        self.fields["body"].label = "Message"
        self.fields["body"].widget.attrs.update({"rows": 3, "cols": 80})

    def attached_media(self) -> str:
        return MEDIA_TO_UPLOAD if self.cleaned_data.get("media") else ""

    def clean_media(self):
        upload = self.cleaned_data.get("media")
        if upload and upload.size > gateway.MAX_MEDIA_BYTES:
            raise ValidationError("WhatsApp takes files of at most 16 MB: send a smaller one.")
        return upload

    def clean(self):
        if self.conversation is None:  # outreach: the conversation is made with the template, not before
            raise ValidationError("This customer has no conversation yet: start one with an approved template.")
        data = super().clean()
        if data.get("media") and data.get("mode") != FREE_FORM:
            self.add_error("media", "A template sends its own content: attach files to a free-form message.")
        return data


def media_upload_for(form: InboxReplyForm, conversation) -> str:
    """Uploads the form's file to the conversation's chat service: its ME... SID, "" without a file.
    A refusal becomes a form error on the file (Twilio's code, what it means, what to do)."""
    upload = form.cleaned_data.get("media")
    if not upload:
        return ""
    if not conversation.chat_service_sid:
        form.add_error("media", "The conversation is not on Twilio yet (no chat service known): try again shortly.")
        return ""
    try:
        return gateway.media_upload(
            chat_service_sid=conversation.chat_service_sid,
            content_type=upload.content_type or "application/octet-stream",
            filename=upload.name,
            data=upload.read(),
        )
    except gateway.GatewayError as exc:
        form.add_error("media", f"The file was not uploaded. {explain_line(exc)}")
        return ""
