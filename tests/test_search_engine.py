"""The search entry point: stemming, synonyms, filters, facets, paging, ranking, explain, hostile input."""
from __future__ import annotations

from typing import Iterator

import pytest

from search import Engine, QueryError, SearchRequest, SearchResponse
from search.types import MAX_RESULT_WINDOW
from search.viewer import AGENT, ANONYMOUS
from tests.kb_support import article, built_engine, write_articles


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = built_engine(tmp_path_factory)
    yield engine
    engine.close()


def run(engine: Engine, text: str, **options: object) -> SearchResponse:
    return engine.search(SearchRequest(text, **options))  # type: ignore[arg-type]


def slugs(engine: Engine, text: str, **options: object) -> list[str]:
    return [hit.slug for hit in run(engine, text, **options).results]


@pytest.mark.parametrize("text", ["refunded", "refunds", "refunding"])
def test_english_stemming(engine: Engine, text: str) -> None:
    assert slugs(engine, text) == ["billing/refund-policy"]


def test_english_stemming_of_verbs(engine: Engine) -> None:
    assert slugs(engine, "disconnects") == ["technical/wifi-dropping"]
    assert slugs(engine, "prices rising") == ["billing/price-rise"]


@pytest.mark.parametrize("text", ["reembolsos", "reembolso"])
def test_spanish_stemming(engine: Engine, text: str) -> None:
    response = run(engine, text, langs=["es"])
    assert [(hit.slug, hit.lang) for hit in response.results] == [("es/billing/refund-policy", "es")]
    assert slugs(engine, text)[0] == "es/billing/refund-policy"  # every language when none is asked for


def test_language_restricts_results(engine: Engine) -> None:
    assert slugs(engine, "refund", langs=["en"]) == ["billing/refund-policy"]
    assert slugs(engine, "refund", filters={"lang": ["es"]}) == []


def test_synonyms(engine: Engine) -> None:
    response = run(engine, "statement")
    assert response.results[0].slug == "billing/invoice-explained"
    assert response.synonyms == {"statement": ["bill", "invoice"]}
    money = run(engine, "money back")
    assert [hit.slug for hit in money.results] == ["billing/refund-policy"]
    assert money.synonyms == {"money back": ["refund"]}
    assert slugs(engine, "wireless keeps disconnecting")[0] == "technical/wifi-dropping"


def test_typo_correction(engine: Engine) -> None:
    response = run(engine, "pasword")
    assert response.did_you_mean == "password"
    assert response.corrections == {"pasword": "password"}
    assert [hit.slug for hit in response.results] == ["technical/reset-password"]
    assert run(engine, "password").did_you_mean is None
    assert run(engine, "forgot pasword reset").did_you_mean == "forgot password reset"


def test_filters_and_facets(engine: Engine) -> None:
    everything = run(engine, "your")
    assert everything.total == 4
    assert everything.facets == {
        "type": {"billing": 3, "technical": 1}, "level": {"0": 3, "1": 1},
        "product": {"account": 2, "broadband": 2}, "lang": {"en": 4},
        "tags": {"invoice": 1, "password": 1, "payments": 1, "prices": 1, "refunds": 1, "sign-in": 1}}
    assert list(everything.facets["type"]) == ["billing", "technical"]  # most frequent first
    billing = run(engine, "your", filters={"type": ["billing"]})
    assert billing.total == 3 and {hit.type for hit in billing.results} == {"billing"}
    assert billing.facets["product"] == {"broadband": 2, "account": 1}
    assert slugs(engine, "your", filters={"level": ["1"]}) == ["billing/price-rise"]
    assert sorted(slugs(engine, "your", filters={"product": ["account"], "lang": ["en"]})) == [
        "billing/refund-policy", "technical/reset-password"]
    assert slugs(engine, "your", filters={"tags": ["Refunds"]}) == ["billing/refund-policy"]
    assert sorted(slugs(engine, "your", filters={"type": ["technical", "billing"], "level": ["0"]})) == [
        "billing/invoice-explained", "billing/refund-policy", "technical/reset-password"]
    assert run(engine, "your", facets=False).facets == {}


