"""The message list's filters, each one condition from selectors/history.py.

None of them lists a table or counts rows: the conversation and the dates are
typed into a small form in the sidebar (message/input_filter.html), so the page
costs the same with ten conversations or a million messages.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from conversations_ops.models import Conversation
from conversations_ops.selectors import history


class ConditionFilter(admin.SimpleListFilter):
    """Fixed options, each turned into one condition by `condition(value)`."""

    options: tuple[tuple[str, str], ...] = ()

    def lookups(self, request, model_admin):
        return self.options

    def condition(self, value):
        raise NotImplementedError

    def queryset(self, request, queryset):
        value = self.value()
        if value not in {key for key, _ in self.options}:
            return queryset
        return queryset.filter(self.condition(value))


class AuthorRoleFilter(ConditionFilter):
    title = "role of author"
    parameter_name = "author_role"
    options = history.AUTHOR_ROLES

    def condition(self, value):
        return history.author_role_q(value)


class ChannelFilter(ConditionFilter):
    title = "channel"
    parameter_name = "channel"
    options = history.CHANNELS

    def condition(self, value):
        return history.channel_q(value)


class TemplateFilter(ConditionFilter):
    title = "template or free-form"
    parameter_name = "kind"
    options = (("template", "Template"), ("free_form", "Free-form"))

    def condition(self, value):
        return history.template_q(value)


# Option -> the statuses (history.delivery_status_expression) it lists.
DELIVERY_OPTIONS = {
    "failed": ("Failed messages (failed or undelivered for someone, or refused by Twilio)", ("failed", "undelivered")),
    # The home page's count: failed, less a pairing's expected 63016 (selectors/expected_failures.py).
    "attention": ("Failed, needing attention (not a pairing's expected 63016 before the courier wrote)", None),
    "undelivered": ("Undelivered (the carrier could not deliver)", ("undelivered",)),
    "delivered": ("Delivered to everyone (read or not)", ("delivered", "read")),
    "read": ("Read by everyone", ("read",)),
    "pending": ("Pending (not yet delivered to everyone)", ("pending",)),
}


class DeliveryStatusFilter(ConditionFilter):
    title = "delivery"
    parameter_name = "delivery"
    options = tuple((key, label) for key, (label, _) in DELIVERY_OPTIONS.items())

    def queryset(self, request, queryset):
        option = DELIVERY_OPTIONS.get(self.value())
        if option is None:
            return queryset
        statuses = option[1]
        return (
            history.failed_needing_attention(queryset)
            if statuses is None
            else history.with_delivery_status(queryset, statuses)
        )


class InputFilter(admin.SimpleListFilter):
    """Links plus typed values (`inputs`: parameter, label, input type) sent with the list's other parameters."""

    template = "admin/conversations_ops/message/input_filter.html"
    inputs: tuple[tuple[str, str, str], ...] = ()
    all_label = "All"

    def __init__(self, request, params, model, model_admin):
        self.typed = {name: params.pop(name)[-1].strip() for name, _, _ in self.inputs if name in params}
        super().__init__(request, params, model, model_admin)

    def expected_parameters(self):
        return [self.parameter_name, *(name for name, _, _ in self.inputs)]

    def has_output(self):
        return True

    def choices(self, changelist):
        own = self.expected_parameters()
        # Read by the template: the form keeps the search, ordering and other filters.
        self.hidden = [
            (key, value) for key, values in changelist.filter_params.items() if key not in own for value in values
        ]
        self.fields = [(name, label, kind, self.typed.get(name, "")) for name, label, kind in self.inputs]
        yield {
            "selected": self.value() is None and not any(self.typed.values()),
            "query_string": changelist.get_query_string(remove=own),
            "display": self.all_label,
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}, remove=own),
                "display": label,
            }


class ConversationFilter(InputFilter):
    """By id (the link on a conversation's page) or by SID or unique name typed in."""

    title = "conversation"
    parameter_name = "conversation__id__exact"
    inputs = (("conversation", "SID or unique name", "text"),)
    all_label = "All conversations"

    def lookups(self, request, model_admin):
        self.asked = self.value() or self.typed.get("conversation", "")
        self.chosen = self._chosen()
        # Only the conversation chosen is listed, never the whole table.
        return [(str(self.chosen.pk), str(self.chosen))] if self.chosen else []

    def _chosen(self):
        if self.value():
            return Conversation.objects.filter(pk=self.value()).first() if self.value().isdigit() else None
        typed = self.typed.get("conversation", "")
        if not typed:
            return None
        return Conversation.objects.filter(Q(sid=typed) | Q(unique_name=typed)).order_by("-pk").first()

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["selected"] = not self.asked
        for choice in choices[1:]:  # the one conversation listed is the one chosen
            choice["selected"] = True
        return choices

    def queryset(self, request, queryset):
        if not self.asked:
            return queryset
        if self.chosen is None:
            messages.warning(request, f"No conversation with the id, SID or unique name “{self.asked}”.")
            return queryset.none()
        return queryset.filter(conversation_id=self.chosen.pk)


class DateRangeFilter(InputFilter):
    """Twilio's date_created, in the console's time zone; "to" includes its whole day."""

    title = "date"
    parameter_name = "when"
    inputs = (("date_from", "From", "date"), ("date_to", "To (inclusive)", "date"))
    all_label = "Any date"
    DAYS = {"today": 1, "7d": 7, "30d": 30}
    HOURS = {"24h": 24}  # a rolling window: what the home page's "last 24 h" links to

    def lookups(self, request, model_admin):
        return (("24h", "Last 24 hours"), ("today", "Today"), ("7d", "Last 7 days"), ("30d", "Last 30 days"))

    def _midnight(self, day):
        return timezone.make_aware(datetime.combine(day, time.min))

    def _typed_day(self, request, name):
        text = self.typed.get(name, "")
        if not text:
            return None
        try:
            return datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            messages.warning(request, f"“{text}” is not a date (YYYY-MM-DD); that bound is ignored.")
            return None

    def queryset(self, request, queryset):
        if self.value() in self.DAYS:
            today = timezone.localdate()
            first_day = today - timedelta(days=self.DAYS[self.value()] - 1)
            queryset = queryset.filter(date_created__gte=self._midnight(first_day))
        elif self.value() in self.HOURS:
            queryset = queryset.filter(date_created__gte=timezone.now() - timedelta(hours=self.HOURS[self.value()]))
        start, end = self._typed_day(request, "date_from"), self._typed_day(request, "date_to")
        if start:
            queryset = queryset.filter(date_created__gte=self._midnight(start))
        if end:
            queryset = queryset.filter(date_created__lt=self._midnight(end + timedelta(days=1)))
        return queryset
