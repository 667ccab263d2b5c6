"""The message list's URLs and what it lists."""

from django.urls import reverse

CHANGELIST = reverse("admin:conversations_ops_message_changelist")


def export_url(fmt: str) -> str:
    return reverse("admin:conversations_ops_message_export", args=[fmt])


def listed(client, query=""):
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200, response
    return response


def listed_sids(client, query="") -> list[str]:
    return [m.sid for m in listed(client, query).context["cl"].result_list]
