"""Gives a fresh simulator something to play with: the account's numbers and WhatsApp sender,
their address configurations, approved templates, and two Studio flows (one published, one draft).

The template texts are the ones in Twilio's guide "Using WhatsApp with Conversations"
(docs/twilio-reference.md), so the courier pairing can be tried end to end without any setup.
The account owns its senders, as Twilio requires of an address configuration
(simulator/engine/owned.py): two phone numbers (IncomingPhoneNumbers), one of them
registered as a WhatsApp sender (Channels Senders). The WhatsApp Sandbox number
(+14155238886) is not one of them: it is Twilio's shared number and cannot auto-create.
"""

from django.core.management.base import BaseCommand

from simulator import clock
from simulator.engine import owned, studio
from simulator.models import SimAddressConfiguration, SimContent, SimPhoneNumber, SimStudioFlow
from simulator.sids import new_sid

BUSINESS_WHATSAPP = "whatsapp:+14155238889"
BUSINESS_SMS = "+14155238887"
TEMPLATES = [
    (
        "courier_invite",
        {"1": "Robert", "2": "Alicia"},
        "Hello {{1}}, your food delivery is almost there but {{2}} (your rider) needs help finding your door. "
        "Are you willing to chat with them?",
    ),
    (
        "courier_connected",
        {},
        "Your customer has agreed to chat over WhatsApp to get this delivery sorted. You're now connected. Say hello!",
    ),
]
# Studio flows the address form offers (Twilio's Studio editor makes them; the console never does):
# one published, one still a draft, so both labels can be seen.
STUDIO_FLOWS = (("Messaging Flow (demo)", "published"), ("Order updates (demo draft)", "draft"))


class Command(BaseCommand):
    help = (
        "Give the simulated account its numbers and WhatsApp sender (with address configurations), "
        "the guide's two approved WhatsApp templates and two Studio flows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the simulator already has data.")

    def handle(self, *args, if_empty, **options):
        if if_empty and (
            SimAddressConfiguration.objects.exists() or SimContent.objects.exists() or SimPhoneNumber.objects.exists()
        ):
            self.stdout.write("Simulator already has data; not seeding.")
            return
        now = clock.now()
        owned.own_phone_number(BUSINESS_SMS, "Deliveries SMS (demo)")
        owned.own_whatsapp_sender(BUSINESS_WHATSAPP, profile_name="Deliveries (demo)")
        for address, kind, name in (
            (BUSINESS_WHATSAPP, "whatsapp", "Deliveries WhatsApp (demo)"),
            (BUSINESS_SMS, "sms", "Deliveries SMS (demo)"),
        ):
            SimAddressConfiguration.objects.get_or_create(
                address=address,
                defaults=dict(
                    sid=new_sid("IG"),
                    type=kind,
                    friendly_name=name,
                    date_created=now,
                    date_updated=now,
                    auto_creation={"enabled": True, "type": "default"},
                ),
            )
        for name, status in STUDIO_FLOWS:
            if not SimStudioFlow.objects.filter(friendly_name=name).exists():
                studio.add_flow(name, status)
        for name, variables, body in TEMPLATES:
            if not SimContent.objects.filter(friendly_name=name).exists():
                SimContent.objects.create(
                    sid=new_sid("HX"),
                    friendly_name=name,
                    language="en",
                    variables=variables,
                    types={"twilio/text": {"body": body}},
                    date_created=now,
                    date_updated=now,
                    approval={
                        "name": name,
                        "category": "UTILITY",
                        "content_type": "twilio/text",
                        "status": "approved",
                        "rejection_reason": "",
                        "allow_category_change": True,
                    },
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Simulator seeded: WhatsApp sender {BUSINESS_WHATSAPP}, SMS number {BUSINESS_SMS} "
                "(the account's own, with auto-creation), "
                f"approved templates {', '.join(name for name, _, _ in TEMPLATES)}, "
                f"Studio flows {', '.join(name for name, _ in STUDIO_FLOWS)}."
            )
        )
