"""The order a batch of webhooks leaves in under the control switch (webhooks_out.arrange)."""

from simulator.engine.webhooks_out import arrange

BATCH = [11, 12, 13, 14, 15]


def switch(order="in_order", duplicates=0.0, seed=None):
    return {"order": order, "duplicates": duplicates, "hold_ms": 0, "seed": seed}


def test_by_default_each_webhook_leaves_once_in_order():
    assert arrange(BATCH, switch()) == [(pk, False) for pk in BATCH]


def test_in_order_duplicates_follow_their_original():
    assert arrange(BATCH[:2], switch(duplicates=1)) == [(11, False), (11, True), (12, False), (12, True)]


def test_reversed_sends_the_newest_first_and_duplicates_at_the_end():
    assert arrange(BATCH[:3], switch("reversed", duplicates=1)) == [
        (13, False),
        (12, False),
        (11, False),
        (13, True),
        (12, True),
        (11, True),
    ]


def test_shuffled_is_a_permutation_repeatable_with_a_seed():
    first = arrange(BATCH, switch("shuffled", duplicates=0.5, seed=7))
    assert first == arrange(BATCH, switch("shuffled", duplicates=0.5, seed=7))
    originals = [pk for pk, duplicate in first if not duplicate]
    assert sorted(originals) == BATCH and originals != BATCH
    assert {pk for pk, duplicate in first if duplicate} <= set(BATCH)
