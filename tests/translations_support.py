"""A knowledge base in a real git repository with an English source and its Spanish translation."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.kb_support import article, write_articles

SOURCE = "articles/billing/refunds.md"
TRANSLATION = "articles/es/billing/refunds.md"
INTERNAL_TRANSLATION = "articles/es/billing/invoices.md"
REFUND_BODY = "Refunds go back to the card you paid with within 5 working days."


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity (no user configuration needed)."""
    completed = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Writer", "-c", "user.email=writer@example.org",
         "-c", "commit.gpgsign=false", *args], capture_output=True, text=True, check=True, timeout=60)
    return completed.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def files() -> dict[str, str]:
    """The articles: a source with a Spanish translation, an untranslated source, and an internal
    Spanish translation of a public article (customers must never be sent to it)."""
    return {
        "billing/refunds.md": article("How do I get a refund?", body=REFUND_BODY, tags=["refunds"],
                                      summary="Refunds take 5 working days.",
                                      questions=["can i get my money back"]),
        "es/billing/refunds.md": article("¿Cómo obtengo un reembolso?", lang="es",
                                         translation_of="billing/refunds", tags=["reembolsos"],
                                         body="Los reembolsos vuelven a la tarjeta en 5 días hábiles."),
        "billing/invoices.md": article("Understanding your invoice", tags=["invoice"],
                                       body="Your invoice lists every charge and refund of the month."),
        "es/billing/invoices.md": article("Entender su factura", lang="es", audience="internal",
                                          translation_of="billing/invoices",
                                          body="Borrador interno de la factura y el reembolso."),
    }


def make_repo(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``root`` as a git repository holding ``articles/``, committed; the working directory."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    write_articles(root / "articles", files())
    commit(root, "Articles and a translation")
    monkeypatch.chdir(root)
    for name in ("KB_ARTICLES_DIR", "KB_INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KB_INSTANCE_DIR", str(root.parent / "instance"))  # not the project's instance/
    return root


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    """The 1-based line of the first line starting with ``prefix``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"no line starting with {prefix!r} in {path}")
