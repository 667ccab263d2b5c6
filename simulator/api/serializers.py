"""Conversations v1 resources in Twilio's JSON shapes (vendor/twilio-oai/ response schemas).

One function per resource, each taking (request, row): `url` and `links` point
back at this simulator, dates are ISO-8601 UTC with a trailing Z.
"""

from django.conf import settings

from simulator.api.common import product_base
from simulator.engine import services, timers
from simulator.engine.store import channel_of
from simulator.sids import iso

# Receipt statuses progress sent -> delivered -> read, so a read message also
# counts as delivered and sent (Twilio's example: sent "all", delivered "some").
DELIVERY_REACHED = {
    "sent": {"sent", "delivered", "read"},
    "delivered": {"delivered", "read"},
    "read": {"read"},
    "failed": {"failed"},
    "undelivered": {"undelivered"},
}


def _base(request) -> str:
    return f"{product_base(request, 'conversations')}/v1"


def _conversation_url(request, conversation) -> str:
    """A conversation of the default service at the short path, any other under its service."""
    default = getattr(request, "_sim_default_service", None)
    if default is None:
        default = request._sim_default_service = services.default_service_sid()
    if conversation.chat_service_sid == default:
        return f"{_base(request)}/Conversations/{conversation.sid}"
    return f"{_base(request)}/Services/{conversation.chat_service_sid}/Conversations/{conversation.sid}"


def _timers(conversation) -> dict:
    date_inactive, date_closed = timers.due_dates(conversation)
    answer = {}
    if date_inactive:
        answer["date_inactive"] = iso(date_inactive)
    if date_closed:
        answer["date_closed"] = iso(date_closed)
    return answer


def address_configuration(request, row) -> dict:
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "type": row.type,
        "address": row.address,
        "friendly_name": row.friendly_name,
        "auto_creation": row.auto_creation or None,
        "address_country": row.address_country,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "url": f"{_base(request)}/Configuration/Addresses/{row.sid}",
    }


def account_webhooks(request, row) -> dict:
    return {
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "method": row.method,
        "filters": list(row.filters),
        "pre_webhook_url": row.pre_webhook_url,
        "post_webhook_url": row.post_webhook_url,
        "target": row.target,
        "url": f"{_base(request)}/Configuration/Webhooks",
    }


def conversation(request, row) -> dict:
    url = _conversation_url(request, row)
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "chat_service_sid": row.chat_service_sid,
        "messaging_service_sid": row.messaging_service_sid,
        "friendly_name": row.friendly_name,
        "unique_name": row.unique_name,
        "attributes": row.attributes,
        "state": row.state,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "timers": _timers(row),
        "bindings": {},
        "url": url,
        "links": {
            name: f"{url}/{path}"
            for name, path in (
                ("participants", "Participants"),
                ("messages", "Messages"),
                ("webhooks", "Webhooks"),
                ("export", "Export"),
            )
        },
    }


def messaging_binding(row) -> dict | None:
    """SMS/WhatsApp participants carry their binding; a chat participant only its projected address."""
    if row.address:
        return {"type": row.channel, "address": row.address, "proxy_address": row.proxy_address}
    if row.projected_address:
        return {"type": channel_of(row.projected_address), "projected_address": row.projected_address}
    return None


def participant(request, row) -> dict:
    conversation_sid = row.conversation.sid
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "conversation_sid": conversation_sid,
        "identity": row.identity,
        "attributes": row.attributes,
        "messaging_binding": messaging_binding(row),
        "role_sid": row.role_sid,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "url": f"{_conversation_url(request, row.conversation)}/Participants/{row.sid}",
        "last_read_message_index": row.last_read_message_index,
        "last_read_timestamp": row.last_read_timestamp,
    }


def participant_conversation(request, row) -> dict:
    """One row of /v1/ParticipantConversations: a participant seen with its conversation."""
    conv = row.conversation
    conversation_url = _conversation_url(request, conv)
    return {
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "chat_service_sid": conv.chat_service_sid,
        "participant_sid": row.sid,
        "participant_user_sid": None,
        "participant_identity": row.identity,
        "participant_messaging_binding": messaging_binding(row),
        "conversation_sid": conv.sid,
        "conversation_unique_name": conv.unique_name,
        "conversation_friendly_name": conv.friendly_name,
        "conversation_attributes": conv.attributes,
        "conversation_date_created": iso(conv.date_created),
        "conversation_date_updated": iso(conv.date_updated),
        "conversation_created_by": None,
        # The spec's enum for this list has no "initializing": such a conversation is not closed, so "active".
        "conversation_state": "active" if conv.state == "initializing" else conv.state,
        "conversation_timers": _timers(conv),
        "links": {"participant": f"{conversation_url}/Participants/{row.sid}", "conversation": conversation_url},
    }


def delivery_summary(receipts) -> dict | None:
    """Twilio's message `delivery`: how many receipts, and whether all/some/none reached each status."""
    if not receipts:
        return None
    summary = {"total": len(receipts)}
    for status, reached in DELIVERY_REACHED.items():
        count = sum(1 for receipt in receipts if receipt.status in reached)
        summary[status] = "all" if count == len(receipts) else "some" if count else "none"
    return summary


def message(request, row) -> dict:
    url = f"{_conversation_url(request, row.conversation)}/Messages/{row.sid}"
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "conversation_sid": row.conversation.sid,
        "index": row.index,
        "author": row.author,
        "body": row.body,
        "media": row.media,
        "attributes": row.attributes,
        "participant_sid": row.participant_sid,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "delivery": delivery_summary(list(row.receipts.all())),
        "content_sid": row.content_sid,
        "url": url,
        "links": {"delivery_receipts": f"{url}/Receipts", "channel_metadata": f"{url}/ChannelMetadata"},
    }


def receipt(request, row) -> dict:
    message_row = row.message
    conversation_sid = message_row.conversation.sid
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "conversation_sid": conversation_sid,
        "message_sid": message_row.sid,
        "channel_message_sid": row.channel_message_sid,
        "participant_sid": row.participant.sid,
        "status": row.status,
        # The schema's error_code is a non-null integer: 0 when delivery did not fail.
        "error_code": row.error_code or 0,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "url": f"{_conversation_url(request, message_row.conversation)}/Messages/{message_row.sid}/Receipts/{row.sid}",
    }


def scoped_webhook(request, row) -> dict:
    if row.target == "studio":
        configuration = {"flow_sid": row.flow_sid, **({"filters": list(row.filters)} if row.filters else {})}
    else:
        configuration = {"url": row.url, "method": row.method, "filters": list(row.filters)}
        if row.target == "trigger":
            configuration["triggers"] = list(row.triggers)
    if row.replay_after is not None:
        configuration["replay_after"] = row.replay_after
    conversation_sid = row.conversation.sid
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "conversation_sid": conversation_sid,
        "target": row.target,
        "configuration": configuration,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "url": f"{_conversation_url(request, row.conversation)}/Webhooks/{row.sid}",
    }
