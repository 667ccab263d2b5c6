"""Phone numbers shown masked: whatsapp:+49•••••1234.

Staff see who is who (country code, last four digits) without the whole
number; the full number is for those allowed to see it (issue 8 adds the
permission). A chat identity or anything that is not a phone number is shown
as it is.
"""

import re

from conversations_ops import validators as v

_PHONE = re.compile(r"^\+(\d{2})(\d+)(\d{4})$")
HIDDEN = "•••••"


def mask_address(address: str | None) -> str:
    if not address:
        return ""
    prefix, number = "", address
    if number.startswith(v.WHATSAPP_PREFIX):
        prefix, number = v.WHATSAPP_PREFIX, number[len(v.WHATSAPP_PREFIX):]
    match = _PHONE.match(number)
    if not match:
        return address
    return f"{prefix}+{match.group(1)}{HIDDEN}{match.group(3)}"


def can_see_full_numbers(user) -> bool:
    from conversations_ops.models import VIEW_FULL_NUMBERS

    return bool(user is not None and user.has_perm(VIEW_FULL_NUMBERS))


def address_for(user, address: str | None) -> str:
    """The address as this staff member may see it: whole with "view full numbers", else masked."""
    return (address or "") if can_see_full_numbers(user) else mask_address(address)
