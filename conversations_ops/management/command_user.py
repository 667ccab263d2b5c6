"""Who runs a shell command that changes Twilio: `--as USERNAME`, or CONSOLE_USER.

With a user, the command checks that user's permissions exactly as the admin
does (conversations_ops.permissions) and hands the user to the services, so the
outbox, the pairing timeline and the audit trail say who acted. Without one it
runs as before, unless CONSOLE_COMMANDS_REQUIRE_USER is set (production): then it
refuses, so nothing reaches Twilio on behalf of nobody. Refusals exit 2, like
the commands' other refusals.
"""

import inspect
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from conversations_ops.audit.context import current, shell_source, shell_user
from conversations_ops.masking import can_see_full_numbers, mask_numbers_in
from conversations_ops.permissions import permissions_missing

REFUSED = 2
ENV_NAME = "CONSOLE_USER"


def validation_reasons(exc) -> str:
    """A service's ValidationError as one line for a refused command: "field: reason ..." per field."""
    if hasattr(exc, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def add_user_argument(parser) -> None:
    parser.add_argument(
        "--as",
        dest="as_user",
        default=None,
        metavar="USERNAME",
        help=f"Act as this console user: their permissions are checked and the action is theirs "
        f"(default: ${ENV_NAME}).",
    )


def command_user(username: str | None, *, needs, action: str):
    """The user to act as, checked for `needs`; None when nobody is named and none is required.

    `action` completes "... may not <action>" in the refusal, e.g. "start a pairing".
    """
    username = (username or os.environ.get(ENV_NAME, "")).strip()  # read now: the shell's, not import time's
    if not username:
        if settings.CONSOLE_COMMANDS_REQUIRE_USER:
            raise CommandError(
                f"Refused: say who you are to {action}: --as USERNAME or {ENV_NAME}=USERNAME "
                "(CONSOLE_COMMANDS_REQUIRE_USER is on).",
                returncode=REFUSED,
            )
        return None
    user_model = get_user_model()
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
    if user is None or not user.is_active or not user.is_staff:
        raise CommandError(f"Refused: {username!r} is not an active staff account of this console.", returncode=REFUSED)
    missing = permissions_missing(user, needs)
    if missing:
        raise CommandError(
            f"Refused: {username} may not {action}: missing permission {', '.join(missing)}.", returncode=REFUSED
        )
    shell_user(user)  # the audit trail: what follows is theirs
    return user


class _MaskedOutput(OutputWrapper):
    """A command's stdout or stderr with every number masked unless its reader may see them."""

    def __init__(self, wrapper: OutputWrapper, command):
        super().__init__(wrapper._out, wrapper.ending)
        self.style_func, self.command = wrapper.style_func, command

    def write(self, msg="", style_func=None, ending=None):
        super().write(msg if self.command.full_numbers else mask_numbers_in(str(msg)), style_func, ending)


def may_see_full_numbers(username: str | None) -> bool:
    """Whether the named console user (--as, else CONSOLE_USER) may see whole numbers; nobody named: no."""
    username = (username or os.environ.get(ENV_NAME, "")).strip()
    if not username:
        return False
    user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}, is_active=True).first()
    return can_see_full_numbers(user)


class ShellCommand(BaseCommand):
    """A command whose work the audit trail records as coming from the shell (by --as, or the login name).

    Its output (and its refusals) show numbers masked like the admin does, unless the user named with
    --as or CONSOLE_USER has "view full numbers": terminals are shared, scrolled back and pasted into
    tickets, and `pairing show` or a Twilio refusal quotes the people's numbers."""

    full_numbers = False

    @property
    def stdout(self):
        return self._stdout

    @stdout.setter
    def stdout(self, wrapper):
        self._stdout = _MaskedOutput(wrapper, self)

    @property
    def stderr(self):
        return self._stderr

    @stderr.setter
    def stderr(self, wrapper):
        self._stderr = _MaskedOutput(wrapper, self)

    def execute(self, *args, **options):
        self.full_numbers = may_see_full_numbers(options.get("as_user"))
        try:
            if current() is not None:  # called from code that already says where it comes from
                return super().execute(*args, **options)
            with shell_source(command=self.__module__.rsplit(".", 1)[-1]):
                return super().execute(*args, **options)
        except CommandError as exc:
            if self.full_numbers:
                raise
            raise CommandError(mask_numbers_in(str(exc)), returncode=exc.returncode) from exc


def attributed(service, user, **kwargs):
    """Calls the service, attributed to `user` when there is one and the service records who acted.

    Not every service takes `user=` yet (the outbox runner, the account webhook set-up);
    those run unattributed until they do, the permission check above still applies.
    """
    if user is not None and "user" in inspect.signature(service).parameters:
        kwargs["user"] = user
    return service(**kwargs)
