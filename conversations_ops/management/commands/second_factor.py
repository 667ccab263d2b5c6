"""Operators' view of the second factor: who has an authenticator app, and resetting one (lost phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations_ops import permissions as rules
from conversations_ops.audit.entries import audit_record
from conversations_ops.management.command_user import REFUSED, ShellCommand, add_user_argument, command_user
from conversations_ops.permissions import VIEW_FULL_NUMBERS
from conversations_ops.second_factor.rules import sessions_end


class Command(ShellCommand):
    help = (
        "`list`: staff accounts, whether they must have a second factor and whether they have one. "
        "`reset USERNAME`: removes that account's authenticator app and ends its sessions (lost phone); "
        "its next login enrols a new one. Reset needs --as USERNAME (default $CONSOLE_USER) of a superuser "
        "and is recorded in the audit trail; exit 2 when refused."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="Staff accounts and their second factor (no keys are shown).")
        reset = sub.add_parser("reset", help="Remove an account's authenticator app and end its sessions.")
        reset.add_argument("username", help="The staff account whose app is lost or replaced.")
        add_user_argument(reset)

    def handle(self, *args, subcommand, **options):
        if subcommand == "list":
            self._list()
        else:
            self._reset(options["username"], options.get("as_user"))

    def _list(self):
        enrolled = {
            device.user_id: device
            for device in TOTPDevice.objects.filter(confirmed=True).order_by("user_id", "-last_used_at")
        }
        users = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        self.stdout.write(f"{'username':<24} {'needs one':<24} {'second factor'}")
        for user in users:
            needs = "yes (superuser)" if user.is_superuser else "yes (full numbers)"
            if not (user.is_superuser or user.has_perm(VIEW_FULL_NUMBERS)):
                needs = "optional"
            device = enrolled.get(user.pk)
            if device is None:
                state = "none"
            else:
                used = device.last_used_at.strftime("%Y-%m-%d %H:%M UTC") if device.last_used_at else "never"
                state = f"authenticator app (last used {used})"
            self.stdout.write(f"{user.get_username():<24} {needs:<24} {state}")

    def _reset(self, username: str, as_user: str | None):
        actor = command_user(as_user, needs=rules.RESET_SECOND_FACTOR, action="reset a second factor")
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"Refused: no account named {username!r}.", returncode=REFUSED)
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        ended = sessions_end(user)
        audit_record(
            action="second_factor.reset",
            user=actor,
            target=user,
            detail={"devices_removed": removed, "sessions_ended": ended},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} authenticator app(s) of {username} and ended {ended} session(s). "
                f"At the next login {username} sets up a new app (required for superusers and staff who "
                "may see whole numbers when SECOND_FACTOR_REQUIRED is on): make sure it is them who logs in."
            )
        )