def test_agent_facets_include_audience(engine: Engine) -> None:
    response = run(engine, "credit", viewer=AGENT)
    assert response.facets["audience"] == {"internal": 1, "public": 1}
    assert "audience" not in run(engine, "credit").facets
    internal_only = {"audience": ["internal"]}
    assert slugs(engine, "credit", viewer=AGENT, filters=internal_only) == ["agents/goodwill-credits"]


def test_pagination(engine: Engine) -> None:
    whole = slugs(engine, "your", limit=10)
    assert len(whole) == 4
    assert slugs(engine, "your", limit=2) == whole[:2]
    page = run(engine, "your", limit=2, offset=2)
    assert [hit.slug for hit in page.results] == whole[2:] and page.total == 4
    assert run(engine, "your", offset=10).results == []


@pytest.mark.parametrize("options, code", [
    ({"limit": 0}, "invalid_parameter"), ({"limit": 101}, "invalid_parameter"),
    ({"offset": -1}, "invalid_parameter"), ({"offset": 991}, "invalid_parameter"),
    ({"offset": 1000, "limit": 1}, "invalid_parameter"),
    ({"filters": {"colour": ["red"]}}, "invalid_parameter"),
])
def test_invalid_parameters(engine: Engine, options: dict[str, object], code: str) -> None:
    with pytest.raises(QueryError) as raised:
        run(engine, "refund", **options)
    assert raised.value.code == code


def test_deep_paging_is_capped_at_the_result_window(engine: Engine) -> None:
    assert run(engine, "refund", offset=MAX_RESULT_WINDOW - 100, limit=100).results == []
    with pytest.raises(QueryError) as raised:
        run(engine, "refund", offset=MAX_RESULT_WINDOW - 99, limit=100)
    assert raised.value.code == "invalid_parameter"
    assert f"offset + limit must be at most {MAX_RESULT_WINDOW}" in raised.value.message


def test_query_too_long(engine: Engine) -> None:
    with pytest.raises(QueryError) as raised:
        run(engine, "refund " * 715)
    assert (raised.value.code, raised.value.message) == (
        "query_too_long", "query is longer than 500 characters")


