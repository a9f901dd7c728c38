"""Imports run one way: kb <- search <- web. kb needs neither Flask nor Whoosh; only search/ uses whoosh."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Top-level folders whose Python files are the project's own code (tests may reach into anything).
SOURCE_DIRS = ("kb", "search", "web", "analytics", "bench", "commands")
SOURCE_FILES = ("build.py",)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def source_files() -> list[Path]:
    files = [ROOT / name for name in SOURCE_FILES if (ROOT / name).exists()]
    for folder in SOURCE_DIRS:
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def test_importing_kb_loads_neither_flask_nor_whoosh() -> None:
    code = ("import kb, kb.loader, kb.validate, kb.markup, kb.routing, kb.golden, sys; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'whoosh', 'search', "
            "'web'}); "
            "assert not bad, bad")
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_only_search_and_bench_import_whoosh() -> None:
    offenders = [str(path.relative_to(ROOT)) for path in source_files()
                 if path.relative_to(ROOT).parts[0] not in {"search", "bench"}
                 and any(m.split(".")[0] == "whoosh" for m in imported_modules(path))]
    assert offenders == []
    assert any(m.startswith("whoosh") for m in imported_modules(ROOT / "search" / "postings.py"))


def test_kb_imports_nothing_from_search_or_web() -> None:
    banned = {"search", "web", "flask", "whoosh"}
    offenders = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path)
                                                       if m.split(".")[0] in banned)
                 for path in sorted((ROOT / "kb").rglob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_search_does_not_import_web_or_flask() -> None:
    offenders = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path)
                                                       if m.split(".")[0] in {"web", "flask"})
                 for path in sorted((ROOT / "search").rglob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_web_imports_neither_commands_nor_bench() -> None:
    """The app (and its MCP server, web/mcp) never reaches into the command line or benchmarks."""
    offenders = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path)
                                                       if m.split(".")[0] in {"commands", "bench"})
                 for path in sorted((ROOT / "web").rglob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert (ROOT / "web" / "mcp" / "server.py").exists()
