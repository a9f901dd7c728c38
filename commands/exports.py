"""``python build.py export zendesk --out DIR [--include-internal]`` and ``python build.py export
json [--out FILE]``: the articles out again (docs/import-export.md)."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from commands.errors import fail
from kb import Article, load_knowledge_base, load_settings
from kb.exports import json_dump, zendesk
from kb.imports.files import MEDIA_DIR
from kb.imports.source import BadInput
from kb.imports.writer import read_manifest
from search.viewer import ANONYMOUS
from search.visibility import may_see


def customer_visible(article: Article) -> bool:
    """What an anonymous customer may see, asked of the one visibility check."""
    return may_see(ANONYMOUS, {"audience": article.audience})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py export", description="export the articles")
    sub = parser.add_subparsers(dest="format", required=True)
    one = sub.add_parser("zendesk", help="a Zendesk Guide dump (Help Center API JSON)")
    one.add_argument("--out", type=Path, required=True, help="folder to write the JSON files into")
    one.add_argument("--include-internal", action="store_true",
                     help="also agent-only articles (staff user segment) and internal blocks")
    two = sub.add_parser("json", help="all public articles with their fields, as one JSON document")
    two.add_argument("--out", type=Path, help="file to write (default: standard output)")
    for each in (one, two):
        each.add_argument("--articles", help="articles folder (default: ARTICLES_DIR)")
        each.add_argument("--site-url", help="absolute URLs on this site (default: SITE_URL)")
    return parser


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv[1:])
    settings = load_settings({"ARTICLES_DIR": args.articles} if args.articles else {})
    site_url = str(args.site_url if args.site_url is not None else settings.get("SITE_URL") or "")
    kb = load_knowledge_base(settings["ARTICLES_DIR"])
    try:
        if args.format == "json":
            return _json(kb, args.out, site_url.rstrip("/"))
        return _zendesk(kb, args.out, args.include_internal, site_url.rstrip("/"))
    except BadInput as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        return fail("export failed", exc)


def _json(kb: Any, out: Path | None, site_url: str) -> int:
    text = json.dumps(json_dump.export(kb, customer_visible, site_url), indent=1, ensure_ascii=False)
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        print(f"Exported {json.loads(text)['count']} public articles to {out}", file=sys.stderr)
    return 0


def _zendesk(kb: Any, out: Path, include_internal: bool, site_url: str) -> int:
    dump = zendesk.export(kb, read_manifest(Path(kb.root)), customer_visible, include_internal, site_url)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    try:
        for name, data in dump.files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            text = data if isinstance(data, str) else json.dumps(data, indent=1, ensure_ascii=False) + "\n"
            target.write_text(text, encoding="utf-8")
        media = Path(kb.root) / MEDIA_DIR
        if media.is_dir():
            shutil.copytree(media, staging / MEDIA_DIR)
        for item in sorted(staging.iterdir()):
            final = out / item.name
            if final.is_dir():
                shutil.rmtree(final)
            item.replace(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for slug, why in dump.left_out:
        print(f"left out {slug}: {why}")
    print(f"Exported {dump.exported} articles to {out} ({len(dump.left_out)} left out)")
    return 0
