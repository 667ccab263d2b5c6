"""Which template a message was: from the console's own outbox row, else from the Message resource.

Twilio's `onMessageAdded` does not carry the template (its parameter table lists no
ContentSid: https://www.twilio.com/docs/conversations/conversations-webhooks), while
the Message resource does (`content_sid`, vendor/twilio-oai). So:

- a message the console sent keeps the `content_sid` of the row it queued (the
  appliers never clear it: mirror.mapping.apply_message);
- a message another client wrote (a Studio flow, a Function, an SDK) and the webhook
  brought in is fetched once, after the event is applied, outside its transaction (a
  Twilio call must not hold SQLite's write lock), and its `content_sid` recorded.

Only what another client wrote can be a template we do not know yet, so nothing else
costs a REST read (may_be_a_template):
- a message a person's phone sent (`Source` SMS or WHATSAPP) is never fetched;
- nor one the console sent (its attributes carry our local id, mirror.rules): its
  outbox row already says whether it was a template, free-form ones included;
- nor one the mirror counts as a person's (inbound: its author is one of the
  conversation's binding addresses, whatever client relayed it): a template is the
  business's message.
A fetch that fails is logged and left, and so is a message this rule skips wrongly:
the scheduled pull lists `content_sid` too and fills it in.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from conversations_ops.db_writes import write_transaction
from conversations_ops.mirror.rules import written_by_the_console
from conversations_ops.models import Direction, Message
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError

logger = logging.getLogger(__name__)

# Sources of messages a person's phone sent; anything else (API, SDK, ...) was a client's.
PHONE_SOURCES = frozenset({"SMS", "WHATSAPP"})


def written_by_a_client(source: str) -> bool:
    return (source or "").upper() not in PHONE_SOURCES


def may_be_a_template(*, source: str, attributes: str, direction: str) -> bool:
    """Whether a new message's template is worth fetching: another client's (not a phone's,
    not the console's own) message from the business (not inbound)."""
    return written_by_a_client(source) and not written_by_the_console(attributes) and direction != Direction.INBOUND


def attribution_enqueue_on_commit(message_ids) -> None:
    """Once the applier's transaction commits: one task fetches these messages."""
    ids = sorted({pk for pk in message_ids if pk})
    if ids:
        transaction.on_commit(partial(_enqueue, ids))


def _enqueue(ids: list[int]) -> None:
    task = partial(
        async_task,
        "conversations_ops.tasks.message_templates_attribute",
        ids,
        task_name="message-templates-attribute",
        group="webhooks",
    )
    if settings.Q_CLUSTER.get("sync"):
        task()  # tests: right here, outside the committed transaction
        return
    with write_transaction():  # the ORM broker's INSERT queues at the write gate
        task()


def message_templates_attribute(*, message_ids: list[int]) -> int:
    """Fetches each message still without a template and records Twilio's `content_sid`;
    answers how many turned out to be templates. Safe to run twice."""
    attributed = 0
    rows = (
        Message.objects.filter(pk__in=message_ids, content_sid="")
        .exclude(sid="")
        .exclude(conversation__sid="")
        .values_list("pk", "sid", "conversation__sid")
    )
    for pk, sid, conversation_sid in list(rows):
        try:
            remote = gateway.message_fetch(conversation_sid=conversation_sid, sid=sid)
        except GatewayError as exc:
            logger.warning("Message %s: its template could not be read (%s); the next pull fills it in", sid, exc)
            continue
        if not remote.content_sid:
            continue
        with write_transaction():
            attributed += Message.objects.filter(pk=pk, content_sid="").update(
                content_sid=remote.content_sid, updated_at=timezone.now()
            )
    return attributed
