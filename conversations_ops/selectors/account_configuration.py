"""What the account's /v1/Configuration means for the console, for the home and address pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations_ops.models import AccountConfiguration, AddressConfiguration, SyncState
from conversations_ops.models.account import service_refusal, timer_warnings


@dataclass(frozen=True)
class OutOfReach:
    """An address configuration auto-creating into a service the console does not work in."""

    address: AddressConfiguration
    reason: str


@dataclass(frozen=True)
class ConfigurationWarnings:
    configuration: AccountConfiguration | None
    timers: list[str] = field(default_factory=list)
    out_of_reach: list[OutOfReach] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.timers or self.out_of_reach)


def configuration_warnings(
    *, address: AddressConfiguration | None = None, addresses: bool = True
) -> ConfigurationWarnings:
    """The default timers' warnings and the address configurations (all live ones, just
    `address`, or none when not `addresses`) whose auto-creation goes to another Conversation
    Service. Without a pulled configuration nothing can be said about a service: no query."""
    configuration = AccountConfiguration.current()
    if configuration is None or not addresses:
        candidates = []
    elif address is not None:
        candidates = [address] if address.sync_state != SyncState.DELETED_REMOTELY else []
    else:
        # Few rows (one per business address); the rule itself is service_refusal's.
        candidates = AddressConfiguration.objects.exclude(sync_state=SyncState.DELETED_REMOTELY).exclude(
            auto_creation_conversation_service_sid=""
        )
    out_of_reach = []
    for row in candidates:
        if not row.auto_creation_enabled or not row.auto_creation_conversation_service_sid:
            continue
        reason = service_refusal(row.auto_creation_conversation_service_sid, configuration)
        if reason:
            out_of_reach.append(OutOfReach(address=row, reason=reason))
    return ConfigurationWarnings(
        configuration=configuration, timers=timer_warnings(configuration), out_of_reach=out_of_reach
    )
