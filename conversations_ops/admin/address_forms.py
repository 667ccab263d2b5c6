"""The address configuration form: the account's senders, flows and services, read from Twilio.

Twilio takes an address configuration only for an address the account owns, so the form
offers exactly the account's WhatsApp senders and SMS numbers (selectors/senders.py)
instead of a free-text field. Auto-creation asks, like Twilio's Flex page, only what the
chosen type needs: the webhook's URL, method and events (Twilio's event names as
checkboxes), or one of the account's Studio flows and the retry count; any type may name
one of the account's Conversation Services (selectors/account_lists.py). A few lines of
script (static/conversations_ops/address_auto_creation.js) show the chosen type's fieldset
only; without it every field shows and the model drops the other types' values
(AddressConfiguration.clear_other_type_fields).

When Twilio cannot be read, a list falls back to free text with the reason beside it: staff
can still name a sender, flow or service they know is the account's, and Twilio remains the
judge (a refusal shows on the row).
"""

from django import forms

from conversations_ops import validators as v
from conversations_ops.selectors.account_lists import AccountChoices
from conversations_ops.selectors.senders import OwnedSenders

from .masked import MASKED_DISPLAY

FREE_TEXT_HELP = (
    "Twilio could not be read, so the account's senders cannot be listed: {failure} "
    "Meanwhile you may type the address (whatsapp:+14155550100, or +14155550100 for SMS); it must be one "
    "of the account's own WhatsApp senders or phone numbers, or Twilio refuses it."
)
CHOICE_HELP = (
    "The account's WhatsApp senders and SMS numbers, as Twilio lists them: Twilio refuses an address "
    "configuration for any other address. The type follows the sender picked. Missing one? Buy or register "
    "it in Twilio's console, then reload."
)
NONE_HELP = (
    "Twilio lists no WhatsApp sender or SMS number on this account: buy or register one in Twilio's console, "
    "then reload this page."
)

FLOW_HELP = (
    "The Studio flow that handles conversations auto-created on this address (Studio type only): the "
    "account's flows, as Twilio's Studio lists them, published ones first. A draft flow has never been "
    "published: publish it in Twilio's Studio editor before relying on it. Missing one? Build it in Studio, "
    "then reload."
)
FLOW_NONE_HELP = (
    "Twilio lists no Studio flow on this account: build and publish one in Twilio's Studio editor, then reload "
    "this page (Studio type only)."
)
FLOW_FREE_TEXT_HELP = (
    "Twilio could not be read, so the account's Studio flows cannot be listed: {failure} Meanwhile you may type "
    "the flow's SID (FW..., shown in Twilio's Studio editor). Studio type only."
)
SERVICE_HELP = (
    "Leave empty: auto-created conversations then go to the account's default Conversation Service, the one "
    "the console works in. Twilio takes another of the account's services for any type, but the console "
    "refuses it: it could never pull, message or pair those conversations."
)
SERVICE_FREE_TEXT_HELP = (
    "Twilio could not be read, so the account's Conversation Services cannot be listed: {failure} Leave this "
    "empty for the account's default service (the one the console works in), or type its SID (IS...)."
)
FILTERS_HELP = (
    "The events Twilio sends to the webhook for each auto-created conversation (Twilio's event names). "
    "None ticked: Twilio sends none. Webhook type only."
)
# Labels as Twilio's Flex page words them: the fieldset already says "auto-creation".
LABELS = {
    "auto_creation_enabled": "Auto-create conversations",
    "auto_creation_type": "Handled by",
    "auto_creation_conversation_service_sid": "Conversation Service",
    "auto_creation_webhook_url": "Webhook URL",
    "auto_creation_webhook_method": "Method",
    "auto_creation_webhook_filters": "Events sent",
    "auto_creation_studio_flow_sid": "Studio flow",
    "auto_creation_studio_retry_count": "Retry count",
}
# The auto-creation type's own fields, and the common ones, as the fieldsets group them.
COMMON_FIELDS = ("auto_creation_enabled", "auto_creation_type", "auto_creation_conversation_service_sid")
TYPE_FIELDSETS = (
    (
        "webhook",
        "Webhook",
        ("auto_creation_webhook_url", "auto_creation_webhook_method", "auto_creation_webhook_filters"),
    ),
    ("studio", "Studio flow", ("auto_creation_studio_flow_sid", "auto_creation_studio_retry_count")),
)


class EventNamesField(forms.MultipleChoiceField):
    """Twilio's event names as checkboxes; an empty value posted (no box ticked, sent as "") means none."""

    def to_python(self, value):
        return [name for name in super().to_python(value) if name]


