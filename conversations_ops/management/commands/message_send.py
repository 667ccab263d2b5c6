from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Q

from conversations_ops import permissions as rules
from conversations_ops.management.command_user import ShellCommand, add_user_argument, command_user
from conversations_ops.messaging.template_variables import template_variables_parse
from conversations_ops.models import Conversation, SyncState
from conversations_ops.services.messages import SYSTEM_AUTHOR, message_send

REFUSED = 2


class Command(ShellCommand):
    help = (
        "Queues a message in a conversation, with the console's guard (WhatsApp 24-hour window, approved "
        "templates, template variables). Exit 0 when queued; exit 2 with the reason when refused. "
        "--as USERNAME (default $CONSOLE_USER): that user's permissions are checked and the message is theirs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conversation", required=True, help="Conversation SID (CH...) or unique name.")
        parser.add_argument("--author", default=SYSTEM_AUTHOR, help="Author shown to the people (default system).")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--body", help="Free-form text.")
        what.add_argument("--template", help="Approved template content SID (HX...).")
        parser.add_argument("--variables", default="", help='Template values as JSON, e.g. \'{"1": "Ana"}\'.')
        add_user_argument(parser)

    def handle(self, *args, conversation, author, body=None, template=None, variables="", as_user=None, **options):
        user = command_user(as_user, needs=rules.SEND_TO_PEOPLE, action="send messages")
        target = self._conversation(conversation)
        if variables and not template:
            raise CommandError("--variables go with --template.", returncode=REFUSED)
        try:
            values = template_variables_parse(text=variables) if template else None
            message = message_send(
                conversation=target,
                body=body or "",
                content_sid=template or "",
                content_variables=values,
                author=author,
                guard=True,
                user=user,
            )
        except ValidationError as exc:
            raise CommandError("Refused: " + " ".join(exc.messages), returncode=REFUSED) from exc
        self.stdout.write(self.style.SUCCESS(f"Queued message {message.local_id} in {target}."))

    def _conversation(self, name: str) -> Conversation:
        found = list(
            Conversation.objects.exclude(sync_state=SyncState.DELETED_REMOTELY).filter(
                Q(sid=name) | Q(unique_name=name)
            )[:2]
        )
        if len(found) != 1:
            problem = "No conversation" if not found else "More than one conversation"
            raise CommandError(f"{problem} with SID or unique name {name!r}.", returncode=REFUSED)
        return found[0]
