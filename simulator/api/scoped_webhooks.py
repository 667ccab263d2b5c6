"""/v1/Conversations/{sid}/Webhooks: at most five post-event webhooks per conversation."""

from simulator import clock
from simulator.api import lookups, params, serializers
from simulator.api.common import created, form_int, no_content, ok, page, resource_views
from simulator.api.errors import TwilioError
from simulator.models import SimScopedWebhook
from simulator.sids import new_sid

TARGETS = ("webhook", "trigger", "studio")
MAX_PER_CONVERSATION = 5


def _list(request, conversation_sid):
    conversation = lookups.conversation(request, conversation_sid)
    return page(
        request,
        conversation.webhooks.order_by("date_created", "id"),
        product="conversations",
        key="webhooks",
        serialize=serializers.scoped_webhook,
        max_page_size=5,
    )


def _create(request, conversation_sid):
    conversation = lookups.conversation(request, conversation_sid)
    form = request.POST
    target = params.required(form, "Target")
    params.choice(form, "Target", TARGETS)
    if conversation.webhooks.count() >= MAX_PER_CONVERSATION:
        raise TwilioError(400, 50361, f"A conversation can have at most {MAX_PER_CONVERSATION} scoped webhooks")
    replay_after = form_int(form, "Configuration.ReplayAfter")
    if replay_after is not None and replay_after < 0:
        raise params.invalid("Configuration.ReplayAfter must be a message index (0 or more)")
    now = clock.now()
    webhook = SimScopedWebhook(
        sid=new_sid("WH"),
        conversation=conversation,
        target=target,
        replay_after=replay_after,
        date_created=now,
        date_updated=now,
    )
    _configure(webhook, form)
    webhook.save()
    return created(serializers.scoped_webhook(request, webhook))


def _fetch(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    return ok(serializers.scoped_webhook(request, lookups.child(request, conversation.webhooks, sid, "WH")))


def _update(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    webhook = lookups.child(request, conversation.webhooks, sid, "WH")
    _configure(webhook, request.POST)
    webhook.date_updated = clock.now()
    webhook.save()
    return ok(serializers.scoped_webhook(request, webhook))


def _delete(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    lookups.child(request, conversation.webhooks, sid, "WH").delete()
    return no_content()


def _configure(webhook, form) -> None:
    """Applies the Configuration.* fields sent, then checks what the target needs."""
    webhook.url = params.url(form, "Configuration.Url") or webhook.url
    webhook.method = params.webhook_method(form, "Configuration.Method") or webhook.method
    filters = params.string_list(form, "Configuration.Filters")
    webhook.filters = webhook.filters if filters is None else filters
    triggers = params.string_list(form, "Configuration.Triggers")
    webhook.triggers = webhook.triggers if triggers is None else triggers
    webhook.flow_sid = params.sid(form, "Configuration.FlowSid", "FW") or webhook.flow_sid
    if webhook.target in ("webhook", "trigger"):
        if not webhook.url:
            raise params.invalid(f"Configuration.Url is required for Target {webhook.target}")
        webhook.method = webhook.method or "POST"
    if webhook.target == "trigger" and not webhook.triggers:
        raise params.invalid("Configuration.Triggers is required for Target trigger")
    if webhook.target == "studio" and not webhook.flow_sid:
        raise params.invalid("Configuration.FlowSid is required for Target studio")


collection, item = resource_views(
    collection={"GET": _list, "POST": _create},
    item={"GET": _fetch, "POST": _update, "DELETE": _delete},
)
