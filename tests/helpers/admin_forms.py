"""The admin's forms as a browser posts them back, and admin URLs by model."""

from django import forms
from django.urls import reverse


def url(model, view, *args):
    return reverse(f"admin:conversations_ops_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """What the browser would post back unchanged: every form field plus empty inline forms."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.name] = "on"
        else:
            data[field.name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data
