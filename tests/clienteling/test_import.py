"""Customers from a CSV file on the Customer admin (django-import-export): the dry run creates nothing and
shows each row's errors by column, the confirm creates through the service, numbers are masked for
whoever may not see them, only managers import, and an export holds only the rows the row rule gives."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations_ops.consent.services import consent_opt_in, consent_opt_out
from conversations_ops.models import AuditEntry, Consent, ConsentChange, Customer, CustomerSource, SyncOperation
from tests.helpers.clienteling import MANAGERS, advisor, sender, team
from tests.helpers.ids import BUSINESS_WHATSAPP, make_sid
from tests.roles.staff import client_for, url

pytestmark = pytest.mark.django_db

HEADER = "name,whatsapp_address,sms_address,sender,advisor,notes,tags\n"
ROBERT, ALICIA = "whatsapp:+15017122661", "whatsapp:+15017122662"


@pytest.fixture
def shop():
    whatsapp = sender(BUSINESS_WHATSAPP)
    alice, mia = advisor("alice"), advisor("mia", group=MANAGERS)
    team("Boutique", senders=[whatsapp], members=[alice], managers=[mia])
    return whatsapp, alice, mia


def _upload(page, text: str):
    return page.post(
        url("customer", "import"),
        {"format": "0", "import_file": SimpleUploadedFile("customers.csv", text.encode(), content_type="text/csv")},
    )


def _errors(response) -> dict:
    """Row number -> {column: [messages]} of the dry run's refused rows."""
    return {row.number: row.field_specific_errors for row in response.context["result"].invalid_rows}


def test_the_dry_run_creates_nothing_and_offers_the_confirm(shop):
    _, _, mia = shop
    response = _upload(client_for(mia), HEADER + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,size 40,vip;bridal\n")

    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert not Customer.objects.exists() and not SyncOperation.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="clienteling.").exists()


def test_each_refused_row_names_its_column(shop):
    whatsapp, alice, mia = shop
    Customer.objects.create(whatsapp_address=ALICIA, sender=whatsapp, advisor=alice)  # already in the database
    advisor("otto", group="Ops")  # staff, but no advisor
    rows = [
        f"Bad number,whatsapp:+1 501 BAD,,{BUSINESS_WHATSAPP},alice,,",  # row 1
        f"Unknown sender,{ROBERT},,whatsapp:+14155550999,alice,,",  # row 2
        f"No such advisor,{ROBERT},,{BUSINESS_WHATSAPP},nobody,,",  # row 3
        f"Not an advisor,{ROBERT},,{BUSINESS_WHATSAPP},otto,,",  # row 4
        f"Fine,{ROBERT},,{BUSINESS_WHATSAPP},alice,,",  # row 5
        f"Twice in the file,{ROBERT},,{BUSINESS_WHATSAPP},,,",  # row 6
        f"In the database,{ALICIA},,{BUSINESS_WHATSAPP},,,",  # row 7
    ]

    response = _upload(client_for(mia), HEADER + "\n".join(rows) + "\n")

    errors = _errors(response)
    assert set(errors) == {1, 2, 3, 4, 6, 7}
    assert list(errors[1]) == ["whatsapp_address"]
    assert list(errors[2]) == ["sender"] and "No address configuration" in errors[2]["sender"][0]
    assert errors[3] == {"advisor": ["No staff account 'nobody'."]}
    assert errors[4] == {"advisor": ["otto is not in the Advisors group."]}
    assert errors[6] == {"whatsapp_address": ["The same customer and sender as row 5: one row per customer."]}
    assert list(errors[7]) == ["whatsapp_address"] and "already talks to" in errors[7]["whatsapp_address"][0]
    assert response.context.get("confirm_form") is None  # nothing to confirm while a row is refused
    assert Customer.objects.count() == 1


def test_a_file_without_the_columns_says_which_it_needs(shop):
    _, _, mia = shop

    response = _upload(client_for(mia), "phone,who\nwhatsapp:+15017122661,alice\n")

    assert "The file needs a header row with at least: sender" in response.content.decode()
    assert response.context.get("confirm_form") is None and not Customer.objects.exists()


