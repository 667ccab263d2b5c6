"""Templates created from the admin as staff would create them."""

from django.urls import reverse

ADD = "admin:conversations_ops_template_add"


def create_from_admin(admin_client, **overrides):
    data = {
        "friendly_name": "courier_invite",
        "language": "en",
        "body": "Hi {{1}}, {{2}} is bringing your order.",
        "samples": "Ana\nRobert",
        "submit": "on",
        "approval_name": "courier_invite",
        "category": "UTILITY",
        **overrides,
    }
    return admin_client.post(reverse(ADD), data, follow=True)