def with_sender_choices(form_class, owned: OwnedSenders):
    """`form_class` with its `address` field offering the account's senders (or free text, explained)."""
    if owned.failure is not None:
        help_text = FREE_TEXT_HELP.format(failure=owned.failure)
        choices = None
    else:
        help_text = CHOICE_HELP if owned.senders else NONE_HELP
        if owned.not_online:
            help_text += f" Not offered until ONLINE: {', '.join(owned.not_online)}."
        choices = [("", "---------")] + [(s.address, s.label) for s in owned.senders]
    kinds = {s.address: s.type for s in owned.senders}

    class SenderForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            field = self.fields.get("address")
            if field is None:  # read-only once on Twilio
                return
            if choices is None:
                field.help_text = help_text
                return
            current = self.initial.get("address")
            offered = list(choices)
            if current and current not in kinds:  # a row typed earlier keeps its value visible
                offered.append((current, f"{current} (not among the account's senders)"))
            self.fields["address"] = forms.ChoiceField(
                choices=offered,
                required=field.required,
                label=field.label,
                help_text=help_text,
                validators=field.validators,
            )
            kind = self.fields.get("type")
            if kind is not None and kinds:
                # Not a question any more: the sender picked says its channel (clean sets it). Hidden, not
                # removed, so the admin's fieldsets still find it and a typed-earlier row keeps its value.
                kind.widget, kind.required = forms.HiddenInput(), False

        def clean(self):
            cleaned = super().clean()
            address = cleaned.get("address")
            # Each listed sender has one channel: the type follows the sender picked, so an SMS
            # number is never sent to Twilio as a WhatsApp address (or the reverse).
            if address in kinds and "type" in self.fields:
                cleaned["type"] = kinds[address]
            return cleaned

    return SenderForm


def _listed(form, name: str, listed: AccountChoices | None, *, empty: str, help_text: str, none_help: str, failed: str):
    """The field `name` as a dropdown of `listed` (or left as typed text, its help saying why)."""
    field = form.fields.get(name)
    if field is None or listed is None:  # read-only, or not read
        return
    if listed.failure is not None:
        field.help_text = failed.format(failure=listed.failure)
        return
    offered = [("", empty), *listed.choices]
    current = form.initial.get(name)
    if current and current not in dict(listed.choices):  # a row set earlier keeps its value visible
        offered.append((current, f"{current} (not among the account's, as Twilio lists them now)"))
    form.fields[name] = forms.ChoiceField(
        choices=offered,
        required=False,
        label=field.label,
        help_text=help_text if listed.choices else none_help,
    )


def with_auto_creation_choices(form_class, *, flows: AccountChoices | None, services: AccountChoices | None):
    """`form_class` asking auto-creation as Twilio's Flex page does: the account's flows and services
    in dropdowns (or typed, explained), the webhook's events as checkboxes of Twilio's names."""

    class AutoCreationForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, label in LABELS.items():
                if name in self.fields:
                    self.fields[name].label = label
            _listed(
                self,
                "auto_creation_studio_flow_sid",
                flows,
                empty="---------",
                help_text=FLOW_HELP,
                none_help=FLOW_NONE_HELP,
                failed=FLOW_FREE_TEXT_HELP,
            )
            _listed(
                self,
                "auto_creation_conversation_service_sid",
                services,
                empty="The account's default service",
                help_text=SERVICE_HELP,
                none_help=SERVICE_HELP,
                failed=SERVICE_FREE_TEXT_HELP,
            )
            filters = self.fields.get("auto_creation_webhook_filters")
            if filters is not None:
                current = [f for f in self.initial.get("auto_creation_webhook_filters") or [] if isinstance(f, str)]
                unknown = [f for f in current if f not in v.AUTO_CREATION_WEBHOOK_FILTERS]  # kept visible
                names = [*v.AUTO_CREATION_WEBHOOK_FILTERS, *unknown]
                # Still a JSON list on the model: the checked names, in Twilio's order.
                self.fields["auto_creation_webhook_filters"] = EventNamesField(
                    choices=[(name, name) for name in names],
                    required=False,
                    # "radiolist": the admin CSS lays the boxes out as it lays out radio buttons.
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
                    label=filters.label,
                    help_text=FILTERS_HELP,
                )

    return AutoCreationForm


def auto_creation_fieldsets(fieldsets) -> list:
    """`fieldsets` with the auto-creation fields taken out and grouped: the common ones, then one
    fieldset per type (classes `auto-creation-webhook`, `auto-creation-studio`: the script's and the
    browser tests' handles), placed where the fields were.

    Only fields present are moved, under the name they have there: a field the masking swapped for
    its read-only display (`masked__<field>`, admin/masked.py) moves as that display."""
    moved = {*COMMON_FIELDS, *(name for _, _, names in TYPE_FIELDSETS for name in names)}
    present, result, at = {}, [], None
    for title, options in fieldsets:
        kept = []
        for field in options.get("fields", ()):
            name = field.removeprefix(MASKED_DISPLAY) if isinstance(field, str) else None
            if name in moved:
                present[name] = field
            else:
                kept.append(field)
        if at is None and len(kept) != len(options.get("fields", ())):
            at = len(result) + 1
        result.append((title, {**options, "fields": kept}))
    common = {
        "fields": [present[n] for n in COMMON_FIELDS if n in present],
        "classes": ("auto-creation",),
        "description": "Start a conversation when someone writes to this address, and hand it to a webhook, "
        "a Studio flow or Twilio's default handling. Only the chosen type's fields apply.",
    }
    grouped = [
        ("Auto-creation", common),
        *(
            (title, {"fields": [present[n] for n in names if n in present], "classes": (f"auto-creation-{kind}",)})
            for kind, title, names in TYPE_FIELDSETS
        ),
    ]
    grouped = [(title, options) for title, options in grouped if options["fields"]]
    at = len(result) if at is None else at
    return [*result[:at], *grouped, *result[at:]]