def test_confirm_creates_each_customer_through_the_service(shop):
    whatsapp, alice, mia = shop
    page = client_for(mia)
    dry_run = _upload(
        page,
        HEADER
        + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,size 40,vip;bridal\nAlicia,{ALICIA},,{BUSINESS_WHATSAPP},,,\n",
    )
    confirm = dry_run.context["confirm_form"].initial

    response = page.post(url("customer", "process_import"), confirm)

    assert response.status_code == 302
    robert, alicia = Customer.objects.get(whatsapp_address=ROBERT), Customer.objects.get(whatsapp_address=ALICIA)
    assert (robert.advisor, robert.source, robert.tags, robert.notes) == (
        alice,
        CustomerSource.IMPORT,
        ["vip", "bridal"],
        "size 40",
    )
    assert robert.created_by == mia and alicia.advisor is None  # alicia waits in the unassigned queue
    assert SyncOperation.objects.count() == 3  # robert's conversation, robert, alice: as the add page queues
    imported = AuditEntry.objects.get(action="clienteling.import")
    assert imported.actor == mia and imported.detail["created"] == 2
    assert AuditEntry.objects.filter(action="clienteling.create").count() == 2


def test_confirming_twice_creates_once_and_says_why(shop):
    _, _, mia = shop
    page = client_for(mia)
    confirm = _upload(page, HEADER + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,,\n").context["confirm_form"].initial
    page.post(url("customer", "process_import"), confirm)

    again = page.post(url("customer", "process_import"), confirm, follow=True)

    assert Customer.objects.count() == 1
    assert "no longer on the server" in again.content.decode()


def test_a_manager_without_full_numbers_sees_them_masked_in_the_preview_and_the_errors(shop):
    _, _, mia = shop
    page = client_for(mia)

    preview = _upload(page, HEADER + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,call +15017122663,\n")
    refused = _upload(page, HEADER + f"Robert,{ROBERT},,whatsapp:+14155550999,alice,,\n")

    for response in (preview, refused):
        html = response.content.decode()
        assert "5017122661" not in html and "4155550999" not in html and "5017122663" not in html
    assert "whatsapp:+15•••••2661" in preview.content.decode()
    assert "whatsapp:+14•••••0999" in refused.content.decode()


def test_who_may_see_numbers_sees_them_in_the_preview(shop, admin_client):
    preview = _upload(admin_client, HEADER + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,,\n")

    assert ROBERT in preview.content.decode()


def test_an_advisor_cannot_import(shop):
    _, alice, _ = shop
    page = client_for(alice)

    assert page.get(url("customer", "import")).status_code == 403
    assert _upload(page, HEADER + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,,\n").status_code == 403
    assert url("customer", "import") not in page.get(url("customer", "changelist")).content.decode()
    assert not Customer.objects.exists()


def test_an_export_holds_only_the_rows_the_row_rule_gives_with_numbers_masked(shop):
    whatsapp, alice, _ = shop
    bob = advisor("bob")
    Customer.objects.create(name="Alice's", whatsapp_address=ROBERT, sender=whatsapp, advisor=alice)
    Customer.objects.create(name="Bob's", whatsapp_address=ALICIA, sender=whatsapp, advisor=bob)
    assert not alice.has_perm("conversations_ops.view_full_numbers")
    assert Group.objects.get(name="Advisors") in alice.groups.all()

    response = client_for(alice).post(url("customer", "export"), {"format": "0", "export_items": [], **_all_fields()})

    body = response.content.decode()
    assert response.status_code == 200, body[-2000:]
    assert "Alice's" in body and "Bob's" not in body
    assert "whatsapp:+15•••••2661" in body and "5017122661" not in body


def _all_fields() -> dict:
    # The export form's field checkboxes: "<resource name>_<field>" (django-import-export 4).
    return {
        f"customerresource_{name}": "on"
        for name in ("name", "whatsapp_address", "sms_address", "sender", "advisor", "notes", "tags")
    }


CONSENT_HEADER = HEADER.replace("tags\n", "tags,consent,consent_source\n")
CLARA = "whatsapp:+15017122664"


def test_consent_columns_are_recorded_through_the_registry_on_confirm_and_not_in_the_dry_run(shop):
    _, _, mia = shop
    page = client_for(mia)
    dry_run = _upload(
        page,
        CONSENT_HEADER
        + f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},alice,,,opted_in,in-store form Paris 2026-11\n"
        + f"Alicia,{ALICIA},,{BUSINESS_WHATSAPP},,,,Opted_Out,\n"
        + f"Clara,{CLARA},,{BUSINESS_WHATSAPP},,,,,\n",
    )
    assert dry_run.context["confirm_form"] is not None, _errors(dry_run)
    assert not Consent.objects.exists() and not ConsentChange.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="consent.").exists()
    assert "in-store form Paris 2026-11" in dry_run.content.decode()  # the preview shows the columns

    page.post(url("customer", "process_import"), dry_run.context["confirm_form"].initial)

    robert = Consent.objects.get(address=ROBERT, sender=BUSINESS_WHATSAPP)
    (change,) = robert.changes.all()
    assert (robert.state, change.how, change.reason, change.staff) == (
        "opted_in",
        "imported",
        "in-store form Paris 2026-11",
        mia,
    )
    alicia = Consent.objects.get(address=ALICIA, sender=BUSINESS_WHATSAPP)
    assert (alicia.state, alicia.how, alicia.changes.get().reason) == ("opted_out", "staff_opt_out", "customer import")
    assert not Consent.objects.filter(address=CLARA).exists()  # an empty column records nothing
    assert Customer.objects.count() == 3


def test_each_refused_consent_cell_names_its_column(shop):
    _, _, mia = shop
    consent_opt_out(
        address=CLARA, sender=BUSINESS_WHATSAPP, how="keyword_opt_out", keyword="STOP", message_sid=make_sid("IM", 7)
    )
    rows = [
        f"Robert,{ROBERT},,{BUSINESS_WHATSAPP},,,,yes,form",  # row 1
        f"Alicia,{ALICIA},,{BUSINESS_WHATSAPP},,,,opted_in,",  # row 2
        f"Dora,whatsapp:+15017122665,,{BUSINESS_WHATSAPP},,,,,a form",  # row 3
        f"Clara,{CLARA},,{BUSINESS_WHATSAPP},,,,opted_in,in-store form",  # row 4: texted STOP before
    ]

    response = _upload(client_for(mia), CONSENT_HEADER + "\n".join(rows) + "\n")

    errors = _errors(response)
    assert errors[1] == {"consent": ["Write opted_in or opted_out, or leave it empty to record nothing."]}
    assert (
        list(errors[2]) == ["consent_source"]
        and "Say where the consent was collected" in errors[2]["consent_source"][0]
    )
    assert list(errors[3]) == ["consent"] and "without a consent" in errors[3]["consent"][0]
    assert list(errors[4]) == ["consent"]
    assert (
        "opted out by texting STOP" in errors[4]["consent"][0]
        and "does not opt them back in" in errors[4]["consent"][0]
    )
    assert "5017122664" not in response.content.decode()  # masked for mia
    assert Consent.objects.get(address=CLARA).state == "opted_out" and ConsentChange.objects.count() == 1


def test_the_export_fills_the_consent_columns_with_the_registry_now_masked(shop):
    whatsapp, alice, mia = shop
    for n, address in enumerate((ROBERT, ALICIA, CLARA)):
        Customer.objects.create(name=f"C{n}", whatsapp_address=address, sender=whatsapp, advisor=alice)
    consent_opt_out(
        address=ROBERT,
        sender=BUSINESS_WHATSAPP,
        how="staff_opt_out",
        reason="asked by phone from +15017122699",
        user=mia,
    )
    consent_opt_in(address=ALICIA, sender=BUSINESS_WHATSAPP, how="wrote_first", message_sid=make_sid("IM", 3))
    fields = {**_all_fields(), "customerresource_consent": "on", "customerresource_consent_source": "on"}

    response = client_for(alice).post(url("customer", "export"), {"format": "0", "export_items": [], **fields})

    body = response.content.decode()
    rows = {line.split(",")[0]: line for line in body.splitlines()[1:]}
    assert rows["C0"].endswith(",opted_out,Opted out by staff on request: asked by phone from +15•••••2699")
    assert "5017122699" not in body
    assert rows["C1"].endswith(",opted_in,Wrote first")
    assert rows["C2"].endswith(",,")  # nothing recorded: both columns empty


def test_the_export_reads_consent_in_the_export_query_not_per_row(shop, django_assert_max_num_queries):
    whatsapp, alice, _ = shop
    for n in range(30):
        address = f"whatsapp:+150171230{n:02d}"
        Customer.objects.create(name=f"C{n}", whatsapp_address=address, sender=whatsapp, advisor=alice)
        consent_opt_in(address=address, sender=BUSINESS_WHATSAPP, how="wrote_first", message_sid=make_sid("IM", n))
    page = client_for(alice)
    fields = {**_all_fields(), "customerresource_consent": "on", "customerresource_consent_source": "on"}
    page.post(url("customer", "export"), {"format": "0", "export_items": [], **fields})  # warm the session

    with django_assert_max_num_queries(25):  # 30 rows: not one query per row
        response = page.post(url("customer", "export"), {"format": "0", "export_items": [], **fields})

    assert response.content.decode().count(",opted_in,Wrote first") == 30
