"""Audit trail tests: staff users of each group (helpers: tests/audit/helpers.py; the live simulator and
the pairing fixtures: tests/plugins/)."""

import pytest
from django.contrib.auth.models import Group

from tests.audit.helpers import staff_groups


@pytest.fixture
def member(db, django_user_model):
    """A staff user in the named group."""

    def make(group: str):
        staff_groups()
        user = django_user_model.objects.create_user(username=group.lower(), password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user(username="olga", password="pw", is_staff=True)
