"""XSS: OWASP cheat-sheet vectors in articles, queries and feedback never become executable markup.

``tests/fixtures/xss_vectors.txt`` holds the vectors (script tags, event handlers, ``javascript:``
URLs, SVG, entity tricks, broken markup). They are written into every field of generated articles
(title, summary, answer, questions, tags, body, internal block), sent as queries to every search
endpoint and as feedback comments, and every page and API answer is checked: HTML is parsed with
``html.parser`` and may hold no script but our own ``/static/`` files, no ``on*`` attribute, no
``javascript:``-like URL, no inline style, no frame or object; JSON snippets hold only ``<mark>``;
the admin insights page shows the comments escaped.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from kb import load_knowledge_base
from search.indexer import build_index
from search.semantic.dense import Settings as SemanticSettings
from tests.conftest import ADMIN_TOKEN, AGENT_TOKEN, FIXTURE_KB, make_app
from web.shared.tracking import recorder

VECTORS_FILE = Path(__file__).parent / "fixtures" / "xss_vectors.txt"
VECTORS = [line for line in VECTORS_FILE.read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("# ")]
WORD = "zebracorn"  # in every generated article, so one query finds them all
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster",
                  "lowsrc", "dynsrc", "codebase", "cite", "content", "ping", "manifest"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "xml",
                  "import", "bgsound", "isindex", "keygen", "template", "noembed", "xmp", "plaintext"}
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text/html", "data:image/svg")


def normalized_url(value: str) -> str:
    """The URL as a browser parses it (WHATWG): leading and trailing C0 controls and spaces
    stripped, tabs and newlines removed anywhere, scheme compared lower-case."""
    return re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21))))).lower()


class MarkupCheck(HTMLParser):
    """Collects every executable construct in an HTML document or fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self._in_script = True
            src = values.get("src", "")
            if not src.startswith("/static/") or set(values) - {"src", "defer", "type"}:
                self.problems.append(f"<script {attrs}>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv {values['http-equiv']!r}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("style", "srcdoc"):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")
            if name in URL_ATTRIBUTES and normalized_url(value).startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def markup_problems(html: str) -> list[str]:
    check = MarkupCheck()
    check.feed(html)
    check.close()
    return check.problems


def snippet_problems(snippet: str) -> list[str]:
    """A snippet is escaped text with ``<mark>`` around matches, nothing else."""
    check = MarkupCheck()
    check.feed(snippet)
    check.close()
    others = [tag for tag in check.tags if tag != "mark"]
    bare_marks = re.sub(r"</?mark>", "", snippet)
    return check.problems + [f"<{tag}> in snippet" for tag in others] + (
        ["raw '<' in snippet"] if "<" in bare_marks else [])


def json_problems(value: Any, key: str = "") -> Iterator[str]:
    """Snippets hold only <mark>; sanitized HTML fields pass the page check; URLs are ours."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from json_problems(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from json_problems(item, key)
    elif isinstance(value, str):
        if key == "snippet":
            yield from snippet_problems(value)
        elif key == "html":
            yield from markup_problems(value)
        elif key in ("url", "search_url", "public_url", "href"):
            ours = value.startswith("/") and not value.startswith("//")
            if not ours and not value.startswith("http://localhost/"):
                yield f"{key}={value[:60]!r}"


def vector_article(number: int, vector: str) -> str:
    front = {"title": f"Probe {number} {vector}",
             "type": ("billing", "technical", "product", "general")[number % 4],
             "level": 0, "summary": f"Summary {vector}", "answer": f"Say {vector}",
             "questions": [f"{WORD} question {vector}"], "tags": [vector.lower()[:50], WORD],
             "product": "broadband", "review_by": "2099-01-01", "owner": vector}
    body = (f"{WORD} {vector} {WORD}\n\n{vector}\n\n- item {vector}\n\n"
            f"::: internal\nAgent note {vector}\n:::\n\n`{vector}`\n")
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("xss")
    articles = base / "articles"
    (articles / "xss").mkdir(parents=True)
    for name in ("_routing.yml", "_synonyms.yml"):
        (articles / name).write_text((FIXTURE_KB / name).read_text(encoding="utf-8"), encoding="utf-8")
    for number, vector in enumerate(VECTORS):
        path = articles / "xss" / f"probe-{number:03d}.md"
        path.write_text(vector_article(number, vector), encoding="utf-8")
    # Lexical only: embedding 160 articles takes a minute on 2 cores, and snippets do not depend on it.
    build_index(load_knowledge_base(articles), base / "index", semantic=SemanticSettings("off"))
    return make_app(base / "index", base / "instance", SEMANTIC="off")


@pytest.fixture(scope="module")
def slugs(app: Any) -> list[str]:
    body = app.test_client().get("/api/v1/search", query_string={"q": WORD, "limit": 100}).get_json()
    found = [hit["slug"] for hit in body["results"]]
    assert len(found) == 100 and body["total"] == len(VECTORS)
    return sorted(f"xss/probe-{n:03d}" for n in range(len(VECTORS)))


def page_ok(response: Any, what: str) -> None:
    assert response.status_code < 500, what
    assert response.mimetype == "text/html", what
    problems = markup_problems(response.get_data(as_text=True))
    assert problems == [], (what, problems[:5])


def json_ok(response: Any, what: str) -> Any:
    assert response.status_code < 500, what
    assert response.mimetype == "application/json", what
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = json.loads(response.data)
    problems = list(json_problems(body))
    assert problems == [], (what, problems[:5])
    return body


def test_there_are_enough_vectors() -> None:
    assert len(VECTORS) >= 100
    assert len(set(VECTORS)) == len(VECTORS)
    for family in ("<script", "onerror", "javascript:", "<svg", "&#", "<iframe", "<style"):
        assert any(family in vector.lower() for vector in VECTORS), family


def test_the_checker_catches_executable_markup() -> None:
    assert markup_problems('<script src="/static/site.js"></script><p title="x">ok</p>') == []
    assert markup_problems('<img src="jav  ascript:alert(1)">') == []  # a relative URL, not a scheme
    for bad in ("<script>alert(1)</script>", '<script src="https://x.example/a.js"></script>',
                "<img src=x onerror=alert(1)>", '<a href=" jav&#x09;ascript:alert(1)">x</a>',
                "<svg><a xlink:href='javascript:alert(1)'></a></svg>", "<iframe srcdoc='x'>",
                '<a href="java\tscript:alert(1)">x</a>', '<a href="\x01 JavaScript:alert(1)">x</a>',
                '<div style="x:expression(alert(1))">', "<meta http-equiv=refresh content='0;url=x'>",
                '<a href="data:text/html,<script>alert(1)</script>">x</a>', "<body onload=alert(1)>"):
        assert markup_problems(bad), bad
    assert snippet_problems("a <mark>b</mark> &lt;script&gt;") == []
    assert snippet_problems("a <b>b</b>") and snippet_problems("<mark onclick=x>b</mark>")


def test_article_pages_and_api_views(app: Any, slugs: list[str]) -> None:
    client = app.test_client()
    agent = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    for slug in slugs:
        page_ok(client.get(f"/articles/{slug}"), slug)
        body = json_ok(client.get(f"/api/v1/articles/{slug}"), slug)
        assert body["title"].startswith("Probe ")  # plain text in JSON, for the client to escape
        agent_body = json_ok(client.get(f"/api/v1/articles/{slug}", headers=agent), slug)
        assert agent_body["has_internal"] is True
        json_ok(client.get(f"/api/v1/articles/{slug}/related"), slug)


def test_titles_reach_pages_escaped(app: Any) -> None:
    """The raw vector text is shown as text: the page's text equals it, its markup is escaped."""
    client = app.test_client()
    body = client.get("/articles/xss/probe-000").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;XSS&#39;)&lt;/script&gt;" in body
    assert "<script>alert('XSS')</script>" not in body


