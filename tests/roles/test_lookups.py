"""No lookups but the declared ones (issue 18, item 1): the lookup walk.

Every registered admin list (ours, Django's log entries, users and groups, the task queue's and
the login throttle's) is asked, as a superuser and as each role, for a lookup on every field of
its model (`field`, `__exact`, `__startswith`, `__contains`, `__regex`, `__in`, `__isnull`,
`__gt`), on every field of each related model (`conversation__unique_name__startswith`,
`participants__messaging_binding_address__startswith`), for an ordering over every column, and
for a `_to_field` on every field. A list answers its declared filters' parameters; anything else
is a 400 before any query (conversations_ops/admin/lookups.py). The oracle of the issue (a number
recovered digit by digit through `__startswith`) is reproduced against the lists and learns nothing.
"""

import logging
import re

import pytest
from django.contrib import admin
from django.contrib.admin.filters import FieldListFilter
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.admin.sites import all_sites
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from conversations_ops.admin.lookups import DeclaredLookupsOnly
from conversations_ops.models import AuditEntry, WebhookEvent
from tests.helpers.ids import make_sid
from tests.roles.rows import COURIER, CUSTOMER
from tests.roles.staff import AUDITOR, OPS, SUPPORT

pytestmark = pytest.mark.django_db

SUPERUSER = "superuser"
WALK_ROLES = (SUPERUSER, SUPPORT, OPS, AUDITOR)
# `__gt` too: comparing a number with a guess is a binary search.
LOOKUPS = ("", "__startswith", "__contains", "__regex", "__in", "__gt")
# Each role: every field and relation in the oracle's own shape (the superuser tries all of LOOKUPS).
ROLE_LOOKUPS = ("", "__startswith")
TEXT = (models.CharField, models.TextField, models.JSONField)
PERSON_DIGITS = (re.sub(r"\D", "", CUSTOMER), re.sub(r"\D", "", COURIER))
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def client_as(staff, admin_client):
    return lambda role: admin_client if role == SUPERUSER else staff(role)


@pytest.fixture
def seeded(rows, admin_user):
    """The roles' rows, plus the admin log and audit trail entries that quote a whole number."""
    participant_type = ContentType.objects.get_for_model(rows.participant)
    LogEntry.objects.create(
        user=admin_user,
        content_type=participant_type,
        object_id=str(rows.participant.pk),
        object_repr=CUSTOMER,
        action_flag=ADDITION,
        change_message="[]",
    )
    AuditEntry.objects.create(
        actor=admin_user,
        actor_name="admin",
        action="participant.add",
        content_type=participant_type,
        object_id=rows.participant.pk,
        target_repr=CUSTOMER,
        twilio_error=f"Twilio refused {COURIER}",
    )
    return rows


# What the walk asks -------------------------------------------------------------------------


def _sample(model, field) -> str:
    """A value a lookup on `field` would match on a seeded row, so an applied lookup would filter."""
    row = model._default_manager.exclude(**{f"{field.attname}__isnull": True}).first() if field.concrete else None
    value = getattr(row, field.attname, None) if row is not None else None
    return str(value) if value not in (None, "") else "1"


def walk_parameters(model, lookups=LOOKUPS, reverse=True) -> dict[str, str]:
    """Every lookup the walk tries on `model`'s list, with its value."""
    asked = {}
    for field in model._meta.concrete_fields:
        whole = _sample(model, field)
        values = {"__startswith": whole[:4], "__contains": whole[1:5], "__regex": f"^{re.escape(whole[:4])}"}
        for lookup in lookups:
            asked[f"{field.name}{lookup}"] = values.get(lookup, whole)
        if field.is_relation:
            asked[field.attname] = whole
            for remote in field.related_model._meta.concrete_fields:
                if isinstance(remote, TEXT):  # a text field of the related row: its number, its name
                    asked[f"{field.name}__{remote.name}__startswith"] = _sample(field.related_model, remote)[:4]
    for relation in model._meta.related_objects if reverse else ():  # participants__..., pairing__...
        name = relation.field.related_query_name()
        if name.endswith("+"):
            continue
        for remote in relation.related_model._meta.concrete_fields:
            if isinstance(remote, TEXT):
                asked[f"{name}__{remote.name}__startswith"] = _sample(relation.related_model, remote)[:4]
    return asked


