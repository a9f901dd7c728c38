"""Write imported articles into an articles folder: stable slugs, idempotent, writers' edits kept.

``_imported.json`` in the folder records, per source id (``zendesk:123``), the slug it was written
to and the hash of the text written. A re-run keeps the slug (even when the title changed),
rewrites only what changed at the source, and leaves a file whose text no longer matches the
recorded hash (a writer edited it), or that a writer deleted or moved, alone unless ``force``.
Everything is rendered and checked before the first file is written; files go through a staging
folder and ``os.replace``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kb.fields import build_article
from kb.imports.files import MEDIA_DIR, Rendered, base_slug, render
from kb.imports.links import link_table
from kb.imports.report import Report
from kb.imports.source import BadInput, SourceArticle
from kb.model import Article
from kb.parse import parse_text
from kb.problems import Problem, errors
from kb.translations import source_hash

MANIFEST = "_imported.json"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Plan:
    """What an import would do: files by slug with their action, media to copy."""

    out: Path
    files: dict[str, tuple[str, str, Rendered]] = field(default_factory=dict)  # slug -> (key, action, file)
    manifest: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_manifest(out: Path) -> dict[str, dict[str, str]]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BadInput(path, "the import manifest is not valid JSON; restore it from git") from None
    return dict(data.get("articles", {})) if isinstance(data, dict) else {}


def _assign_slugs(articles: list[SourceArticle], out: Path,
                  manifest: dict[str, dict[str, str]]) -> dict[str, str]:
    """key -> slug: the recorded one, else a new one that clashes with no file or other article."""
    owned = {entry["slug"] for entry in manifest.values()}
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for article in articles:
        recorded = manifest.get(article.key, {}).get("slug")
        if recorded:
            slugs[article.key] = recorded
            taken.add(recorded)
    for article in articles:
        if article.key in slugs:
            continue
        slug = base_slug(article)
        if slug in taken or slug in owned or (out / f"{slug}.md").exists():
            slug = f"{slug}-{article.source_id}".lower()
        slugs[article.key] = slug
        taken.add(slug)
    return slugs


def plan(articles: list[SourceArticle], out: Path, report: Report, force: bool = False) -> Plan:
    """Render every article and decide, per file, create / update / unchanged / kept."""
    result = Plan(out, manifest=read_manifest(out))
    slugs = _assign_slugs(articles, out, result.manifest)
    by_key = {a.key: a for a in articles}
    links = link_table(articles, slugs)
    built: dict[str, Article] = {}  # key -> the article as written, for its translations' source_hash
    for article in sorted(articles, key=lambda a: bool(a.translation_of)):  # originals first
        translation_of = ""
        if article.translation_of:
            original = by_key.get(f"{article.source}:{article.translation_of}")
            if original is None:
                report.warn(article.source_id, f"translation of {article.translation_of}, which is "
                                               "not in this import: imported as an original", article.origin)
            else:
                translation_of = slugs[original.key]
                _mark_translation(article, built.get(original.key), report)
        related = [by_key.get(f"{article.source}:{rid}") for rid in article.related_ids]
        article.extra["related_slugs"] = [slugs[other.key] for other in related if other is not None]
        slug = slugs[article.key]
        rendered = render(article, slug, translation_of, report, links)
        if rendered is None:
            continue
        action = _action(out, slug, rendered.text, result.manifest.get(article.key), force)
        result.files[slug] = (article.key, action, rendered)
        if action == "kept" and not (out / f"{slug}.md").exists():
            report.warn(article.source_id, f"{slug}.md was deleted or moved since the import: not "
                                           "written again (--force writes it)", article.origin)
        parsed = parse_text(rendered.text, f"{slug}.md")
        if isinstance(parsed, Problem):
            found = [parsed]
        else:
            built[article.key], found = build_article(parsed, slug, f"{slug}.md", "")
        for problem in errors(found):
            report.warn(article.source_id, f"{problem.field}: {problem.message}", article.origin)
    for slug, (key, action, _) in sorted(result.files.items()):
        report.actions.append((action, slug, key.split(":", 2)[1]))
    return result


def _mark_translation(article: SourceArticle, original: Article | None, report: Report) -> None:
    """A translation the source calls up to date records its original's ``source_hash`` (it starts
    ``current``); one it calls outdated is left unmarked, and said so."""
    if article.up_to_date and original is not None:
        article.extra["source_hash"] = source_hash(original)
    elif article.source == "zendesk" and not article.up_to_date:
        report.warn(article.source_id, f"the {article.lang} translation is outdated at the source: "
                                       "update it, then 'build.py translations --mark-current'",
                    article.origin)


def _action(out: Path, slug: str, text: str, recorded: dict[str, str] | None, force: bool) -> str:
    path = out / f"{slug}.md"
    if not path.exists():  # new, or deleted (or moved) by a writer since it was imported
        return "kept" if recorded is not None and not force else "create"
    current = path.read_text(encoding="utf-8", errors="replace")
    if current == text:
        return "unchanged"
    if recorded is not None and text_hash(current) != recorded.get("hash") and not force:
        return "kept"
    return "update"


def write(result: Plan, report: Report) -> None:
    """Write the planned files and media, then the manifest; nothing is touched before all is staged."""
    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=out))
    try:
        moves: list[tuple[Path, Path]] = []
        for slug, (key, action, rendered) in result.files.items():
            if action in ("create", "update"):
                staged = staging / f"{slug}.md"
                staged.parent.mkdir(parents=True, exist_ok=True)
                staged.write_text(rendered.text, encoding="utf-8")
                moves.append((staged, out / f"{slug}.md"))
            for source, target in rendered.media.items():
                staged = staging / MEDIA_DIR / target
                if staged.exists():
                    continue  # several articles show the same image
                if not (out / MEDIA_DIR / target).exists() or action == "update":
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, staged)
                    moves.append((staged, out / MEDIA_DIR / target))
                    report.copied.append(target)
            if action != "kept":
                result.manifest[key] = {"slug": slug, "hash": text_hash(rendered.text)}
        for staged, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        manifest = json.dumps({"version": 1, "articles": dict(sorted(result.manifest.items()))},
                              indent=1, ensure_ascii=False)
        (staging / MANIFEST).write_text(manifest + "\n", encoding="utf-8")
        os.replace(staging / MANIFEST, out / MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
