"""Conversation Services and the account's /v1/Configuration defaults.

Twilio: a Conversation Service is the container of conversations; the short
`/v1/Conversations` paths reach only the account's default service, any other
at `/v1/Services/{ChatServiceSid}/Conversations/...`
(https://www.twilio.com/docs/conversations/api/service-resource). The account's
Configuration names that default service and the default Messaging Service, and
holds the default timers "for all Conversations created in your account"
(https://www.twilio.com/docs/conversations/api/configuration-resource,
https://www.twilio.com/docs/conversations/states-timers).
"""

from simulator import clock
from simulator.api.errors import TwilioError
from simulator.models import SimConfiguration, SimService
from simulator.sids import new_sid

DEFAULT_CHAT_SERVICE_SID = "IS" + "5e" * 16
DEFAULT_MESSAGING_SERVICE_SID = "MG" + "5e" * 16
DEFAULT_SERVICE_NAME = "Default Conversations Service"


def configuration() -> SimConfiguration:
    """The account's single Configuration row (pk=1), made with the built-in defaults on first use."""
    row, _ = SimConfiguration.objects.get_or_create(
        pk=1,
        defaults={
            "default_chat_service_sid": DEFAULT_CHAT_SERVICE_SID,
            "default_messaging_service_sid": DEFAULT_MESSAGING_SERVICE_SID,
        },
    )
    return row


def default_service_sid() -> str:
    """The service the short /v1/Conversations paths address."""
    sid = configuration().default_chat_service_sid
    _ensure_default(sid)
    return sid


def _ensure_default(sid: str) -> None:
    if sid == DEFAULT_CHAT_SERVICE_SID and not SimService.objects.filter(sid=sid).exists():
        now = clock.now()
        SimService.objects.get_or_create(
            sid=sid, defaults={"friendly_name": DEFAULT_SERVICE_NAME, "date_created": now, "date_updated": now}
        )


def exists(sid: str) -> bool:
    _ensure_default(configuration().default_chat_service_sid)
    return SimService.objects.filter(sid=sid).exists()


def services():
    _ensure_default(configuration().default_chat_service_sid)
    return SimService.objects.order_by("date_created", "id")


def create(friendly_name: str) -> SimService:
    if not friendly_name:
        raise TwilioError(400, 20001, "Missing required parameter FriendlyName in the post body")
    if len(friendly_name) > 256:
        raise TwilioError(400, 20001, "FriendlyName is limited to 256 characters")
    default_service_sid()  # the default service exists before any other
    now = clock.now()
    return SimService.objects.create(sid=new_sid("IS"), friendly_name=friendly_name, date_created=now, date_updated=now)
