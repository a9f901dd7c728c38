"""Query expansion: term groups with synonyms (also multi-word), typo fixes and a type-ahead prefix."""
from __future__ import annotations

from search.expansion import ExpandedQuery, SynonymTable, expand
from search.typos import Vocabulary

SYNONYMS = SynonymTable([["bill", "invoice", "statement"], ["refund", "money back"],
                         ["wifi", "wi-fi", "wireless"]])
VOCAB = Vocabulary({"password": 2, "router": 3, "invoice": 1, "reset": 1})


def alternatives(expanded: ExpandedQuery) -> list[list[tuple[str, str]]]:
    return [[(" ".join(a.words), a.reason) for a in group.alternatives] for group in expanded.groups]


def test_single_word_synonyms_match_stemmed_forms() -> None:
    expanded = expand("statements", VOCAB, SYNONYMS)
    assert alternatives(expanded) == [[("statements", "query"), ("bill", "synonym"), ("invoice", "synonym")]]
    assert expanded.synonyms == {"statements": ["bill", "invoice"]}


def test_multi_word_synonym_is_one_group() -> None:
    expanded = expand("I want my money back now", VOCAB, SYNONYMS)
    assert [group.text for group in expanded.groups] == ["want", "my", "money back", "now"]
    assert alternatives(expanded)[2] == [("money back", "query"), ("refund", "synonym")]
    assert expanded.synonyms == {"money back": ["refund"]}


def test_typos_are_corrected_when_unknown() -> None:
    expanded = expand("pasword reset", VOCAB, SYNONYMS, known=lambda word: word in VOCAB)
    assert expanded.corrections == {"pasword": "password"}
    assert expanded.corrected_text == "password reset"
    assert alternatives(expanded)[0] == [("pasword", "query"), ("password", "typo")]


def test_corrected_word_brings_its_synonyms() -> None:
    expanded = expand("invoize", VOCAB, SYNONYMS, known=lambda word: False)
    assert alternatives(expanded) == [[("invoize", "query"), ("invoice", "typo"), ("bill", "synonym"),
                                       ("statement", "synonym")]]


def test_known_words_are_not_corrected() -> None:
    expanded = expand("routers", VOCAB, SYNONYMS, known=lambda word: True)
    assert expanded.corrections == {} and expanded.corrected_text is None


def test_stop_words_are_dropped_unless_the_query_is_only_stop_words() -> None:
    assert [g.text for g in expand("the router is on", VOCAB, SYNONYMS).groups] == ["router"]
    assert [g.text for g in expand("to be or not", VOCAB, SYNONYMS).groups] == ["to", "be", "or", "not"]
    assert expand("", VOCAB, SYNONYMS).groups == []
    assert expand("?!", VOCAB, SYNONYMS).groups == []


def test_prefix_only_on_a_last_word_still_being_typed() -> None:
    typing = expand("reset pass", VOCAB, SYNONYMS, prefix=True, known=lambda word: True)
    last = typing.groups[-1].alternatives[-1]
    assert (last.words, last.reason, last.prefix) == (["pass"], "prefix", True)
    finished = expand("reset pass ", VOCAB, SYNONYMS, prefix=True, known=lambda word: True)
    assert not any(a.prefix for g in finished.groups for a in g.alternatives)
    assert not any(a.prefix for a in expand("p", VOCAB, SYNONYMS, prefix=True).groups[-1].alternatives)


def test_synonym_table_in_spanish() -> None:
    table = SynonymTable([["factura", "recibo"]], lang="es")
    assert table.lookup(["facturas"]) == ["recibo"]
    assert table.lookup(["bill"]) == []


def test_did_you_mean_keeps_the_words_it_did_not_correct() -> None:
    expanded = expand("my pasword is not working", VOCAB, SYNONYMS, known=lambda word: word != "pasword")
    assert [group.text for group in expanded.groups] == ["my", "pasword", "working"]
    assert expanded.corrected_text == "my password is not working"
