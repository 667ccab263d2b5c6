"""The Start pairing form: what staff type, shaped as the pre-flight's PairingRequest.

Fields carry PairingRequest's names, so the pre-flight's field-keyed problems land
beside the field they name. Each template placeholder gets a field of its own
(invite_var_1, ...), built from the template chosen in the submitted data, the way
the Send message page does it.
"""

from django import forms
from django.core.exceptions import ValidationError

from conversations_ops.masking import mask_numbers_in
from conversations_ops.messaging.template_variables import template_placeholders, template_variables_errors
from conversations_ops.models import AddressConfiguration, AddressType, Template
from conversations_ops.models.pairings import DEFAULT_AUTO_REPLY, default_reply_timeout
from conversations_ops.pairings.preflight import PairingRequest, Preflight

ADDRESS_HELP = "whatsapp:+E.164 for a WhatsApp party (e.g. whatsapp:+14155550100), +E.164 for an SMS party."
# Each set of template values: the PairingRequest field it fills -> (its template's field, its fields' prefix).
VARIABLE_SETS = {
    "invite_variables": ("invite_template", "invite_var_"),
    "connected_variables": ("connected_template", "connected_var_"),
}


def template_label(template: Template) -> str:
    name = mask_numbers_in(template.friendly_name) or template.sid  # a name shows no number
    return f"{name} ({template.sid}) · {template.approval_status or 'not submitted'}"


def _value_field(template_field: str, number: str) -> forms.CharField:
    placeholder = f"{{{{{number}}}}}"
    # Not stripped: the template service judges the value exactly as it would be sent.
    return forms.CharField(
        label=f"{template_field.split('_')[0].title()} {placeholder}",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=f"The text for {placeholder} in the template above.",
    )


class StartPairingForm(forms.Form):
    sender = forms.ChoiceField(
        help_text="The business WhatsApp number both people talk to (a WhatsApp address "
        "configuration; add one under Address configurations)."
    )
    customer = forms.CharField(max_length=64, help_text=f"The customer's phone: {ADDRESS_HELP}")
    courier = forms.CharField(max_length=64, help_text=f"The courier's phone: {ADDRESS_HELP}")
    invite_template = forms.ChoiceField(
        help_text="Approved template the customer gets first, e.g. courier_invite. "
        "After choosing, press “Show its placeholders”."
    )
    connected_template = forms.ChoiceField(
        help_text="Approved template the courier gets once the customer replied, "
        "e.g. courier_connected (usually without placeholders)."
    )
    auto_reply = forms.CharField(
        label="Auto-reply",
        required=False,
        initial=DEFAULT_AUTO_REPLY,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Free-form text the customer gets right after their first reply; empty: the default.",
    )
    sms_sender = forms.CharField(
        label="SMS sender",
        required=False,
        max_length=32,
        help_text="The business SMS number (+E.164) an SMS party talks to. Leave empty when both are on WhatsApp, "
        "or when the console has exactly one SMS address configuration (that one is used).",
    )
    reply_timeout_minutes = forms.IntegerField(
        label="Reply timeout (minutes)",
        min_value=1,
        help_text="Minutes the customer has to reply before the pairing expires and its conversation is closed.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_timeout_minutes"].initial = default_reply_timeout()  # settings read now, not at import
        senders = AddressConfiguration.objects.filter(type=AddressType.WHATSAPP).order_by("address")
        self.fields["sender"].choices = [("", "---------")] + [
            (s.address, f"{mask_numbers_in(s.friendly_name)} ({s.address})" if s.friendly_name else s.address)
            for s in senders
        ]
        if len(self.fields["sender"].choices) == 2:  # the only WhatsApp number: nothing to choose
            self.fields["sender"].initial = self.fields["sender"].choices[1][0]
        templates = [("", "---------")] + [
            (t.sid, template_label(t)) for t in Template.objects.exclude(sid="").order_by("friendly_name")
        ]
        order = ["sender", "customer", "courier"]
        self.placeholders: dict[str, list[str]] = {}
        for set_name, (template_field, prefix) in VARIABLE_SETS.items():
            self.fields[template_field].choices = templates
            self.placeholders[set_name] = self._placeholders_of(template_field)
            order.append(template_field)
            for number in self.placeholders[set_name]:
                self.fields[f"{prefix}{number}"] = _value_field(template_field, number)
                order.append(f"{prefix}{number}")
        self.order_fields([*order, "auto_reply", "sms_sender", "reply_timeout_minutes"])

    def _placeholders_of(self, template_field: str) -> list[str]:
        source = self.data if self.is_bound else self.initial
        sid = (source.get(template_field) or "").strip()
        template = Template.objects.filter(sid=sid).first() if sid else None
        return template_placeholders(body=template.body_text) if template else []

    def variables(self, set_name: str) -> dict:
        prefix = VARIABLE_SETS[set_name][1]
        return {n: self.cleaned_data.get(f"{prefix}{n}", "") for n in self.placeholders[set_name]}

    def pairing_request(self) -> PairingRequest:
        data = self.cleaned_data
        return PairingRequest(
            sender=data["sender"],
            customer=data["customer"],
            courier=data["courier"],
            invite_template=data["invite_template"],
            invite_variables=self.variables("invite_variables"),
            connected_template=data["connected_template"],
            connected_variables=self.variables("connected_variables"),
            auto_reply=data["auto_reply"],
            sms_sender=data["sms_sender"],
            reply_timeout_minutes=data["reply_timeout_minutes"],
        )


def preflight_errors_show(form: StartPairingForm, preflight: Preflight) -> None:
    """Each pre-flight problem beside its field; template values beside their placeholder."""
    for name, problems in preflight.errors.items():
        if name in VARIABLE_SETS:
            _variables_errors_show(form, name, preflight, problems)
        else:
            form.add_error(name if name in form.fields else None, problems)


def _variables_errors_show(form, set_name: str, preflight: Preflight, problems: list[str]) -> None:
    # The pre-flight flattens these into one list; the template service keys them by placeholder.
    template_field, prefix = VARIABLE_SETS[set_name]
    template = preflight.invite_template if set_name == "invite_variables" else preflight.connected_template
    keyed = template_variables_errors(template=template, variables=form.variables(set_name)) if template else {}
    if not keyed:
        form.add_error(template_field, problems)
    for key, messages in keyed.items():
        field = f"{prefix}{key}"
        form.add_error(field if field in form.fields else template_field, messages)


def service_errors_show(form: forms.Form, error: ValidationError) -> None:
    """Another refusal from a service: beside the field it names, the rest above the form."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for name, errors in by_field.items():
        form.add_error(name if name in form.fields else None, errors)
