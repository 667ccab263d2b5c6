"""Forms for writing a template and submitting it for WhatsApp approval."""

from django import forms

from conversations_ops.masking import HIDDEN
from conversations_ops.messaging.template_authoring import CATEGORIES

MASKED_TEXT = (
    "This shows a masked number (•••••), which would be saved as it is: write the "
    "number in full, or ask someone who may view full numbers to make this copy."
)


class TemplateApprovalForm(forms.Form):
    approval_name = forms.CharField(
        max_length=512, help_text="Name WhatsApp reviews: lower-case letters, digits and _, e.g. courier_invite."
    )
    category = forms.ChoiceField(choices=[(c, c.title()) for c in CATEGORIES], help_text="WhatsApp category.")


class TemplateCreateForm(forms.Form):
    # What staff decide first, in the order they decide it; submitting and the name WhatsApp reviews last.
    field_order = ("friendly_name", "language", "category", "body", "samples", "submit", "approval_name")

    friendly_name = forms.CharField(max_length=256, help_text="A name staff recognise, e.g. courier_invite.")
    language = forms.CharField(max_length=16, initial="en", help_text="Language code, e.g. en or pt_BR.")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="The message; placeholders {{1}}, {{2}}, ... numbered without gaps.",
    )
    samples = forms.CharField(
        required=False,
        label="Variables: sample values",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text="One sample value per line for {{1}}, {{2}}, ... in order (WhatsApp reviewers read them).",
    )
    submit = forms.BooleanField(required=False, initial=True, label="Submit for WhatsApp approval now")
    approval_name = forms.CharField(
        max_length=512, required=False, help_text=TemplateApprovalForm.base_fields["approval_name"].help_text
    )
    category = forms.ChoiceField(
        choices=[("", "---------"), *TemplateApprovalForm.base_fields["category"].choices],
        required=False,
        help_text="WhatsApp category: Utility for order and delivery updates, Marketing for offers, "
        "Authentication for codes. Needed to submit for approval.",
    )

    def clean_samples(self):
        return [line.strip() for line in self.cleaned_data["samples"].splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        # A copy prefilled for staff who may not see numbers shows them masked; saving that would
        # lose the number for good, so it is refused beside the field instead.
        for name in ("friendly_name", "body", "samples"):
            value = cleaned.get(name)
            text = "\n".join(value) if isinstance(value, list) else value or ""
            if HIDDEN in text:
                self.add_error(name, MASKED_TEXT)
        if cleaned.get("submit"):
            for name in ("approval_name", "category"):
                if not cleaned.get(name):
                    self.add_error(name, "Required to submit for approval (or untick “Submit”).")
        return cleaned
