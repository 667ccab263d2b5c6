"""The account's Studio flows and Conversation Services, read from Twilio for the address form.

An address configuration that auto-creates through Studio names one of the account's flows
(AutoCreation.StudioFlowSid), and any type may name the Conversation Service the conversations
go to (AutoCreation.ConversationServiceSid;
https://www.twilio.com/docs/conversations/api/address-configuration-resource). Offering the
account's own, as Twilio's Flex page does, spares staff pasting SIDs. Staff wait for the
page, so both reads go through `read_with_retries`; when Twilio cannot be read, `failure`
says why and the form falls back to a typed SID (admin/address_forms.py).

Draft flows are offered too, with their status in the label: Twilio's documentation does not
say whether an address configuration may name a flow that was never published (a draft has no
published revision to run), so staff see it and choose (docs/architecture.md, "Decisions").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations_ops.models import AccountConfiguration
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.reads import read_failure_line, read_with_retries


@dataclass(frozen=True)
class AccountChoices:
    """(sid, label) pairs for a dropdown; `failure` is set (and `choices` empty) when Twilio could not be read."""

    choices: list[tuple[str, str]] = field(default_factory=list)
    failure: str | None = None


def flow_label(friendly_name: str | None, sid: str, status: str | None) -> str:
    """ "Order updates (FW..., published)": the name staff know, the SID Twilio shows, and whether it is live."""
    return f"{friendly_name or 'Unnamed flow'} ({sid}, {status or 'status unknown'})"


def account_studio_flows() -> AccountChoices:
    """The account's Studio flows, published ones first (then drafts), each in Twilio's order."""
    try:
        flows = read_with_retries(lambda: list(gateway.studio_flow_list()))
    except GatewayError as exc:
        return AccountChoices(failure=read_failure_line(exc))
    flows.sort(key=lambda f: f.status != "published")  # stable: Twilio's order within each group
    return AccountChoices(choices=[(f.sid, flow_label(f.friendly_name, f.sid, f.status)) for f in flows])


def account_conversation_services() -> AccountChoices:
    """The account's Conversation Services, the default one (as last pulled) marked and first."""
    try:
        services = read_with_retries(lambda: list(gateway.conversation_service_list()))
    except GatewayError as exc:
        return AccountChoices(failure=read_failure_line(exc))
    configuration = AccountConfiguration.current()
    default = configuration.default_chat_service_sid if configuration else ""
    services.sort(key=lambda s: s.sid != default)
    return AccountChoices(
        choices=[
            (
                s.sid,
                f"{s.friendly_name or 'Unnamed service'} ({s.sid}"
                + (", the account's default)" if s.sid == default else ")"),
            )
            for s in services
        ]
    )


def account_lists(*, known_failure: str | None = None) -> tuple[AccountChoices, AccountChoices]:
    """(flows, services) for one page. The first failure stands for the rest: these reads go to the
    same account with the same credentials within a second, so a read that failed (the senders',
    `known_failure`, or the flows') would fail the next one too, after as long a wait for staff."""
    if known_failure is not None:
        failed = AccountChoices(failure=known_failure)
        return failed, failed
    flows = account_studio_flows()
    if flows.failure is not None:
        return flows, AccountChoices(failure=flows.failure)
    return flows, account_conversation_services()