def test_lists_and_home(app: Any) -> None:
    client = app.test_client()
    for path in ("/", "/browse/billing", "/browse/technical", "/browse/product", "/browse/general",
                 "/browse/billing?tag=" + WORD, "/?lang=es"):
        page_ok(client.get(path), path)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    ET.fromstring(sitemap)  # well-formed XML
    assert "<script" not in sitemap.lower()


@pytest.mark.parametrize("path", ["/search", "/search.json", "/api/v1/search", "/api/v1/suggest",
                                  "/api/v1/triage"])
def test_vectors_as_queries(app: Any, path: str) -> None:
    client = app.test_client()
    for vector in VECTORS:
        for text in ((vector, f"{WORD} {vector}") if path == "/search" else (f"{vector} {WORD}",)):
            response = client.get(path, query_string={"q": text})
            if path == "/search":
                page_ok(response, text)
            else:
                json_ok(response, text)


def test_search_results_with_snippets_from_vector_bodies(app: Any) -> None:
    client = app.test_client()
    agent = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    for offset in range(0, len(VECTORS), 100):
        query = {"q": WORD, "limit": 100, "offset": offset, "explain": "true"}
        body = json_ok(client.get("/api/v1/search", query_string=query), "api search")
        assert all("<mark>" in hit["snippet"] for hit in body["results"])
        json_ok(client.get("/api/v1/search", query_string=query, headers=agent), "agent search")
    for page in range(1, len(VECTORS) // 10 + 2):
        page_ok(client.get("/search", query_string={"q": WORD, "page": page}), f"page {page}")
    for text in ("alert", "script", "onerror", "javascript", "xss"):
        page_ok(client.get("/search", query_string={"q": text}), text)
        json_ok(client.get("/api/v1/search", query_string={"q": text, "limit": 50}), text)


def test_query_echoed_on_article_links(app: Any) -> None:
    client = app.test_client()
    for vector in VECTORS[:40]:
        page_ok(client.get("/articles/xss/probe-001", query_string={"q": vector, "pos": "1",
                                                                     "feedback": vector}), vector)


def test_feedback_comments_are_escaped_on_the_admin_page(app: Any) -> None:
    client = app.test_client()
    for number, vector in enumerate(VECTORS):
        slug = f"xss/probe-{number:03d}"
        assert client.post("/api/v1/feedback", json={"slug": slug, "helpful": False,
                                                      "comment": vector}).status_code == 200
        assert client.post(f"/articles/{slug}/feedback", data={"helpful": "no",
                                                                "comment": vector}).status_code == 303
    assert recorder(app).flush()
    response = client.get("/admin/insights?limit=200", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200
    page_ok(response, "admin insights")
    body = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(" in body  # comments (and vector queries) are shown, as text
    assert body.count("probe-") >= 100


def test_console_scripts_only_insert_sanitized_html() -> None:
    """The console and instant search build DOM with textContent; only ``article.html`` (sanitized
    on the server, checked above) goes through innerHTML."""
    for script in STATIC.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert "document.write" not in text and "eval(" not in text and "insertAdjacentHTML" not in text
        for line in re.findall(r"innerHTML\s*=\s*([^;]+);", text):
            assert line.strip().endswith(".html"), (script.name, line)