def declared_parameters(model, request) -> set[str]:
    """The parameters the list's filters declare, built as Django's ChangeList builds the filters."""
    model_admin = admin.site.get_model_admin(model)
    declared = set()
    for item in model_admin.get_list_filter(request):
        if callable(item):
            spec = item(request, {}, model, model_admin)
        else:
            path, filter_class = item if isinstance(item, (tuple, list)) else (item, FieldListFilter.create)
            field = get_fields_from_path(model, path)[-1]
            spec = filter_class(field, request, {}, model, model_admin, field_path=path)
        declared.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        declared.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return declared


def person_number_fields(model) -> set[str]:
    """Fields of `model` that hold a customer's or courier's whole number in the seeded rows."""
    found = set()
    for row in model._default_manager.all():
        for field in model._meta.concrete_fields:
            text = re.sub(r"\D", "", str(getattr(row, field.attname)))
            if any(digits in text for digits in PERSON_DIGITS):
                found.add(field.name)
    return found


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def listed(response) -> set:
    return {row.pk for row in response.context["cl"].result_list}


# The walk -----------------------------------------------------------------------------------


def test_every_admin_of_every_site_is_guarded():
    """The rule is put in front of every registered admin (apps.py); one registered later would show here."""
    unguarded = [
        f"{site.name}: {model._meta.label}"
        for site in all_sites
        for model, model_admin in site._registry.items()
        if not isinstance(model_admin, DeclaredLookupsOnly)
    ]
    assert unguarded == []


@pytest.mark.parametrize("role", WALK_ROLES)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_lookup_walk(client_as, seeded, admin_user, role, model):
    client = client_as(role)
    url = changelist_url(model)
    base = client.get(url)
    asked = walk_parameters(model) if role == SUPERUSER else walk_parameters(model, ROLE_LOOKUPS, reverse=False)
    if base.status_code != 200:
        assert base.status_code == 403, model._meta.label
        answered = {p: client.get(url, {p: v}).status_code for p, v in asked.items()}
        assert {p: s for p, s in answered.items() if s != 403} == {}
        return
    declared = declared_parameters(model, request_as(admin_user))
    numbers = person_number_fields(model)
    # A declared filter on a number would list or match numbers: none is.
    assert {p for p in declared if p.split("__")[0] in numbers} == set()
    leaked = {}
    for parameter, value in asked.items():
        response = client.get(url, {parameter: value})
        if parameter in declared:
            assert response.status_code == 200, parameter
        elif response.status_code != 400:
            leaked[parameter] = response.status_code
    assert leaked == {}, f"{model._meta.label} as {role}: answered instead of refused"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_ordering_only_over_sortable_columns_none_a_number(admin_client, seeded, model):
    url = changelist_url(model)
    cl = admin_client.get(url).context["cl"]
    numbers = person_number_fields(model)
    for position, name in enumerate(cl.list_display):
        sortable = (cl.sortable_by is None or name in cl.sortable_by) and bool(cl.get_ordering_field(name))
        response = admin_client.get(url, {"o": f"-{position}"})
        assert response.status_code == (200 if sortable else 400), name
        if sortable:
            field = cl.get_ordering_field(name)
            assert str(field).lstrip("-").split("__")[0] not in numbers, name
    assert admin_client.get(url, {"o": "99"}).status_code == 400
    assert admin_client.get(url, {"o": "x"}).status_code == 400


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_to_field_only_where_django_allows_and_never_a_number(admin_client, seeded, admin_user, model):
    url = changelist_url(model)
    model_admin = admin.site.get_model_admin(model)
    numbers = person_number_fields(model)
    for field in model._meta.concrete_fields:
        response = admin_client.get(url, {"_popup": "1", "_to_field": field.name})
        if response.status_code == 200:
            assert model_admin.to_field_allowed(request_as(admin_user), field.name), field.name
            assert field.name not in numbers
            assert listed(response) == listed(admin_client.get(url, {"_popup": "1"}))  # it names, never filters
        else:
            assert response.status_code == 400, field.name


