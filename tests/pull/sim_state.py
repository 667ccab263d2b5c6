"""Simulator state written straight into its tables: fast, and the same rows its REST API serves."""

from datetime import timedelta

from simulator import clock
from simulator.engine import store
from simulator.models import SimAddressConfiguration, SimContent, SimConversation, SimMessage, SimParticipant
from simulator.sids import new_sid

BUSINESS_WA = "whatsapp:+14155550100"
CUSTOMER_WA = "whatsapp:+15017122661"
COURIER_SMS = "+15017122663"
BUSINESS_SMS = "+14155550101"


def address(address=BUSINESS_WA, **fields):
    now = clock.now()
    return SimAddressConfiguration.objects.create(
        sid=new_sid("IG"),
        type="whatsapp" if address.startswith("whatsapp:") else "sms",
        address=address,
        friendly_name=fields.pop("friendly_name", "Deliveries"),
        auto_creation=fields.pop("auto_creation", {"enabled": True, "type": "default"}),
        address_country="US",
        date_created=now,
        date_updated=now,
        **fields,
    )


def conversation(
    *, messages=0, unique_name=None, friendly_name="Order", people=True, customer=CUSTOMER_WA, courier=COURIER_SMS
):
    """A conversation with a WhatsApp customer, an SMS courier and an agent, and `messages` messages (bulk).

    Twilio allows an address+proxy pair in one open conversation only: give
    each conversation its own `customer` and `courier`.
    """
    conv = store.create_conversation(unique_name=unique_name, friendly_name=friendly_name)
    if people:
        store.add_participant(conv, address=customer, proxy_address=BUSINESS_WA, attributes='{"n": 1}')
        store.add_participant(conv, address=courier, proxy_address=BUSINESS_SMS)
        store.add_participant(conv, identity="ops-agent")
    add_messages(conv, messages)
    return conv


def people(n: int) -> dict:
    """Distinct customer and courier addresses for the n-th conversation."""
    return {"customer": f"whatsapp:+1501712{n:04d}", "courier": f"+1501713{n:04d}"}


def add_messages(conv, count, *, start=0):
    base = clock.now() - timedelta(days=1)
    SimMessage.objects.bulk_create(
        [
            SimMessage(
                sid=new_sid("IM"),
                conversation=conv,
                index=start + i,
                author=CUSTOMER_WA if i % 2 else "ops-agent",
                body=f"message {start + i}",
                attributes="{}",
                date_created=base + timedelta(seconds=i),
                date_updated=base + timedelta(seconds=i),
            )
            for i in range(count)
        ],
        batch_size=500,
    )


def content(friendly_name="courier_invite", status="approved"):
    now = clock.now()
    approval = (
        {
            "name": friendly_name,
            "category": "UTILITY",
            "content_type": "twilio/text",
            "status": status,
            "rejection_reason": "",
            "allow_category_change": True,
        }
        if status
        else {}
    )
    return SimContent.objects.create(
        sid=new_sid("HX"),
        friendly_name=friendly_name,
        language="en",
        variables={"1": "Ana"},
        types={"twilio/text": {"body": "Hello {{1}}"}},
        approval=approval,
        date_created=now,
        date_updated=now,
    )


def participants_of(conv):
    return SimParticipant.objects.filter(conversation=conv)


def remove_conversation(conv):
    SimConversation.objects.filter(pk=conv.pk).delete()