HOSTILE = ['"', '"refund', "refund\"'", "a:b", "title:refund", "type:billing level:2", "AND",
           "refund AND OR NOT", "NOT refund", "ip~1/3", "refund~", "ref*", "*", "?", "(((", ")", "[0 TO 9]",
           "{a TO}", "^2", "refund^", "\\", "/", "😀", "😀 refund 😀", "\x00", "refund\x00\x1b[31m\x7f",
           "\u202e\u200b", "ـــ", "x" * 500,
           " ".join(["refund"] * 70), "-", "--help", "<script>alert(1)</script>", "%00", "' OR 1=1 --",
           "\ud800", "ａｂｃ", "İstanbul", "ß" * 10, "0", "12345"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(engine: Engine, text: str) -> None:
    for agent in (False, True):
        response = run(engine, text, viewer=AGENT if agent else ANONYMOUS, explain=True, prefix=True)
        assert response.total >= len(response.results)
        assert "\x00" not in response.query and "\x1b" not in response.query
    engine.suggest(text, ANONYMOUS, langs=[])


def test_hostile_syntax_is_plain_words(engine: Engine) -> None:
    assert slugs(engine, "title:refund") == ["billing/refund-policy"]
    assert slugs(engine, '"refund" AND') == ["billing/refund-policy"]
    assert run(engine, "refund\x00\x07").query == "refund"


def test_explain_parts(engine: Engine) -> None:
    hit = run(engine, "refund money", explain=True).results[0]
    assert hit.slug == "billing/refund-policy"
    assert hit.explain is not None
    lexical = {"bm25f", "bm25f_normalized", "question_match", "coverage", "coverage_factor",
               "stale_factor", "exact_bonus", "final"}
    hybrid = {"lexical", "lexical_normalized", "dense", "dense_normalized"}  # semantic extra installed
    assert set(hit.explain["score"]) in (lexical, lexical | hybrid)
    assert hit.explain["score"]["final"] == hit.score
    assert hit.explain["score"]["coverage"] == 1.0
    assert hit.explain["matched_groups"] == ["refund", "money"]
    assert {"title_en:refund", "questions_en:money", "all_en:refund"} <= set(hit.explain["matched_terms"])
    assert hit.explain["exact_match"] is False
    assert "explain" not in hit.as_dict() or hit.as_dict()["explain"] == hit.explain
    assert run(engine, "refund").results[0].explain is None
    assert "explain" not in run(engine, "refund").results[0].as_dict()


def test_exact_title_or_question_ranks_first(engine: Engine) -> None:
    title = run(engine, "reset your account password", explain=True).results[0]
    assert (title.slug, title.exact) == ("technical/reset-password", True)
    assert title.explain is not None and title.explain["exact_match"] is True
    question = run(engine, "Can I get my money back?").results
    assert question[0].slug == "billing/refund-policy" and question[0].exact
    assert not any(hit.exact for hit in question[1:])


def test_coverage_beats_a_single_rare_word(engine: Engine) -> None:
    assert slugs(engine, "router lights flashing orange")[0] == "technical/wifi-dropping"
    response = run(engine, "monthly price contract")
    assert response.results[0].slug == "billing/price-rise"


def test_stale_articles_are_flagged_and_demoted(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = write_articles(tmp_path_factory.mktemp("stale") / "articles", {
        "billing/a-stale.md": article("Paying by card", body="Pay your bill by card.",
                                      review_by="2001-01-01"),
        "billing/b-fresh.md": article("Paying by cards", body="Pay your bill by card.",
                                      review_by="2999-01-01"),
    })
    engine = built_engine(tmp_path_factory, root)
    try:
        hits = run(engine, "pay by card", explain=True).results
        assert [(hit.slug, hit.stale) for hit in hits] == [("billing/b-fresh", False),
                                                           ("billing/a-stale", True)]
        assert hits[1].explain is not None and hits[1].explain["score"]["stale_factor"] == 0.75
        assert hits[0].explain is not None and hits[0].explain["score"]["stale_factor"] == 1.0
    finally:
        engine.close()


def test_fixture_stale_article_is_flagged(engine: Engine) -> None:
    hit = run(engine, "price").results[0]
    assert (hit.slug, hit.stale) == ("billing/price-rise", True)


def test_no_good_answer(engine: Engine) -> None:
    assert run(engine, "qwertyuiop").no_good_answer is True
    assert run(engine, "refund").no_good_answer is False


def test_hit_fields_and_response_dict(engine: Engine) -> None:
    response = run(engine, "refund")
    hit = response.results[0]
    assert (hit.url, hit.type, hit.level, hit.product, hit.lang, hit.audience) == (
        "/articles/billing/refund-policy", "billing", 0, "account", "en", "public")
    assert hit.tags == ["refunds", "payments"]
    body = response.as_dict()
    assert set(body) == {"query", "total", "did_you_mean", "corrections", "facets", "took_ms",
                         "no_good_answer", "results"}
    assert body["results"][0]["slug"] == "billing/refund-policy"
    assert response.version == engine.snapshot().name


def test_suggest_prefix(engine: Engine) -> None:
    assert [s["slug"] for s in engine.suggest("ref", ANONYMOUS, langs=[])] == ["billing/refund-policy"]
    assert engine.suggest("reset your acc", ANONYMOUS, langs=[])[0] == {
        "text": "Reset your account password", "slug": "technical/reset-password",
        "url": "/articles/technical/reset-password", "type": "technical"}
    assert engine.suggest("   ", ANONYMOUS, langs=[]) == []
    assert engine.suggest("\x00", ANONYMOUS, langs=[]) == []


def test_short_words_and_empty_queries(engine: Engine) -> None:
    assert slugs(engine, "how do i") == ["billing/refund-policy"]  # not stop words: they carry the question
    empty = run(engine, "")
    assert (empty.results, empty.total, empty.no_good_answer) == ([], 0, True)


def test_whole_index_missing_language_field(engine: Engine) -> None:
    assert slugs(engine, "refund", langs=["fr"]) == []
    assert slugs(engine, "refund", langs=["xx-YY"]) == []
