"""Small helpers shared by the simulator's engine, control and fault tests."""

import requests

from simulator.engine import store

BUSINESS_WA = "whatsapp:+14155550100"
CUSTOMER_WA = "whatsapp:+15017122661"
COURIER_WA = "whatsapp:+15017122662"
CUSTOMER_SMS = "+15017122663"
BUSINESS_SMS = "+14155550101"

ALL_POST_EVENTS = [
    "onConversationAdded",
    "onConversationUpdated",
    "onConversationRemoved",
    "onConversationStateUpdated",
    "onParticipantAdded",
    "onParticipantUpdated",
    "onParticipantRemoved",
    "onMessageAdded",
    "onMessageUpdated",
    "onMessageRemoved",
    "onDeliveryUpdated",
]


def control(sim, path: str, method: str = "POST", *, json=None, data=None, params=None):
    """Calls the control API over HTTP; answers (status, decoded JSON)."""
    response = requests.request(
        method, f"{sim.api_base}/_control/{path}", json=json, data=data, params=params, timeout=30
    )
    return response.status_code, response.json()


def point_account_webhook(url: str, filters=None, method: str = "POST"):
    """The account post-event webhook, set directly in the simulator's state."""
    row = store.account_webhooks()
    row.post_webhook_url, row.method = url, method
    row.filters = list(ALL_POST_EVENTS if filters is None else filters)
    row.save()
    return row
