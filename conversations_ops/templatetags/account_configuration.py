"""Warnings from the account's /v1/Configuration, on the home page and the address configuration pages."""

from django import template

from conversations_ops.selectors.account_configuration import configuration_warnings

register = template.Library()


@register.inclusion_tag("admin/conversations_ops/account_configuration_warnings.html")
def account_configuration_warnings(address=None, addresses=True):
    """`address`: on an address configuration's own page, only its own service is checked;
    `addresses=False` (the home page): the default timers only, one query."""
    address = address if getattr(address, "pk", None) else None
    return {"warnings": configuration_warnings(address=address, addresses=addresses)}
