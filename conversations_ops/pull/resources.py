"""What the pull lists, and how each list maps onto its mirror model.

One `PulledResource` per list. Field mapping lives in `mirror.mapping`
(shared with the push runner); this module only says which gateway page
function, which model and which `apply_*` belong together (the natural keys
by which a remote record may be the copy of a local row without a SID are
mirror.rules.NATURAL_KEYS, shared with the webhooks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conversations_ops.mirror import mapping as mirror
from conversations_ops.mirror.activity import customer_activity_refresh
from conversations_ops.mirror.rules import written_by_the_console
from conversations_ops.models import AddressConfiguration, Conversation, Direction, Message, Participant, Template
from conversations_ops.twilio import gateway


@dataclass(frozen=True)
class PulledResource:
    name: str
    model: type
    apply: Callable
    # fetch(conversation_sid or None, page_url or None) -> RemotePage
    fetch: Callable
    # Listed once per conversation (scope = the conversation's SID).
    nested: bool = False
    # Fills what the remote record does not say, on rows the pull creates.
    complete_new: Callable | None = None
    # (conversation) -> None: after a page of its rows was written (new or changed ones).
    after_store: Callable | None = None


def _message_directions(rows, conversation) -> None:
    """A message written by one of the conversation's people (a binding address) is inbound,
    unless it carries the mark of this console's push (it sent it as that person: a pairing's
    invite is authored as the courier).

    `apply_message` leaves direction alone because the push already knows it;
    for a message the mirror lost, the mark and the author are the clues.
    """
    people = set(
        Participant.objects.filter(conversation=conversation)
        .exclude(messaging_binding_address="")
        .values_list("messaging_binding_address", flat=True)
    )
    for row in rows:
        inbound = row.author in people and not written_by_the_console(row.attributes)
        row.direction = Direction.INBOUND if inbound else Direction.OUTBOUND


# Page sizes are Twilio's maxima per list (the specs' PageSize maximum; docs/twilio-reference.md,
# Pagination): fewer requests.
RESOURCES = {
    resource.name: resource
    for resource in (
        PulledResource(
            "addresses",
            AddressConfiguration,
            mirror.apply_address_configuration,
            lambda _scope, url: gateway.address_configuration_page(page_size=50, page_url=url),
        ),
        PulledResource(
            "conversations",
            Conversation,
            mirror.apply_conversation,
            lambda _scope, url: gateway.conversation_page(page_size=100, page_url=url),
        ),
        PulledResource(
            "participants",
            Participant,
            mirror.apply_participant,
            lambda scope, url: gateway.participant_page(conversation_sid=scope, page_size=100, page_url=url),
            nested=True,
        ),
        PulledResource(
            "messages",
            Message,
            mirror.apply_message,
            lambda scope, url: gateway.message_page(conversation_sid=scope, page_size=100, page_url=url),
            nested=True,
            complete_new=_message_directions,
            # Messages the webhooks missed still reach the advisor's inbox.
            after_store=lambda conversation: customer_activity_refresh(conversation_ids=[conversation.pk]),
        ),
        PulledResource(
            "templates",
            Template,
            mirror.apply_template,
            lambda _scope, url: gateway.content_and_approvals_page(page_size=1000, page_url=url),
        ),
    )
}
# Conversations before what lives in them; participants before messages
# (message direction is read from the participants).
RESOURCE_NAMES = tuple(RESOURCES)
