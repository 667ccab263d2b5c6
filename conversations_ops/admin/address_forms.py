"""The address configuration form's address field: the account's senders, read from Twilio.

Twilio takes an address configuration only for an address the account owns, so the form
offers exactly the account's WhatsApp senders and SMS numbers (selectors/senders.py)
instead of a free-text field. When Twilio cannot be read, the field falls back to free
text with the reason beside it: staff can still configure a sender they know is the
account's, and Twilio remains the judge (a refusal shows on the row as 21606 or 63007).
"""

from django import forms

from conversations_ops.selectors.senders import OwnedSenders

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

        def clean(self):
            cleaned = super().clean()
            address = cleaned.get("address")
            # Each listed sender has one channel: the type follows the sender picked, so an SMS
            # number is never sent to Twilio as a WhatsApp address (or the reverse).
            if address in kinds and "type" in self.fields:
                cleaned["type"] = kinds[address]
            return cleaned

    return SenderForm
