"""The recommend benchmark's noise: the family reported on shares no template with the tuning one."""
from __future__ import annotations

import random
from dataclasses import fields

from bench.ticket_noise import MIN_WORDS, TEST, TUNE, styled


def test_test_family_shares_no_template_with_the_tuning_family() -> None:
    for field in fields(TUNE):
        tune, test = getattr(TUNE, field.name), getattr(TEST, field.name)
        if field.name == "lead_ins":
            assert set(tune) & set(test) == {""}  # no lead-in at all is allowed in both
        elif field.name != "styles":
            assert not set(tune) & set(test), field.name
    assert set(TEST.styles) == set(TUNE.styles) == {"email", "chat", "notes"}


def test_tickets_are_long_seeded_and_keep_the_query() -> None:
    for seed in range(30):
        text, style = styled("my card was declined at the shop", random.Random(seed), TEST)
        assert "my card was declined at the shop" in text and len(text.split()) >= MIN_WORDS
        assert (text, style) == styled("my card was declined at the shop", random.Random(seed), TEST)
    assert {styled("q", random.Random(seed), TEST)[1] for seed in range(30)} == {"email", "chat", "notes"}
