"""``/media/``: the images and attachments an import copied into ``articles/_media`` are served,
sandboxed; nothing else under the articles folder is. A file that only agent-only content links
(an internal article, a ``::: internal`` block) or that nothing links is a 404 for anonymous
callers, as an unknown file is, and served to agents and admins."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base
from kb.media import article_media, linked_media, media_manifest
from kb.model import Article
from search.indexer import build_index
from tests.conftest import ADMIN_TOKEN, AGENT_TOKEN, make_app
from tests.kb_support import article, write_articles

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PUBLIC_BODY = """Plug in the router.

![Router](/media/zendesk/360001/router.png)

[The guide](</media/zendesk/360001/guide.svg> "guide") and <img src="/media/zendesk/360001/both%20ways.png">

::: internal
Back office form: [form](/media/zendesk/360001/block-form.pdf), also ![](/media/zendesk/360001/both ways.png)
:::
"""
INTERNAL_BODY = "Escalate with ![the sheet](/media/zendesk/360001/internal.png) attached."
#: path under _media -> who may fetch it
FILES = {"zendesk/360001/router.png": "public", "zendesk/360001/guide.svg": "public",
         "zendesk/360001/both ways.png": "public", "zendesk/360001/block-form.pdf": "internal",
         "zendesk/360001/internal.png": "internal", "zendesk/360001/review.png": "internal",
         "zendesk/360001/orphan.png": "nobody"}


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    root = write_articles(tmp_path / "articles", {
        "billing/router.md": article("Set up the router", body=PUBLIC_BODY),
        "agents/playbook.md": article("Escalation playbook", level=2, audience="internal",
                                      body=INTERNAL_BODY),
        "billing/new.md": article("A new page", status="review",
                                  body="![](/media/zendesk/360001/review.png)"),
    })
    media = root / "_media"
    for relative in FILES:
        (media / relative).parent.mkdir(parents=True, exist_ok=True)
        (media / relative).write_bytes(PNG)
    (media / "zendesk" / "360001" / "guide.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (media / "zendesk" / "360001" / "page.html").write_text("<script>alert(1)</script>")
    (root / "billing.md").write_text("---\ntitle: x\n---\nbody\n")
    return root


@pytest.fixture()
def app(articles: Path, tmp_path: Path) -> Any:
    build_index(load_knowledge_base(articles), tmp_path / "index")
    return make_app(tmp_path / "index", tmp_path / "instance", ARTICLES_DIR=str(articles))


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


def url(relative: str) -> str:
    return "/media/" + relative.replace(" ", "%20")


def test_imported_images_are_served(client: Any) -> None:
    with client.get("/media/zendesk/360001/router.png") as response:
        assert response.status_code == 200 and response.data == PNG
        assert response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "public" in response.headers["Cache-Control"]


def test_scriptable_files_are_sandboxed(client: Any) -> None:
    with client.get("/media/zendesk/360001/guide.svg") as response:
        assert response.status_code == 200
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "script-src" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("relative", sorted(FILES))
def test_anonymous_get_only_files_customer_content_links(client: Any, relative: str) -> None:
    """Agent-only and unlinked files answer exactly as a missing file does."""
    with client.get("/media/zendesk/360001/missing.png") as missing:
        unknown = missing.get_data(as_text=True).replace("missing.png", "NAME")
    with client.get(url(relative)) as response:
        assert "Authorization" in response.headers["Vary"]  # a cache keys on the credentials
        if FILES[relative] == "public":
            assert response.status_code == 200 and response.data == PNG or relative.endswith(".svg")
        else:
            name = url(relative).rsplit("/", 1)[1]
            assert response.status_code == 404, relative
            assert response.get_data(as_text=True).replace(name, "NAME") == unknown
            assert response.headers["Vary"] == missing.headers["Vary"] == "Authorization, Cookie"


@pytest.mark.parametrize("headers", [AGENT, ADMIN], ids=["agent", "admin"])
def test_agents_and_admins_get_agent_only_files_not_cached_by_others(client: Any,
                                                                      headers: dict[str, str]) -> None:
    for relative, audience in FILES.items():
        with client.get(url(relative), headers=headers) as response:
            assert response.status_code == 200, relative
            if audience != "public":
                assert "private" in response.headers["Cache-Control"]
                assert "public" not in response.headers["Cache-Control"]
                assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
                assert "sandbox" in response.headers["Content-Security-Policy"]


def test_signed_in_console_session_gets_agent_only_files(client: Any) -> None:
    with client.get(url("zendesk/360001/internal.png")) as response:
        assert response.status_code == 404
    client.post("/agent/signin", data={"token": AGENT_TOKEN})
    with client.get(url("zendesk/360001/internal.png")) as response:
        assert response.status_code == 200


def test_a_wrong_token_is_refused_not_downgraded(client: Any) -> None:
    response = client.get(url("zendesk/360001/router.png"), headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_audiences_follow_the_served_version(app: Any, articles: Path, tmp_path: Path) -> None:
    """Made public by a rebuild, the file is served to anonymous callers: a lookup per version."""
    client = app.test_client()
    with client.get(url("zendesk/360001/internal.png")) as response:
        assert response.status_code == 404
    (articles / "billing" / "sheet.md").write_text(article("The sheet", body=INTERNAL_BODY))
    build_index(load_knowledge_base(articles), tmp_path / "index")
    with client.get(url("zendesk/360001/internal.png")) as response:
        assert response.status_code == 200


@pytest.mark.parametrize("path", ["/media/zendesk/360001/page.html", "/media/../_routing.yml",
                                  "/media/%2e%2e/_routing.yml", "/media/..%2fbilling.md",
                                  "/media/zendesk/360001/missing.png", "/media/../billing.md"])
@pytest.mark.parametrize("headers", [{}, AGENT], ids=["anonymous", "agent"])
def test_other_files_and_paths_outside_are_404(client: Any, path: str, headers: dict[str, str]) -> None:
    with client.get(path, headers=headers, follow_redirects=True) as response:
        assert response.status_code == 404, path
        assert b"secret: routing" not in response.data and b"title: x" not in response.data


def test_manifest_reads_markdown_and_html_links() -> None:
    assert linked_media('![a](/media/x/a.png "t") [b](</media/x/b c.pdf>) <img src="/media/x/d%20e.png?v=2">'
                        " [r]: /media/x/r.png#top https://cdn.example/media/x/no.png /x/media/no2.png"
                        " ![out](/media/../_routing.yml)") == {"x/a.png", "x/b c.pdf", "x/d e.png", "x/r.png"}
    assert media_manifest([]) == {}
    both = Article("billing/both", "billing/both.md", "Both", "billing", 0,
                   "![](/media/a.png)\n\n::: internal\n![](/media/a.png) ![](/media/b.png)\n:::")
    assert article_media(both) == {"public": ["a.png"], "internal": ["b.png"]}
    internal = Article("x", "x.md", "X", "billing", 0, "![](/media/a.png)", audience="internal")
    assert article_media(internal) == {"internal": ["a.png"]}
    assert media_manifest([article_media(both)]) == {"a.png": "public", "b.png": "internal"}


def test_incremental_builds_reuse_unchanged_articles_links(articles: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Only changed articles are read for links; the manifest still covers every article."""
    build_index(load_knowledge_base(articles), tmp_path / "index")
    (articles / "billing" / "sheet.md").write_text(article("The sheet", body=INTERNAL_BODY))
    read: list[str] = []
    monkeypatch.setattr("search.indexer.article_media",
                        lambda a: read.append(a.slug) or article_media(a))  # type: ignore[func-returns-value]
    build_index(load_knowledge_base(articles), tmp_path / "index")
    assert read == ["billing/sheet"]
    app = make_app(tmp_path / "index", tmp_path / "instance", ARTICLES_DIR=str(articles))
    with app.test_client() as client:
        for relative, audience in FILES.items():
            public = audience == "public" or relative == "zendesk/360001/internal.png"
            with client.get(url(relative)) as response:
                assert response.status_code == (200 if public else 404), relative
