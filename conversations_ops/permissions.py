"""What each staff action needs, in one place: the admin and the shell commands ask the same question.

Django's model permissions say which rows someone may change; the console's own
(declared on models/access.py's ConsoleAccess, named below) say whether they may
reach Twilio at all, write to people, see whole numbers or export history.
Groups (migration 0011): Support and Ops push to Twilio, only Ops sends; Auditors
read. A superuser has every permission.

This module imports nothing of ours: masking.py reads VIEW_FULL_NUMBERS from here
while the LOGGING setting is configured, before Django's models can be imported.
"""

APP = "conversations_ops"

# The console's own permissions (ConsoleAccess.Meta.permissions, models/access.py).
PUSH_TO_TWILIO = f"{APP}.push_to_twilio"
SEND_MESSAGE = f"{APP}.send_message"
VIEW_FULL_NUMBERS = f"{APP}.view_full_numbers"
EXPORT_HISTORY = f"{APP}.export_history"


def model_permission(action: str, model_name: str) -> str:
    """ "change", "conversation" -> "conversations_ops.change_conversation"."""
    return f"{APP}.{action}_{model_name}"


# Starting a pairing creates a conversation on Twilio and sends the customer its invite.
START_PAIRING = (model_permission("add", "pairing"), PUSH_TO_TWILIO, SEND_MESSAGE)
# Close, Retry and Abandon change (or delete) the pairing's conversation on Twilio.
MANAGE_PAIRING = (model_permission("change", "pairing"), PUSH_TO_TWILIO)
# The Send message page, `message_send`, Resend and "Send a template instead".
SEND_TO_PEOPLE = (model_permission("add", "message"), SEND_MESSAGE)
# `twilio_push`: runs whatever the outbox holds, whoever queued it.
RUN_OUTBOX = (PUSH_TO_TWILIO,)
# `twilio_configure_webhooks`: the account-wide webhook, the console's ears on Twilio.
CONFIGURE_ACCOUNT_WEBHOOKS = (model_permission("change", "conversationwebhook"), PUSH_TO_TWILIO)
# Reprocess applies stored events again, and applying one can act on Twilio: a sandbox message
# creates (or deletes) its conversation, participant and message there, and a customer's reply
# moves a pairing on, which sends the auto-reply and the connected template. So it needs what
# those actions need, not only the right to change the event rows.
REPROCESS_EVENTS = (model_permission("change", "webhookevent"), PUSH_TO_TWILIO, SEND_MESSAGE)
# Templates are created and submitted on Twilio at once (not through the outbox).
CREATE_TEMPLATE = (model_permission("add", "template"), PUSH_TO_TWILIO)
SUBMIT_TEMPLATE = (model_permission("change", "template"), PUSH_TO_TWILIO)
# "Sync templates from Twilio" reads Twilio and rewrites the template mirror: those who pick templates.
SYNC_TEMPLATES = (model_permission("view", "template"), PUSH_TO_TWILIO)
# `second_factor reset`: removing someone's authenticator app lets the next login enrol a new one.
# django-otp's permission, which no group has: superusers (or whoever is given it explicitly).
RESET_SECOND_FACTOR = ("otp_totp.delete_totpdevice",)
# Clienteling (issue 19): creating or assigning a customer creates their conversation on Twilio
# (managers). Which customers someone sees is the row rule of clienteling/selectors.py.
ASSIGN_CUSTOMER = (model_permission("add", "customer"), model_permission("change", "customer"), PUSH_TO_TWILIO)
# `clienteling show`: anyone who may see customers (the row rule then decides which).
VIEW_CUSTOMERS = (model_permission("view", "customer"),)
# Every customer, not only one's own or one's teams' (Customer.Meta.permissions): Auditors.
VIEW_ALL_CUSTOMERS = (f"{APP}.view_all_customers",)
# Consent (issue 20): reading the registry (`consent show`, the admin list and its export), and
# the staff override (opt in with a reason, opt out on request): Ops and Advisor managers (0023).
VIEW_CONSENT = (model_permission("view", "consent"),)
CHANGE_CONSENT = (model_permission("change", "consent"),)
# Acknowledging hides an alert from everyone: those who maintain templates.
ACKNOWLEDGE_ALERTS = (model_permission("change", "templatestatuschange"),)


def permissions_missing(user, needs) -> list[str]:
    """The permissions of `needs` the user lacks, in order; empty when allowed."""
    if user is None or not user.is_active:
        return list(needs)
    return [permission for permission in needs if not user.has_perm(permission)]


def user_may(user, needs) -> bool:
    return not permissions_missing(user, needs)