@pytest.mark.parametrize("role", WALK_ROLES)
def test_autocomplete_answers_only_for_declared_fields(client_as, seeded, role):
    """The autocomplete runs a list's search only for a field an admin declares in autocomplete_fields
    (a participant's or a conversation webhook's conversation); for every other foreign key it refuses."""
    client = client_as(role)
    declared = {
        (model, name) for model, model_admin in admin.site._registry.items() for name in model_admin.autocomplete_fields
    }
    for model in REGISTERED:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or (model, field.name) in declared:
                continue
            opts = model._meta
            query = {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field.name}
            response = client.get(reverse("admin:autocomplete"), {**query, "term": "whatsapp:+1"})
            assert response.status_code in (403, 404), (opts.label, field.name)


# The refusal itself -----------------------------------------------------------------------------


def test_the_refusal_names_the_parameter_offers_the_list_without_it_and_is_logged(admin_client, seeded, caplog):
    url = changelist_url(seeded.participant.__class__)
    with caplog.at_level(logging.WARNING, logger="django.security.DisallowedModelAdminLookup"):
        response = admin_client.get(url, {"role__exact": "customer", "messaging_binding_address__startswith": "+1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "messaging_binding_address__startswith" in page
    assert f'href="{url}?role__exact=customer"' in page
    assert "Refused messaging_binding_address__startswith on the conversations_ops.Participant list for admin:" in (
        caplog.text
    )
    assert "+1" not in caplog.text  # names only, never the value


def test_an_export_refuses_an_undeclared_lookup_with_its_name(admin_client, seeded):
    response = admin_client.get(
        reverse("admin:conversations_ops_message_export", args=["csv"]), {"author__startswith": "whatsapp:+1"}
    )
    assert response.status_code == 400
    assert "author__startswith" in response.content.decode()


# Declared filters still work --------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_each_lists_own_filter_links_are_accepted(admin_client, seeded, model):
    """The links a list's filters render (a sample: the first two choices of each) answer 200."""
    url = changelist_url(model)
    cl = admin_client.get(url).context["cl"]
    for spec in cl.filter_specs:
        choices = [c for c in spec.choices(cl) if c.get("query_string", "?") not in ("?", "")][:2]
        for choice in choices:
            response = admin_client.get(url + choice["query_string"])
            assert response.status_code == 200, (spec.title, choice["query_string"])


def test_the_consoles_own_links_into_lists_are_accepted(admin_client, seeded, admin_user):
    links = [
        ("syncoperation", "?state__exact=failed"),
        ("participant", "?sync_state__exact=failed"),
        ("message", "?delivery=attention&when=24h"),
        ("message", "?date_from=2026-01-01&date_to=2026-12-31&o=1"),
        ("message", f"?conversation__id__exact={seeded.conversation.pk}"),
        ("pairing", "?waiting=awaiting_customer"),
        ("pairing", "?state__exact=failed"),
        ("webhookevent", "?processing_state__exact=failed&received=24h"),
        ("templatestatuschange", "?alert__exact=1&acknowledged_at__isempty=1"),
        ("auditentry", f"?actor__id__exact={admin_user.pk}"),
    ]
    for model_name, query in links:
        response = admin_client.get(reverse(f"admin:conversations_ops_{model_name}_changelist") + query)
        assert response.status_code == 200, (model_name, query)


def test_a_conversations_webhook_events_link_lists_that_conversation_only(admin_client, seeded):
    other = WebhookEvent.objects.create(
        source="conversations", event_type="onMessageAdded", dedup_key="other", conversation_sid=make_sid("CH", 9)
    )
    url = changelist_url(WebhookEvent)
    assert listed(admin_client.get(url, {"conversation_sid": seeded.conversation.sid})) == {seeded.webhookevent.pk}
    assert listed(admin_client.get(url, {"conversation_sid": other.conversation_sid})) == {other.pk}


def test_an_audit_entrys_all_actions_link_lists_that_record_only(admin_client, seeded):
    entry = AuditEntry.objects.get(object_id=seeded.participant.pk)
    AuditEntry.objects.create(
        actor_name="admin", action="participant.add", content_type=entry.content_type, object_id=seeded.courier.pk
    )
    page = admin_client.get(reverse("admin:conversations_ops_auditentry_change", args=[entry.pk])).content.decode()
    link = re.search(r'href="([^"]*object_id=[^"]*)"', page).group(1).replace("&amp;", "&")
    assert listed(admin_client.get(link)) == {entry.pk}
    url = changelist_url(AuditEntry)
    assert listed(admin_client.get(url, {"content_type": entry.content_type_id})) == set()  # half a record: none


# The oracle of the issue -----------------------------------------------------------------------

# List, the lookup the curious insider types, the number behind the mask, and the row it finds.
ORACLES = {
    "participant binding address": ("participant", "messaging_binding_address__startswith", CUSTOMER),
    "pairing customer": ("pairing", "customer_address__startswith", CUSTOMER),
    "webhook event payload": ("webhookevent", "params__icontains", CUSTOMER),
    "sync operation error": ("syncoperation", "last_error_message__contains", CUSTOMER),
    "admin log entry": ("logentry", "object_repr__startswith", CUSTOMER),
}


def _model(name):
    return next(model for model in REGISTERED if model._meta.model_name == name)


def recover(number: str, param: str, probe) -> tuple[str, list[int]]:
    """The attack: from the masked form's visible start, one digit per round while the list says yes."""
    known = number[: number.index("+") + 3]  # "whatsapp:+15" of whatsapp:+15•••••2661
    statuses = []
    while len(known) < len(number):
        for digit in "0123456789":
            status, hit = probe({param: known + digit})
            statuses.append(status)
            if hit:
                known += digit
                break
        else:
            break
    return known, statuses


@pytest.mark.parametrize("role", WALK_ROLES)
@pytest.mark.parametrize("oracle", ORACLES)
def test_the_digit_by_digit_oracle_learns_nothing(client_as, seeded, role, oracle):
    model_name, param, number = ORACLES[oracle]
    model = _model(model_name)
    client = client_as(role)
    url = changelist_url(model)
    everything = client.get(url)

    def probe(query):
        response = client.get(url, query)
        hit = response.status_code == 200 and listed(response) != listed(everything)
        return response.status_code, hit

    known, statuses = recover(number, param, probe)
    assert known == number[: number.index("+") + 3]
    assert set(statuses) == ({400} if everything.status_code == 200 else {403})


@pytest.mark.parametrize("oracle", ORACLES)
def test_the_oracle_is_real_without_the_rule(seeded, admin_user, oracle):
    """The same attack against the admin class without the rule recovers the whole number: the test above can fail."""
    model_name, param, number = ORACLES[oracle]
    model = _model(model_name)
    ancestors = type(admin.site.get_model_admin(model)).__mro__[1:]
    unguarded = next(c for c in ancestors if c is not DeclaredLookupsOnly)(model, admin.site)

    def probe(query):
        request = RequestFactory().get("/", query)
        request.user, request.session = admin_user, SessionStore()
        request._messages = FallbackStorage(request)
        response = unguarded.changelist_view(request)
        return response.status_code, response.status_code == 200 and bool(response.context_data["cl"].result_list)

    known, statuses = recover(number, param, probe)
    print(f"{oracle}: {number} recovered in {len(statuses)} requests without the rule")
    assert known == number
    assert len(statuses) <= 10 * len(re.sub(r"\D", "", number))


def test_superusers_see_numbers_yet_their_lists_refuse_lookups_too(admin_client, seeded):
    assert User.objects.get(username="admin").is_superuser
    url = changelist_url(_model("participant"))
    assert admin_client.get(url, {"messaging_binding_address": CUSTOMER}).status_code == 400
    assert listed(admin_client.get(url, {"q": CUSTOMER})) == {seeded.participant.pk}  # the declared, exact search
