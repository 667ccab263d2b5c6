"""Pre-flight of a courier pairing: everything checked before anything is sent.

- the sender is one of the console's WhatsApp address configurations; an SMS
  party needs an SMS business number too (cross-channel masking);
- both numbers are valid and different;
- neither person opted out of the number they would hear from (issue 20): refused beside
  their field with the reason and since when (outbox/refusals.py asks consent);
- both templates are WhatsApp-approved and their variables fit;
- each party's binding (their number + our number) is free on Twilio: Twilio
  allows one non-closed conversation per pair (50416). Checked through
  ParticipantConversations, i.e. Twilio's own view, not only the mirror's: the
  other conversation may have been made by another tool.

A failed check names its field (the start form shows it there); a binding
conflict also names the other conversation so staff can close it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conversations_ops import validators as v
from conversations_ops.messaging.template_variables import template_render, template_variables_errors
from conversations_ops.messaging.templates import template_usable
from conversations_ops.models import AddressConfiguration, AddressType, Conversation, ConversationWebhook, Template
from conversations_ops.outbox.refusals import address_refusal
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.reads import read_failure_line, read_with_retries


@dataclass(frozen=True)
class PairingRequest:
    """What staff asked for, as typed (the form and the shell command build it)."""

    sender: str
    customer: str
    courier: str
    invite_template: str  # HX... SID
    invite_variables: dict
    connected_template: str
    connected_variables: dict = field(default_factory=dict)
    auto_reply: str = ""
    sms_sender: str = ""
    reply_timeout_minutes: int | None = None


@dataclass(frozen=True)
class Conflict:
    """The other non-closed conversation that holds one party's number pair."""

    party: str  # "customer" or "courier"
    address: str
    proxy_address: str
    conversation_sid: str
    state: str
    date_created: datetime | None
    unique_name: str
    mirrored_pk: int | None  # the console's row, when it has one

    @property
    def age(self) -> str:
        if self.date_created is None:
            return "unknown age"
        minutes = int((timezone.now() - self.date_created).total_seconds() // 60)
        if minutes < 120:
            return f"{minutes} min old"
        hours = minutes // 60
        return f"{hours} h old" if hours < 48 else f"{hours // 24} days old"

    def line(self) -> str:
        name = f" “{self.unique_name}”" if self.unique_name else ""
        return (
            f"The {self.party}'s number already talks to {self.proxy_address} in conversation "
            f"{self.conversation_sid}{name} ({self.state}, {self.age}). Twilio allows one open conversation "
            f"per number pair (50416): close that conversation first."
        )


@dataclass
class Preflight:
    request: PairingRequest
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    sender: AddressConfiguration | None = None
    sms_sender: str = ""
    invite_template: Template | None = None
    connected_template: Template | None = None
    invite_preview: str = ""
    connected_preview: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def proxy_for(self, address: str) -> str:
        """Our number a party talks to: the WhatsApp sender, or the SMS sender for an SMS party."""
        if address.startswith(v.WHATSAPP_PREFIX):
            return self.sender.address if self.sender else ""
        return self.sms_sender

    def reasons(self) -> list[str]:
        lines = [f"{name}: {message}" for name, messages in self.errors.items() for message in messages]
        return lines + [conflict.line() for conflict in self.conflicts]

    def validation_error(self) -> ValidationError:
        errors = {name: list(messages) for name, messages in self.errors.items()}
        if self.conflicts:
            errors.setdefault("__all__", []).extend(conflict.line() for conflict in self.conflicts)
        return ValidationError(errors)


def pairing_preflight(*, request: PairingRequest, check_bindings: bool = True) -> Preflight:
    """Runs every check; answers what is wrong (nothing when `ok`)."""
    result = Preflight(request=request)
    _check_sender(result)
    _check_numbers(result)
    _check_consent(result)
    result.invite_template = _check_template(
        result, "invite_template", request.invite_template, request.invite_variables, "invite_variables"
    )
    result.connected_template = _check_template(
        result, "connected_template", request.connected_template, request.connected_variables, "connected_variables"
    )
    if result.invite_template and "invite_variables" not in result.errors:
        result.invite_preview = template_render(template=result.invite_template, variables=request.invite_variables)
    if result.connected_template and "connected_variables" not in result.errors:
        result.connected_preview = template_render(
            template=result.connected_template, variables=request.connected_variables
        )
    if problem := v.message_body_problem(request.auto_reply, reaches_phones=True):  # it goes to WhatsApp
        result.add("auto_reply", problem)
    if request.reply_timeout_minutes is not None and request.reply_timeout_minutes < 1:
        result.add("reply_timeout_minutes", "Give the customer at least one minute to reply.")
    _check_reply_url(result)
    if check_bindings and not result.errors:
        _check_bindings(result)
    return result


def _check_sender(result: Preflight) -> None:
    request = result.request
    sender = AddressConfiguration.objects.filter(address=request.sender.strip()).first()
    if sender is None or sender.type != AddressType.WHATSAPP:
        choices = (
            ", ".join(AddressConfiguration.objects.filter(type=AddressType.WHATSAPP).values_list("address", flat=True))
            or "none yet"
        )
        result.add(
            "sender",
            f"{request.sender or '(empty)'} is not one of the console's WhatsApp address "
            f"configurations (add it under Address configurations). Known: {choices}.",
        )
    else:
        result.sender = sender
    needs_sms = not all(a.strip().startswith(v.WHATSAPP_PREFIX) for a in (request.customer, request.courier))
    if not needs_sms:
        return
    sms = request.sms_sender.strip()
    if not sms:
        known = list(AddressConfiguration.objects.filter(type=AddressType.SMS).values_list("address", flat=True))
        if len(known) == 1:
            sms = known[0]
        else:
            listed = ", ".join(known) or "none yet"
            result.add(
                "sms_sender",
                f"An SMS party needs the business SMS number they will talk to. Known SMS "
                f"address configurations: {listed}.",
            )
            return
    try:
        v.validate_e164(sms)
    except ValidationError as exc:
        result.add("sms_sender", " ".join(exc.messages))
        return
    result.sms_sender = sms


def _check_numbers(result: Preflight) -> None:
    request = result.request
    for name in ("customer", "courier"):
        address = getattr(request, name).strip()
        if not address:
            result.add(name, "Give the phone: whatsapp:+E.164 for WhatsApp, +E.164 for SMS.")
            continue
        try:
            v.validate_messaging_address(address)
        except ValidationError as exc:
            result.add(name, " ".join(exc.messages))
    if request.customer.strip() and _digits(request.customer) == _digits(request.courier):
        result.add("courier", "The courier's number is the customer's: pair two different people.")


def _check_consent(result: Preflight) -> None:
    """Each party is asked about the business number they would talk to: the invite and the
    connected template would reach them, and nobody is messaged after they said stop."""
    for name in ("customer", "courier"):
        address = getattr(result.request, name).strip()
        if name in result.errors or not address:
            continue
        proxy = result.proxy_for(address)
        if proxy and (refusal := address_refusal(address, proxy)):
            result.add(name, f"The {name} opted out: {refusal}")


def _digits(address: str) -> str:
    return address.strip().removeprefix(v.WHATSAPP_PREFIX)


def _check_template(result: Preflight, name: str, sid: str, variables: dict, variables_name: str):
    template = Template.objects.filter(sid=sid.strip()).first() if sid.strip() else None
    if template is None:
        result.add(name, f"{sid or '(empty)'} is not in the console's template list: pull templates, then pick one.")
        return None
    usable, reason = template_usable(template=template)
    if not usable:
        result.add(name, reason)
        return template
    for messages in template_variables_errors(template=template, variables=variables).values():
        for message in messages:
            result.add(variables_name, message)
    return template


def reply_webhook_url() -> str:
    """Where Twilio posts the customer's reply: this console's Conversations webhook."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('webhooks:conversations')}"


def _check_reply_url(result: Preflight) -> None:
    url = reply_webhook_url()
    try:
        ConversationWebhook._meta.get_field("url").run_validators(url)
    except ValidationError:
        result.add(
            "__all__",
            f"PUBLIC_BASE_URL gives {url}, which Twilio cannot call: set PUBLIC_BASE_URL to "
            "the address Twilio reaches this console at, e.g. https://ops.example.com.",
        )


def _conversations_held(address: str) -> list:
    """Twilio's ParticipantConversations for `address`, read to the end (a retry reads it all again)."""
    return list(gateway.participant_conversation_list(address=address))


def _check_bindings(result: Preflight) -> None:
    request = result.request
    for party in ("customer", "courier"):
        address = getattr(request, party).strip()
        proxy = result.proxy_for(address)
        try:
            # Retried: a passing 429/5xx/timeout is no reason to refuse the start.
            held = read_with_retries(partial(_conversations_held, address))
        except GatewayError as exc:
            # Still failing: retryable means Twilio did not answer, not that the record is wrong.
            result.add(party, f"Could not ask Twilio whether this number is free: {read_failure_line(exc)}")
            continue
        for item in held:
            if (item.conversation_state or "").lower() == "closed":
                continue
            if item.binding_proxy_address and item.binding_proxy_address != proxy:
                continue  # talks to another of our numbers: no conflict
            mirrored = Conversation.objects.filter(sid=item.conversation_sid).values_list("pk", flat=True).first()
            result.conflicts.append(
                Conflict(
                    party=party,
                    address=address,
                    proxy_address=proxy,
                    conversation_sid=item.conversation_sid,
                    state=item.conversation_state or "unknown",
                    date_created=item.conversation_date_created,
                    unique_name=item.conversation_unique_name or "",
                    mirrored_pk=mirrored,
                )
            )
