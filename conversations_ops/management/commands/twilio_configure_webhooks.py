from django.core.management.base import BaseCommand, CommandError

from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.sync_errors import explain_error
from conversations_ops.twilio_gateway import GatewayError


class Command(BaseCommand):
    help = "Point Twilio's account post-event webhook at PUBLIC_BASE_URL + /webhooks/twilio/conversations/."

    def add_arguments(self, parser):
        parser.add_argument("--public-base-url", help="How Twilio reaches this console (default: PUBLIC_BASE_URL).")

    def handle(self, *args, public_base_url=None, **options):
        try:
            remote = account_webhooks_configure(public_base_url=public_base_url)
        except GatewayError as exc:
            explanation = explain_error(exc)
            raise CommandError(
                f"Twilio refused the webhook configuration: {exc}\n"
                f"{explanation.title}. {explanation.meaning}\nNext: {explanation.next_step}\nSee {explanation.link}"
            ) from exc
        self.stdout.write(f"Post-event webhook: {remote.method} {remote.post_webhook_url} (target {remote.target})")
        self.stdout.write(f"Events: {', '.join(remote.filters)}")
        self.stdout.write(f"Pre-event webhook: {remote.pre_webhook_url or 'off'}")
