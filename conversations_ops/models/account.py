"""The account's Conversations defaults as Twilio last answered them (/v1/Configuration),
and the two rules they carry for the console.

- **Which service the console works in.** The gateway calls Twilio's short
  `/v1/Conversations` paths, which address only the account's default Conversation Service
  (https://www.twilio.com/docs/conversations/api/service-resource). An address configuration
  that auto-creates into another service makes conversations the console can neither pull,
  push to nor pair: `service_refusal` says so (docs/architecture.md, "Decisions").
- **Default timers end conversations.** Twilio applies the account's default timers to every
  conversation created without its own
  (https://www.twilio.com/docs/conversations/states-timers: "Global Timers can be configured
  for all Conversations created in your account"); the console's pairings and sandbox
  conversations are created without timers, so `timer_warnings` words what a default does to them.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_duration


class AccountConfiguration(models.Model):
    """One row (pk=1), written by the pull (`pull/configuration.py`); absent until the first pull."""

    default_chat_service_sid = models.CharField(
        max_length=34,
        blank=True,
        help_text="The account's default Conversation Service (IS...): the one the console works in.",
    )
    default_messaging_service_sid = models.CharField(
        max_length=34, blank=True, help_text="The Messaging Service (MG...) new conversations use by default."
    )
    default_inactive_timer = models.CharField(
        max_length=32,
        blank=True,
        help_text="ISO-8601 duration after which a conversation created without timers turns inactive; empty: none.",
    )
    default_closed_timer = models.CharField(
        max_length=32,
        blank=True,
        help_text="ISO-8601 duration after which a conversation created without timers is closed; empty: none.",
    )
    pulled_at = models.DateTimeField(help_text="When the console last read /v1/Configuration from Twilio.")

    class Meta:
        verbose_name = "account configuration"

    def __str__(self):
        return "Twilio account configuration"

    @classmethod
    def current(cls) -> "AccountConfiguration | None":
        return cls.objects.filter(pk=1).first()

    def service_refusal(self, service_sid: str) -> str:
        """Why the console refuses auto-creation into `service_sid` ("" when it is the default)."""
        return service_refusal(service_sid, self)

    def timer_warnings(self) -> list[str]:
        return timer_warnings(self)


def service_refusal(service_sid: str, configuration: AccountConfiguration | None) -> str:
    """ "" when conversations auto-created into `service_sid` are within the console's reach
    (empty means Twilio's default service), else why not and what to do."""
    if not service_sid:
        return ""
    if configuration is None or not configuration.default_chat_service_sid:
        return (
            f"The console cannot tell yet whether {service_sid} is the account's default Conversation Service: "
            "it has not read the account configuration from Twilio (the scheduled pull does every 10 minutes; "
            "or run manage.py twilio_pull --resources configuration). Try again then, or leave this empty "
            "to use the default service."
        )
    default = configuration.default_chat_service_sid
    if service_sid == default:
        return ""
    return (
        f"Conversations auto-created into {service_sid} would be out of the console's reach: it works in the "
        f"account's default Conversation Service ({default}), the only one Twilio's /v1/Conversations paths "
        "address, so it could never pull, message or pair them. Leave this empty (the default service), "
        "or run a console of its own for that service."
    )


def _spoken(duration: timedelta) -> str:
    """P1DT2H -> "1 day 2 hours": what staff read instead of ISO-8601."""
    seconds = int(duration.total_seconds())
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def timer_warnings(configuration: AccountConfiguration | None) -> list[str]:
    """One line per default timer that ends or idles the console's conversations, with what to do."""
    if configuration is None:
        return []
    lines = []
    closed = parse_duration(configuration.default_closed_timer or "")
    inactive = parse_duration(configuration.default_inactive_timer or "")
    fix = (
        "Clear it in Twilio's Console (Conversations > Defaults) or with POST /v1/Configuration, "
        "unless ending idle conversations is intended, then pull the account configuration again."
    )
    if closed:
        line = (
            f"Twilio's account default closed timer ({configuration.default_closed_timer}) closes every "
            f"conversation created without its own timers {_spoken(closed)} after its last message, "
            "pairings, sandbox and long-lived conversations included. A closed conversation cannot be reopened: "
            "the people's next messages no longer reach it."
        )
        reply = timedelta(minutes=settings.PAIRING_REPLY_TIMEOUT_MINUTES)
        if closed < reply:
            line += (
                f" It is shorter than the {_spoken(reply)} a customer has to answer a pairing invite: "
                "pairings will be closed before they can connect."
            )
        lines.append(f"{line} {fix}")
    if inactive:
        lines.append(
            f"Twilio's account default inactive timer ({configuration.default_inactive_timer}) makes every "
            f"conversation created without its own timers inactive {_spoken(inactive)} after its last message, "
            "pairings and long-lived conversations included; a new message reactivates it, and with a closed "
            f"timer it is the step before closing. {fix}"
        )
    return lines
