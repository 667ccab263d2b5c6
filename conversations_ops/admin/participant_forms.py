"""The participant add form: the person's channel first, then only that channel's fields.

A participant is either a chat user (an identity) or a phone (an SMS or WhatsApp address
talking to one of our numbers, the proxy); Twilio takes one or the other. The form asks the
channel, shows that channel's fields (static/conversations_ops/participant_channel.js hides
the others; without script both show, and the channel decides which are kept), and offers
the account's own senders as the proxy (selectors/senders.py) when Twilio can be read. The
model's clean stays the judge of the pair (address and proxy on one channel).
"""

from django import forms

from conversations_ops.models import Participant
from conversations_ops.selectors.senders import OwnedSenders
from conversations_ops.validators import WHATSAPP_PREFIX

CHANNELS = [("whatsapp", "WhatsApp"), ("sms", "SMS"), ("chat", "Chat (a user of our app)")]
PHONE_FIELDS = ("messaging_binding_address", "messaging_binding_proxy_address")
CHAT_FIELDS = ("identity", "messaging_binding_projected_address")

ADDRESS_HELP = (
    "The person's mobile number with its country code, e.g. +447911123456 (for WhatsApp, the number "
    "they use WhatsApp with)."
)
PROXY_HELP = "The business number they will write to, on the same channel: one of the account's senders."
PROXY_FREE_TEXT_HELP = (
    "Twilio could not be read, so the account's senders cannot be listed: {failure} Meanwhile type our business "
    "number, e.g. whatsapp:+14155550199 for WhatsApp or +14155550199 for SMS."
)


class ParticipantForm(forms.ModelForm):
    """The participant's fields in staff's words (the change form; the add form builds on it)."""

    class Meta:
        model = Participant
        fields = ()
        labels = {
            "messaging_binding_address": "Person's number",
            "messaging_binding_proxy_address": "Our number",
            "identity": "Chat identity",
            "messaging_binding_projected_address": "Number shown in group texts",
        }
        help_texts = {
            "conversation": "Type the start of its unique name (e.g. order-) or its whole SID (CH...), then pick it.",
            "messaging_binding_address": ADDRESS_HELP,
            "messaging_binding_proxy_address": PROXY_HELP,
            "identity": "The person's user name in our chat app.",
            "messaging_binding_projected_address": "Rarely needed: the number this chat user appears as in a group "
            "text, e.g. +14155550199.",
            "role_sid": "A Twilio role (RL...) for special rights; leave empty for the usual ones.",
        }


class ParticipantAddForm(ParticipantForm):
    channel = forms.ChoiceField(
        choices=CHANNELS,
        initial="whatsapp",
        widget=forms.RadioSelect,
        help_text="How the person talks to us: only that channel's fields are asked below.",
    )

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel")
        if channel == "chat":
            for name in PHONE_FIELDS:
                cleaned[name] = ""
            if not cleaned.get("identity"):
                self.add_error("identity", "A chat participant needs their chat identity.")
            return cleaned
        if channel not in ("sms", "whatsapp"):
            return cleaned
        for name in CHAT_FIELDS:
            cleaned[name] = ""
        address = cleaned.get("messaging_binding_address", "")
        if not address:
            self.add_error("messaging_binding_address", f"The person's {dict(CHANNELS)[channel]} number is needed.")
        elif channel == "whatsapp" and not address.startswith(WHATSAPP_PREFIX):
            cleaned["messaging_binding_address"] = WHATSAPP_PREFIX + address  # staff type the number alone
        elif channel == "sms" and address.startswith(WHATSAPP_PREFIX):
            message = "This is a WhatsApp address: choose WhatsApp above, or type the number alone."
            self.add_error("messaging_binding_address", message)
        return cleaned


def with_proxy_choices(form_class, owned: OwnedSenders):
    """`form_class` with "Our number" offering the account's senders (or free text, explained)."""

    class ProxyChoiceForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            field = self.fields.get("messaging_binding_proxy_address")
            if field is None:
                return
            if owned.failure is not None:
                field.help_text = PROXY_FREE_TEXT_HELP.format(failure=owned.failure)
                return
            self.fields["messaging_binding_proxy_address"] = forms.ChoiceField(
                choices=[("", "---------")] + [(s.address, s.label) for s in owned.senders],
                required=False,
                label=field.label,
                help_text=PROXY_HELP,
            )

    return ProxyChoiceForm
