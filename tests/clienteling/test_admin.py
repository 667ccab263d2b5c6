"""The Customers admin: the add page calls the service (its refusals beside their fields), a change
page changes only name, notes and tags."""

import pytest
from django.contrib.auth.models import User

from conversations_ops.models import Customer, SyncOperation
from tests.helpers.clienteling import MANAGERS, advisor, sender, team
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP
from tests.roles.staff import client_for, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_page():
    return client_for(advisor("mia", group=MANAGERS))


def _form(whatsapp_sender, **fields):
    return {
        "name": "Robert",
        "whatsapp_address": CUSTOMER_WHATSAPP,
        "sms_address": "",
        "sender": whatsapp_sender.pk,
        "advisor": "",
        "notes": "",
        "tags": "[]",
        **fields,
    }


def test_a_manager_adds_a_customer_with_an_advisor_and_their_conversation_is_queued(manager_page):
    whatsapp, alice = sender(BUSINESS_WHATSAPP), advisor("alice")

    response = manager_page.post(url("customer", "add"), _form(whatsapp, advisor=alice.pk))

    assert response.status_code == 302, response.content.decode()[-2000:]
    customer = Customer.objects.get()
    assert customer.advisor == alice and customer.created_by.username == "mia"
    assert SyncOperation.objects.count() == 3  # conversation, customer, advisor


def test_refusals_show_beside_their_field_and_save_nothing(manager_page):
    whatsapp = sender(BUSINESS_WHATSAPP)

    response = manager_page.post(
        url("customer", "add"), _form(whatsapp, whatsapp_address="", sms_address="+15017122661", advisor="")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["whatsapp_address"] == [
        f"{BUSINESS_WHATSAPP} needs the customer's WhatsApp address."
    ]
    assert not Customer.objects.exists()


def test_the_change_page_leaves_number_sender_and_advisor_alone(manager_page):
    whatsapp, alice = sender(BUSINESS_WHATSAPP), advisor("alice")
    team("Boutique", members=[alice], managers=[User.objects.get(username="mia")])  # mia sees alice's customers
    manager_page.post(url("customer", "add"), _form(whatsapp, advisor=alice.pk))
    customer = Customer.objects.get()

    response = manager_page.post(
        url("customer", "change", customer.pk), {"name": "Robert B.", "notes": "Size M", "tags": '["vip"]'}
    )

    assert response.url == url("customer", "changelist")  # saved (a row out of reach would go to the index)
    customer.refresh_from_db()
    assert (customer.name, customer.notes, customer.tags, customer.advisor) == ("Robert B.", "Size M", ["vip"], alice)
