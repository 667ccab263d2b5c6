"""Issue 21, item 4: the pages each role opens pass axe-core (no serious or critical violation).

Each role logs in and opens what its home page offers it (its work, each list it sees, each add
form it may use), the tools of those pages (import, export, record, start...) and the pages no
list links to (send message, transcript, the pairing form, the inbox, the figures, the consent
report); the superuser also opens one row of each of the console's lists (the change forms, with
their inlines and widgets). A page the role may not open is checked as refused (staff meet it too)
and not followed further; a page that answers 500 fails the test.

Kept short, as it runs in `make test` (axe takes about a second a page on this machine): one page
of each kind (a path with its ids and query left out); a list another role of this process has
already shown is not checked again (the same template, other buttons); downloads, history and
delete pages (Django's own), and the admin of Django's and third-party apps (users, groups, axes,
django-q, OTP devices) are left out. Every violation of every page is reported at once, so one run
shows what to fix.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from conversations_ops.models import Customer
from tests.browser.helpers import PASSWORD, log_in, staff_member
from tests.helpers.clienteling import ADVISORS, MANAGERS, advisor
from tests.privacy.conftest import _more_rows
from tests.roles.conftest import rows  # noqa: F401 - one row of every console model

pytestmark = pytest.mark.slow

SUPERUSER = "superuser"
ROLES = ("Support", "Ops", "Auditor", ADVISORS, MANAGERS, SUPERUSER)
OURS = re.compile(r"^/admin/((conversations_ops/\w+/.*)|inbox/.*|clienteling/.*|consent/.*)?$")
# Not followed: downloads, pages acting on a GET, Django's own history and delete pages.
SKIPPED = re.compile(r"/export/(csv|json)/|\.csv$|/consent/export/|/template/sync/|/history/|/delete/")
ROW = re.compile(r"^/admin/conversations_ops/\w+/\d+/change/$")  # rows: the superuser's, below
LIST = re.compile(r"^/admin/conversations_ops/\w+/$")
LISTS_CHECKED: set[str] = set()  # by any role of this process


def kind(path: str) -> str:
    """One page of each kind: /conversation/7/change/ and /conversation/9/change/ are one."""
    return re.sub(r"/\d+/", "/N/", path)


def person(role: str) -> User:
    if role == SUPERUSER:
        return User.objects.create_superuser("root", password=PASSWORD)
    if role in (ADVISORS, MANAGERS):
        return advisor(role.lower().replace(" ", "_"), group=role, password=PASSWORD)
    return staff_member(role)


def pages_no_list_links_to(made) -> list[str]:
    conversation = made.conversation.pk
    return [
        reverse("admin:conversations_ops_pairing_start"),
        reverse("admin:conversations_ops_conversation_send", args=[conversation]),
        reverse("admin:conversations_ops_conversation_transcript", args=[conversation]),
        reverse("admin:conversations_ops_consent_record"),
        reverse("inbox:list"),
        reverse("inbox:customer", args=[Customer.objects.get().pk]),
        reverse("clienteling_figures"),
        reverse("consent_report"),
    ]


def one_row_of_each_list() -> list[str]:
    """The change page of a row of each of the console's lists (the superuser may change them all)."""
    pages = []
    for model in admin.site._registry:
        opts = model._meta
        row = model.objects.order_by("pk").first() if opts.app_label == "conversations_ops" else None
        if row is not None:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    return pages


def links(page) -> list[str]:
    """The console's pages the current page links to (path and query)."""
    hrefs = page.eval_on_selector_all("#content a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(urljoin(page.url, href))
        if not OURS.match(parts.path) or SKIPPED.search(parts.path) or ROW.match(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_passes_axe(simulator, page, rows, role):  # noqa: F811 - the fixture
    _more_rows(rows)
    user = person(role)
    Customer.objects.update(advisor=user, name="Ana")  # _more_rows's customer: theirs, for the inbox
    problems = page.collect_violations()
    log_in(page, simulator.url, user)  # the login page and the home page are checked here

    queue = [(url, 1) for url in pages_no_list_links_to(rows)] + [(url, 1) for url in links(page)]
    if role == SUPERUSER:
        queue += [(url, 2) for url in one_row_of_each_list()]
    kinds, visited, lists_seen_before = {kind("/admin/")}, ["/admin/"], []
    while queue:
        url, depth = queue.pop(0)
        path = urlsplit(url).path
        if kind(path) in kinds:
            continue
        kinds.add(kind(path))
        if LIST.match(path) and path in LISTS_CHECKED:
            lists_seen_before.append(path)
            continue
        status = page.goto(f"{simulator.url}{url}").status
        assert status < 500, f"{url} answered {status} to {role}"
        page.check_accessibility()  # a refusal too: staff meet it
        visited.append(url)
        if status != 200:
            continue  # not this role's page
        if LIST.match(path):
            LISTS_CHECKED.add(path)
        if depth < 2:
            queue += [(link, depth + 1) for link in links(page)]

    assert len(visited) + len(lists_seen_before) >= 4, f"{role} opened only {visited}"
    assert not problems, f"{role}, {len(problems)} of {len(visited)} pages:\n\n" + "\n\n".join(problems)
