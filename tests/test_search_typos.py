"""Typo repair against the index vocabulary."""
from __future__ import annotations

from search.typos import Vocabulary, max_edits, merge

WORDS = Vocabulary({"password": 3, "passport": 1, "router": 5, "refund": 4, "rooter": 1, "invoice": 2,
                    "wifi": 6, "bill": 2, "ball": 9})


def test_known_words_need_no_correction() -> None:
    assert WORDS.correct("password") is None
    assert "password" in WORDS and "pasword" not in WORDS and len(WORDS) == 9


def test_one_and_two_edits() -> None:
    assert WORDS.correct("pasword") == "password"      # deletion
    assert WORDS.correct("passwrod") == "password"     # a swap of neighbours is one edit
    assert WORDS.correct("pxsswxrd") == "password"     # two edits from six letters
    assert WORDS.correct("invioce") == "invoice"
    assert WORDS.correct("refnd") == "refund"
    assert WORDS.correct("wiif") == "wifi"


def test_edit_budget_by_length() -> None:
    assert [max_edits(w) for w in ("wifi", "refnd", "router", "password")] == [1, 1, 2, 2]
    assert WORDS.correct("rfnud") is None              # two edits, but five letters allow one
    assert WORDS.correct("pzzzword") is None           # three edits


def test_ties_go_to_the_more_frequent_word() -> None:
    assert WORDS.correct("rooterr") == "rooter"        # one edit beats two (router)
    assert WORDS.correct("routr") == "router"
    assert WORDS.correct("bqll") == "ball"             # bill and ball are both one edit; ball is commoner


def test_short_numeric_and_unknown_words_are_left_alone() -> None:
    assert WORDS.correct("rout") is None             # "router" is two insertions away
    assert WORDS.correct("bil") is None                # shorter than four letters
    assert WORDS.correct("r0uter") is None             # not alphabetic
    assert WORDS.correct("zzzzzzzz") is None
    assert Vocabulary({}).correct("password") is None


def test_merge_adds_agent_words() -> None:
    agent = merge(WORDS, Vocabulary({"zanzibar": 1, "refund": 1}))
    assert agent.correct("zanzibr") == "zanzibar"
    assert agent.counts["refund"] == 5
    assert WORDS.correct("zanzibr") is None
