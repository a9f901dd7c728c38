"""``python build.py translations``: missing and stale translations per language, and marking a
translation current once it matches its source again.

    translations [--lang es] [--format text|json] [--articles DIR]
    translations --mark-current FILE [FILE ...]      FILE: articles/es/..., or a slug es/...

``--mark-current`` writes the source's current hash (kb/translations.py) into the translation's
``source_hash`` line, adding the line after ``translation_of`` when there is none; every other
byte of the file stays as it was. Exit code 1 when a file cannot be marked (each one says why).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from commands.cli import parse
from kb import load_knowledge_base, load_settings
from kb.fmedit import FrontMatterError, set_field
from kb.loader import KnowledgeBase
from kb.model import Article
from kb.translations import languages, missing_translations, source_hash, translation_statuses


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py translations",
                                     description="missing and stale translations per language")
    parser.add_argument("--articles", help="articles folder (default: ARTICLES_DIR)")
    parser.add_argument("--lang", action="append", default=[],
                        help="only this language (repeatable; default: every translated language)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--mark-current", nargs="+", metavar="FILE", default=[],
                        help="record that these translations match their source as it is now")
    return parser


def run(argv: list[str]) -> int:
    """List translations (or mark some current); the exit code."""
    args = parse(_parser(), argv[1:])
    if isinstance(args, int):
        return args
    overrides = {"ARTICLES_DIR": args.articles} if args.articles else {}
    root = Path(load_settings(overrides)["ARTICLES_DIR"])
    if not root.is_dir():
        print(f"Error: articles folder {root} does not exist", file=sys.stderr)
        print("Hint: pass --articles DIR or set KB_ARTICLES_DIR", file=sys.stderr)
        return 1
    kb = load_knowledge_base(root)
    if args.mark_current:
        return mark_current(kb, args.mark_current)
    report = translation_report(kb, args.lang)
    try:
        if args.format == "json":
            json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            print(format_text(report))
    except BrokenPipeError:  # `... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def translation_report(kb: KnowledgeBase, only: list[str] | None = None) -> dict[str, Any]:
    """Per language other than the originals': counts, stale, unmarked and missing translations."""
    statuses = translation_statuses(kb.articles)
    originals = {a.lang for a in kb.articles if not a.translation_of}
    wanted = only or [lang for lang in languages(kb.articles)
                      if lang not in originals or any(s.translation.lang == lang for s in statuses)]
    report: dict[str, Any] = {}
    for lang in wanted:
        mine = [s for s in statuses if s.translation.lang == lang]
        report[lang] = {
            "translations": len(mine),
            "current": sum(s.state == "current" for s in mine),
            "stale": [_entry(s.translation, s.source, s.line) for s in mine if s.state == "stale"],
            "unmarked": [_entry(s.translation, s.source, s.line) for s in mine if s.state == "unmarked"],
            "missing": [{"slug": a.slug, "path": a.path} for a in missing_translations(kb.articles, lang)],
        }
    return {"languages": report}


def _entry(translation: Article, source: Article, line: int) -> dict[str, Any]:
    return {"slug": translation.slug, "path": translation.path, "line": line,
            "source": source.slug, "source_path": source.path}


def format_text(report: dict[str, Any]) -> str:
    """One block per language: a count line, then stale, unmarked and missing articles."""
    blocks = []
    for lang, found in report["languages"].items():
        lines = [f"{lang}: {found['translations']} translation(s), {found['current']} current, "
                 f"{len(found['stale'])} stale, {len(found['unmarked'])} not marked, "
                 f"{len(found['missing'])} missing"]
        lines += [f"  stale     {e['path']}:{e['line']}  (source {e['source']} changed)"
                  for e in found["stale"]]
        lines += [f"  unmarked  {e['path']}:{e['line']}  (of {e['source']})" for e in found["unmarked"]]
        lines += [f"  missing   {e['slug']}  ({e['path']})" for e in found["missing"]]
        blocks.append("\n".join(lines))
    if blocks and any(f["stale"] or f["unmarked"] for f in report["languages"].values()):
        blocks.append("After updating a translation: python build.py translations --mark-current FILE")
    return "\n\n".join(blocks) if blocks else "No translations and no other languages."


def _shown(path: Path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _find(kb: KnowledgeBase, name: str) -> Article | None:
    """The article a command-line name means: a file path, or a path/slug under the articles folder."""
    root = kb.root.resolve()
    candidates = [Path(name), kb.root / name, kb.root / f"{name}.md"]
    for candidate in candidates:
        if candidate.is_file():
            try:
                relative = candidate.resolve().relative_to(root).as_posix()
            except ValueError:
                return None
            return kb.by_slug().get(relative[:-3] if relative.endswith(".md") else relative)
    return None


def mark_current(kb: KnowledgeBase, names: list[str]) -> int:
    """Write each translation's source hash; 1 when any name could not be marked."""
    by_slug = kb.by_slug()
    failed = 0
    for name in names:
        article = _find(kb, name)
        problem = None
        if article is None:
            problem = f"{name}: no article file by this name under {_shown(kb.root)}"
        elif not article.translation_of:
            problem = f"{article.path}: not a translation (it has no 'translation_of')"
        elif article.translation_of not in by_slug:
            problem = f"{article.path}: its source {article.translation_of!r} does not exist"
        if problem or article is None:
            print(f"Error: {problem}", file=sys.stderr)
            failed += 1
            continue
        value = source_hash(by_slug[article.translation_of])
        try:
            changed = _write_hash(kb.root / f"{article.slug}.md", value)
        except (FrontMatterError, OSError, UnicodeDecodeError) as exc:
            print(f"Error: {article.path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{'marked' if changed else 'already current'}: {article.path} "
              f"(source {article.translation_of}, source_hash {value})")
    return 1 if failed else 0


def _write_hash(path: Path, value: str) -> bool:
    """Set ``source_hash`` in the file (atomically, keeping its mode); False when it was already set."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    updated = set_field(text, "source_hash", f'"{value}"', after="translation_of")
    if updated == text:
        return False
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(updated.encode("utf-8"))
    os.chmod(temporary, path.stat().st_mode & 0o7777)
    os.replace(temporary, path)
    return True
