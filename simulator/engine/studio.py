"""The account's Studio flows, as Twilio's Studio editor leaves them (the console never makes one)."""

from simulator import clock
from simulator.models import SimStudioFlow
from simulator.sids import new_sid

STATUSES = ("draft", "published")


def add_flow(friendly_name: str, status: str = "published") -> SimStudioFlow:
    """A flow saved in the Studio editor: published (revision 1) or still a draft."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    now = clock.now()
    return SimStudioFlow.objects.create(
        sid=new_sid("FW"), friendly_name=friendly_name, status=status, revision=1, date_created=now, date_updated=now
    )
