"""ModelAdmins, one module per area; importing them registers them."""

from . import (  # noqa: F401
    addresses,
    audit,
    clienteling,
    consent,
    conversations,
    events,
    messages,
    navigation,
    pairings,
    sandbox,
    second_factor,
    sync,
    templates,
)
