"""Every gateway function's contract case: keyword arguments, the operationId it must produce, its record."""

from conversations_ops.twilio import records
from conversations_ops.twilio.records import AddressAutoCreation


def sid(prefix):
    return prefix + "a" * 32


CH, MB, IM, WH, IG, HX = (sid(p) for p in ("CH", "MB", "IM", "WH", "IG", "HX"))
WEBHOOK_AUTO_CREATION = AddressAutoCreation(
    enabled=True,
    type="webhook",
    conversation_service_sid=sid("IS"),
    webhook_url="https://ops.example.com/webhooks/twilio/conversations/",
    webhook_method="post",
    webhook_filters=["onMessageAdded", "onParticipantAdded"],
)


STUDIO_AUTO_CREATION = AddressAutoCreation(enabled=True, type="studio", studio_flow_sid=sid("FW"), studio_retry_count=3)
# A next_page_url as Twilio hands it out: page functions fetch it verbatim.
CONVERSATIONS_V1 = "https://conversations.twilio.com/v1"
NEXT_PAGE = "?PageSize=50&Page=1&PageToken=PT1"
# (gateway function, keyword arguments, operationId it must produce, record type or None)
CASES = [
    (
        "address_configuration_create",
        dict(
            type="whatsapp",
            address="whatsapp:+14155550100",
            friendly_name="Main",
            auto_creation=WEBHOOK_AUTO_CREATION,
            address_country="US",
        ),
        "CreateConfigurationAddress",
        records.RemoteAddressConfiguration,
    ),
    (
        "address_configuration_create",
        dict(type="whatsapp", address="whatsapp:+14155550100", auto_creation=STUDIO_AUTO_CREATION),
        "CreateConfigurationAddress",
        records.RemoteAddressConfiguration,
    ),
    (
        "address_configuration_update",
        dict(sid=IG, friendly_name="Renamed", auto_creation=STUDIO_AUTO_CREATION),
        "UpdateConfigurationAddress",
        records.RemoteAddressConfiguration,
    ),
    (
        "address_configuration_update",
        dict(sid=IG, auto_creation=AddressAutoCreation(enabled=False)),
        "UpdateConfigurationAddress",
        records.RemoteAddressConfiguration,
    ),
    ("address_configuration_fetch", dict(sid=IG), "FetchConfigurationAddress", records.RemoteAddressConfiguration),
    ("address_configuration_delete", dict(sid=IG), "DeleteConfigurationAddress", None),
    (
        "address_configuration_list",
        dict(type="whatsapp"),
        "ListConfigurationAddress",
        records.RemoteAddressConfiguration,
    ),
    ("address_configuration_page", dict(type="whatsapp", page_size=50), "ListConfigurationAddress", records.RemotePage),
    (
        "address_configuration_page",
        dict(page_url=f"{CONVERSATIONS_V1}/Configuration/Addresses{NEXT_PAGE}"),
        "ListConfigurationAddress",
        records.RemotePage,
    ),
    # The account's own addresses (Api v2010 IncomingPhoneNumbers, Messaging v2 Channels Senders).
    ("phone_number_list", dict(), "ListIncomingPhoneNumber", records.RemotePhoneNumber),
    ("whatsapp_sender_list", dict(page_size=50), "ListChannelsSender", records.RemoteSender),
    # What the address form offers: the account's Studio flows and Conversation Services.
    ("studio_flow_list", dict(), "ListFlow", records.RemoteStudioFlow),
    ("conversation_service_list", dict(), "ListService", records.RemoteConversationService),
    (
        "conversation_create",
        dict(
            unique_name="pairing-7",
            friendly_name="Order 7",
            attributes='{"pairing": 7}',
            state="active",
            timers_inactive="PT5M",
            timers_closed="PT10M",
            messaging_service_sid=sid("MG"),
            webhook_enabled=True,
        ),
        "CreateConversation",
        records.RemoteConversation,
    ),
    ("conversation_create", dict(), "CreateConversation", records.RemoteConversation),
    (
        "conversation_update",
        dict(
            sid=CH,
            friendly_name="Order 7",
            attributes="{}",
            state="closed",
            timers_inactive="PT1M",
            timers_closed="P1D",
            unique_name="u",
            webhook_enabled=False,
        ),
        "UpdateConversation",
        records.RemoteConversation,
    ),
    ("conversation_fetch", dict(sid="pairing-7"), "FetchConversation", records.RemoteConversation),
    ("conversation_delete", dict(sid=CH, webhook_enabled=False), "DeleteConversation", None),
    ("conversation_list", dict(state="active"), "ListConversation", records.RemoteConversation),
    ("conversation_page", dict(state="active", page_size=100), "ListConversation", records.RemotePage),
    (
        "conversation_page",
        dict(page_url=f"{CONVERSATIONS_V1}/Conversations{NEXT_PAGE}"),
        "ListConversation",
        records.RemotePage,
    ),
    (
        "participant_create",
        dict(
            conversation_sid=CH,
            messaging_binding_address="whatsapp:+14155550100",
            messaging_binding_proxy_address="whatsapp:+14155550111",
            attributes='{"role": "customer"}',
            webhook_enabled=True,
        ),
        "CreateConversationParticipant",
        records.RemoteParticipant,
    ),
    (
        "participant_create",
        dict(
            conversation_sid=CH,
            identity="ops-agent",
            role_sid=sid("RL"),
            messaging_binding_projected_address="+14155550111",
        ),
        "CreateConversationParticipant",
        records.RemoteParticipant,
    ),
    (
        "participant_update",
        dict(
            conversation_sid=CH,
            sid=MB,
            attributes="{}",
            role_sid=sid("RL"),
            identity="x",
            messaging_binding_proxy_address="+14155550111",
            messaging_binding_projected_address="null",
            last_read_message_index=3,
            webhook_enabled=False,
        ),
        "UpdateConversationParticipant",
        records.RemoteParticipant,
    ),
    ("participant_fetch", dict(conversation_sid=CH, sid=MB), "FetchConversationParticipant", records.RemoteParticipant),
    (
        "participant_delete",
        dict(conversation_sid=CH, sid=MB, webhook_enabled=True),
        "DeleteConversationParticipant",
        None,
    ),
    ("participant_list", dict(conversation_sid=CH), "ListConversationParticipant", records.RemoteParticipant),
    ("participant_page", dict(conversation_sid=CH, page_size=100), "ListConversationParticipant", records.RemotePage),
    (
        "participant_page",
        dict(conversation_sid=CH, page_url=f"{CONVERSATIONS_V1}/Conversations/{CH}/Participants{NEXT_PAGE}"),
        "ListConversationParticipant",
        records.RemotePage,
    ),
    (
        "participant_conversation_list",
        dict(address="whatsapp:+14155550100"),
        "ListParticipantConversation",
        records.RemoteParticipantConversation,
    ),
    (
        "participant_conversation_list",
        dict(identity="ops-agent"),
        "ListParticipantConversation",
        records.RemoteParticipantConversation,
    ),
    (
        "message_create",
        dict(
            conversation_sid=CH,
            author="whatsapp:+14155550100",
            body="On my way",
            attributes='{"local_id": "1"}',
            webhook_enabled=True,
        ),
        "CreateConversationMessage",
        records.RemoteMessage,
    ),
    (
        "message_create",
        dict(conversation_sid=CH, content_sid=HX, content_variables={"1": "Robert's", "2": 'A "b"'}),
        "CreateConversationMessage",
        records.RemoteMessage,
    ),
    (
        "message_create",
        dict(conversation_sid=CH, media_sid=sid("ME"), subject="Photo"),
        "CreateConversationMessage",
        records.RemoteMessage,
    ),
    ("message_fetch", dict(conversation_sid=CH, sid=IM), "FetchConversationMessage", records.RemoteMessage),
    ("message_list", dict(conversation_sid=CH, order="desc"), "ListConversationMessage", records.RemoteMessage),
    (
        "message_page",
        dict(conversation_sid=CH, order="asc", page_size=100),
        "ListConversationMessage",
        records.RemotePage,
    ),
    (
        "message_page",
        dict(conversation_sid=CH, page_url=f"{CONVERSATIONS_V1}/Conversations/{CH}/Messages{NEXT_PAGE}"),
        "ListConversationMessage",
        records.RemotePage,
    ),
    (
        "receipt_list",
        dict(conversation_sid=CH, message_sid=IM),
        "ListConversationMessageReceipt",
        records.RemoteReceipt,
    ),
    (
        "conversation_webhook_create",
        dict(
            conversation_sid=CH,
            target="webhook",
            url="https://ops.example.com/webhooks/twilio/conversations/",
            method="post",
            filters=["onMessageAdded"],
        ),
        "CreateConversationScopedWebhook",
        records.RemoteConversationWebhook,
    ),
    (
        "conversation_webhook_create",
        dict(conversation_sid=CH, target="studio", flow_sid=sid("FW"), replay_after=0, filters=["onMessageAdded"]),
        "CreateConversationScopedWebhook",
        records.RemoteConversationWebhook,
    ),
    (
        "conversation_webhook_create",
        dict(
            conversation_sid=CH,
            target="trigger",
            url="https://ops.example.com/t",
            method="get",
            triggers=["help", "stop"],
        ),
        "CreateConversationScopedWebhook",
        records.RemoteConversationWebhook,
    ),
    ("conversation_webhook_delete", dict(conversation_sid=CH, sid=WH), "DeleteConversationScopedWebhook", None),
    (
        "conversation_webhook_list",
        dict(conversation_sid=CH),
        "ListConversationScopedWebhook",
        records.RemoteConversationWebhook,
    ),
    ("account_configuration_fetch", dict(), "FetchConfiguration", records.RemoteAccountConfiguration),
    ("account_webhooks_fetch", dict(), "FetchConfigurationWebhook", records.RemoteAccountWebhooks),
    (
        "account_webhooks_update",
        dict(
            method="POST",
            filters=["onMessageAdded", "onDeliveryUpdated"],
            pre_webhook_url="https://ops.example.com/pre",
            post_webhook_url="https://ops.example.com/post",
            target="webhook",
        ),
        "UpdateConfigurationWebhook",
        records.RemoteAccountWebhooks,
    ),
    (
        "content_create",
        dict(
            friendly_name="courier_invite",
            language="en",
            variables={"1": "Robert", "2": "Alicia"},
            types={"twilio/text": {"body": "Hello {{1}}, {{2}} needs help finding your door."}},
        ),
        "CreateContent",
        records.RemoteContent,
    ),
    ("content_fetch", dict(sid=HX), "FetchContent", records.RemoteContent),
    ("content_delete", dict(sid=HX), "DeleteContent", None),
    ("content_list", dict(), "ListContent", records.RemoteContent),
    ("content_and_approvals_list", dict(), "ListContentAndApprovals", records.RemoteContent),
    ("content_and_approvals_page", dict(page_size=1000), "ListContentAndApprovals", records.RemotePage),
    (
        "content_and_approvals_page",
        dict(page_url=f"https://content.twilio.com/v1/ContentAndApprovals{NEXT_PAGE}"),
        "ListContentAndApprovals",
        records.RemotePage,
    ),
    ("content_approval_fetch", dict(sid=HX), "FetchApprovalFetch", records.RemoteApproval),
    (
        "content_approval_create",
        dict(sid=HX, name="courier_invite", category="UTILITY"),
        "CreateApprovalCreate",
        records.RemoteApproval,
    ),
]
