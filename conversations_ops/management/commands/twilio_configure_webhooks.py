from django.core.management.base import CommandError

from conversations_ops import permissions as rules
from conversations_ops.management.command_user import ShellCommand, add_user_argument, attributed, command_user
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.twilio.errors import explain_error
from conversations_ops.twilio.gateway import GatewayError


class Command(ShellCommand):
    help = (
        "Point Twilio's account post-event webhook at PUBLIC_BASE_URL + /webhooks/twilio/conversations/. "
        "--as USERNAME (default $CONSOLE_USER): that user's permissions are checked (exit 2 when refused)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--public-base-url", help="How Twilio reaches this console (default: PUBLIC_BASE_URL).")
        add_user_argument(parser)

    def handle(self, *args, public_base_url=None, as_user=None, **options):
        user = command_user(as_user, needs=rules.CONFIGURE_ACCOUNT_WEBHOOKS, action="configure Twilio's webhooks")
        try:
            remote = attributed(account_webhooks_configure, user, public_base_url=public_base_url)
        except GatewayError as exc:
            explanation = explain_error(exc)
            raise CommandError(
                f"Twilio refused the webhook configuration: {exc}\n"
                f"{explanation.title}. {explanation.meaning}\nNext: {explanation.next_step}\nSee {explanation.link}"
            ) from exc
        self.stdout.write(f"Post-event webhook: {remote.method} {remote.post_webhook_url} (target {remote.target})")
        self.stdout.write(f"Events: {', '.join(remote.filters)}")
        self.stdout.write(f"Pre-event webhook: {remote.pre_webhook_url or 'off'}")
