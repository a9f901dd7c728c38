"""``/media/``: the images and attachments an import copied into ``articles/_media`` are served,
sandboxed; nothing else under the articles folder is."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture()
def client(index_dir: Path, tmp_path: Path) -> Any:
    articles = tmp_path / "articles"
    media = articles / "_media" / "zendesk" / "360001"
    media.mkdir(parents=True)
    (media / "router.png").write_bytes(PNG)
    (media / "guide.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (media / "page.html").write_text("<script>alert(1)</script>")
    (articles / "_routing.yml").write_text("secret: routing\n")
    (articles / "billing.md").write_text("---\ntitle: x\n---\nbody\n")
    return make_app(index_dir, tmp_path / "instance", ARTICLES_DIR=str(articles)).test_client()


def test_imported_images_are_served(client: Any) -> None:
    with client.get("/media/zendesk/360001/router.png") as response:
        assert response.status_code == 200 and response.data == PNG
        assert response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_scriptable_files_are_sandboxed(client: Any) -> None:
    with client.get("/media/zendesk/360001/guide.svg") as response:
        assert response.status_code == 200
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "script-src" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/media/zendesk/360001/page.html", "/media/../_routing.yml",
                                  "/media/%2e%2e/_routing.yml", "/media/..%2fbilling.md",
                                  "/media/zendesk/360001/missing.png", "/media/../billing.md"])
def test_other_files_and_paths_outside_are_404(client: Any, path: str) -> None:
    with client.get(path, follow_redirects=True) as response:
        assert response.status_code == 404, path
        assert b"secret: routing" not in response.data and b"title: x" not in response.data
