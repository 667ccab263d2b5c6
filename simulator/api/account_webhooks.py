"""/v1/Configuration/Webhooks: the account's pre/post-event webhook (one row, pk=1)."""

from simulator.api import params, serializers
from simulator.api.common import by_method, ok, twilio_endpoint
from simulator.engine.store import account_webhooks

# Every value the spec's description allows, old (onXxxAdd) and new (onXxxAdded) names alike.
FILTERS = (
    "onMessageAdded",
    "onMessageUpdated",
    "onMessageRemoved",
    "onMessageAdd",
    "onMessageUpdate",
    "onMessageRemove",
    "onConversationUpdated",
    "onConversationRemoved",
    "onConversationAdd",
    "onConversationAdded",
    "onConversationRemove",
    "onConversationUpdate",
    "onConversationStateUpdated",
    "onParticipantAdded",
    "onParticipantUpdated",
    "onParticipantRemoved",
    "onParticipantAdd",
    "onParticipantRemove",
    "onParticipantUpdate",
    "onDeliveryUpdated",
    "onUserAdded",
    "onUserUpdate",
    "onUserUpdated",
)


@twilio_endpoint
def item(request):
    return by_method(request, {"GET": _fetch, "POST": _update})


def _fetch(request):
    return ok(serializers.account_webhooks(request, account_webhooks()))


def _update(request):
    form = request.POST
    row = account_webhooks()
    method = form.get("Method")
    if method is not None:
        # A plain string in the spec; the answer's enum is GET|POST, so either case is taken.
        if method.upper() not in ("GET", "POST"):
            raise params.invalid(f"Invalid value '{method}' for parameter Method: expected GET or POST")
        row.method = method.upper()
    filters = params.string_list(form, "Filters", FILTERS)
    if filters is not None:
        row.filters = filters
    for name, field in (("PreWebhookUrl", "pre_webhook_url"), ("PostWebhookUrl", "post_webhook_url")):
        if name in form:
            # An empty value switches that webhook off.
            setattr(row, field, params.url(form, name) if form[name] else None)
    row.target = params.choice(form, "Target", ("webhook", "flex")) or row.target
    row.save()
    return ok(serializers.account_webhooks(request, row))
