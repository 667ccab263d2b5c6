"""The console's permissions in the admin: what one may not do is not offered, and asked anyway is a 403.

The rules themselves live in `conversations_ops.permissions` (shared with the shell
commands); this module turns them into ModelAdmin hooks and page gates.
"""

from django.core.exceptions import PermissionDenied

from conversations_ops import permissions as rules
from conversations_ops.permissions import PUSH_TO_TWILIO


def may(request, needs) -> bool:
    return rules.user_may(request.user, needs)


def require(request, needs) -> None:
    """A custom page's gate: 403 unless the user holds every permission of `needs`."""
    if not may(request, needs):
        raise PermissionDenied


class PushPermissionMixin:
    """For admins whose saves, deletes and actions queue pushes to Twilio.

    Adding, changing and deleting need the model permission and push_to_twilio;
    without it the pages open read-only (view permission) and the "push" actions
    (`@admin.action(permissions=["push"])`) are not offered.
    """

    def may_push(self, request) -> bool:
        return request.user.has_perm(PUSH_TO_TWILIO)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.may_push(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_push(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_push(request)

    def has_push_permission(self, request):
        """Push now, Retry failed, Pull from Twilio: the model's change permission and push_to_twilio."""
        return self.has_change_permission(request)


class SendPermissionMixin:
    """For actions that write to customers or couriers (Resend, "Send a template instead").

    Use `@admin.action(permissions=["send"])`: offered to those with add_message and
    send_message only. Pages call `require(request, rules.SEND_TO_PEOPLE)`.
    """

    def has_send_permission(self, request):
        return may(request, rules.SEND_TO_PEOPLE)
