"""Snippets: escaped text with ``<mark>`` around matched words and no other markup."""
from __future__ import annotations

import re
from typing import Iterator

import pytest

from search import Engine, SearchRequest
from search.snippets import SNIPPET_CHARS, SNIPPET_WORDS, fallback, highlight
from search.viewer import AGENT, ANONYMOUS
from tests.kb_support import article, built_engine, write_articles

TAGS = re.compile(r"<[^>]*>")


def only_marks(snippet: str) -> bool:
    return set(TAGS.findall(snippet)) <= {"<mark>", "</mark>"}


def test_highlight_marks_stemmed_matches() -> None:
    assert highlight("Restart the router. Routers reboot.", {"router"}, "en") == \
        "Restart the <mark>router</mark>. <mark>Routers</mark> reboot."


def test_highlight_escapes_everything_else() -> None:
    snippet = highlight('Press <b>router</b> & <script>alert("x")</script> now', {"router"}, "en")
    assert snippet == ("Press &lt;b&gt;<mark>router</mark>&lt;/b&gt; &amp; &lt;script&gt;alert(&quot;x&quot;)"
                       "&lt;/script&gt; now")
    assert only_marks(snippet)


def test_highlight_picks_the_window_with_most_matches_and_clips() -> None:
    text = " ".join(["filler"] * 100 + ["reset", "your", "password"] + ["tail"] * 100)
    snippet = highlight(text, {"reset", "password"}, "en")
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>reset</mark> your <mark>password</mark>" in snippet
    assert len(TAGS.sub("", snippet).replace("…", "").strip()) <= SNIPPET_CHARS + len("filler")


def test_highlight_prefixes_and_nothing_to_mark() -> None:
    assert highlight("Reset your password", set(), "en", prefixes=("pass",)) == \
        "Reset your <mark>password</mark>"
    assert highlight("Reset your password", {"router"}, "en") == ""
    assert highlight("", {"router"}, "en") == ""
    assert highlight("Reset", set(), "en") == ""


def test_fallback_escapes_and_clips() -> None:
    assert fallback("<b>Hi</b> & bye") == "&lt;b&gt;Hi&lt;/b&gt; &amp; bye"
    assert fallback(" ".join(["w"] * 40)) == " ".join(["w"] * SNIPPET_WORDS) + " …"


def test_spanish_snippet() -> None:
    assert highlight("Los reembolsos se pagan.", {"reembols"}, "es") == "Los <mark>reembolsos</mark> se pagan."


@pytest.fixture(scope="module")
def html_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = write_articles(tmp_path_factory.mktemp("html") / "articles", {
        "technical/markup.md": article(
            "Router admin page shows code", type="technical",
            summary="If the page shows &lt;b&gt; tags, clear the cache.",
            body="The router page shows &lt;b&gt;router&lt;/b&gt; and &lt;script&gt;alert(1)&lt;/script&gt; "
                 "text when the cache is stale. Use 5 < 6 & \"quotes\"."),
    })
    engine = built_engine(tmp_path_factory, root)
    yield engine
    engine.close()


@pytest.mark.parametrize("query", ["router", "<script>alert(1)</script> router", "<b>router</b>", "script",
                                   "cache quotes", "alert", "nothing matches zzzz router"])
def test_engine_snippets_escape_html(html_engine: Engine, query: str) -> None:
    for agent in (False, True):
        response = html_engine.search(SearchRequest(query, viewer=AGENT if agent else ANONYMOUS))
        assert response.results, query
        snippet = response.results[0].snippet
        assert snippet and only_marks(snippet), snippet
        assert "<script" not in snippet and "<b>" not in snippet


def test_engine_snippet_content(html_engine: Engine) -> None:
    snippet = html_engine.search(SearchRequest("router")).results[0].snippet
    assert "&lt;b&gt;<mark>router</mark>&lt;/b&gt;" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<mark>" in snippet


def test_no_snippets_when_not_asked(html_engine: Engine) -> None:
    assert html_engine.search(SearchRequest("router", snippets=False)).results[0].snippet == ""
