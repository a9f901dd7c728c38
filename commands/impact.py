"""``python build.py impact``: what a change to the articles does to search, for its review.

    impact [--base REF] [--format text|markdown|json] [--strict] [--analytics-days 30]
           [--analytics-limit 200] [--articles DIR] [--index DIR]

Compares the working tree's articles folder with the same folder at ``--base`` (default: the merge
base of HEAD with the default branch). Exit code 0, or 1 with ``--strict`` when a golden query
that passed on the base fails now; 1 with an ``Error:`` line when git or the base ref fails.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from commands.cli import parse, start_logging
from commands.errors import fail
from kb import load_knowledge_base, load_settings
from kb.changes import compare
from kb.gitrev import GitError, describe, export_folder, merge_base, repo_root, resolve
from kb.problems import errors

log = logging.getLogger("commands.impact")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py impact",
                                     description="the search impact of the working tree's changes")
    parser.add_argument("command", choices=["impact"], help=argparse.SUPPRESS)
    parser.add_argument("--base", help="git revision to compare with (default: the merge base of "
                                       "HEAD with origin/HEAD, main or master)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a golden query that passed on the base fails now")
    parser.add_argument("--analytics-days", type=int, default=30,
                        help="also run the most frequent searches of this many days (0: none)")
    parser.add_argument("--analytics-limit", type=int, default=200,
                        help="how many of the most frequent searches (default 200)")
    parser.add_argument("--articles", help="articles folder (default: ARTICLES_DIR)")
    parser.add_argument("--index", help="served index, reused to build faster (default: INDEX_DIR)")
    return parser


def popular_searches(settings: dict[str, Any], days: int, limit: int) -> list[tuple[str, int]]:
    """The most frequent searches of the last ``days`` days, when an analytics store is configured
    (``ANALYTICS_URL``, or the default SQLite file exists); [] otherwise or when it cannot be read."""
    if days <= 0 or limit <= 0:
        return []
    from analytics import open_store, resolve_url  # noqa: PLC0415
    from analytics.reports import top_searches  # noqa: PLC0415
    from analytics.store import StoreError, redact  # noqa: PLC0415
    url = resolve_url(settings["ANALYTICS_URL"], settings["INSTANCE_DIR"])
    if not settings["ANALYTICS_URL"] and not Path(url[len("sqlite:///"):]).is_file():
        return []
    try:
        store = open_store(url, migrate=False)
        try:
            report = top_searches(store, time.time() - days * 86400, limit)
        finally:
            store.close()
    except (StoreError, OSError, RuntimeError, ValueError) as exc:
        print(f"Warning: real searches left out, cannot read {redact(url)}: {exc}", file=sys.stderr)
        return []
    except Exception as exc:  # noqa: BLE001  (database driver errors: the report goes on without them)
        log.debug("analytics failed", exc_info=True)
        print(f"Warning: real searches left out, cannot read {redact(url)}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return []
    return [(str(row[0]), int(row[1])) for row in report.rows]


def _base(repo: Path, ref: str | None) -> tuple[str, str]:
    """The base commit and how the report names it."""
    if ref:
        commit = resolve(repo, ref)
        return commit, f"{ref} ({describe(repo, commit)})"
    branch, commit = merge_base(repo)
    return commit, f"merge base with {branch} ({describe(repo, commit)})"


def run(argv: list[str]) -> int:
    """Build both sides, run the queries, print the report; the exit code."""
    start_logging()
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    overrides = {k: v for k, v in {"ARTICLES_DIR": args.articles, "INDEX_DIR": args.index}.items() if v}
    settings = load_settings(overrides)
    articles = Path(settings["ARTICLES_DIR"])
    try:
        repo = repo_root(articles)
        commit, base_name = _base(repo, args.base)
    except GitError as exc:
        return fail(None, exc)
    head = load_knowledge_base(articles)
    if errors(head.problems):
        print(f"Warning: {len(errors(head.problems))} problem(s) in {articles}: those files are left out "
              "(python build.py --check lists them)", file=sys.stderr)
    popular = popular_searches(settings, args.analytics_days, args.analytics_limit)
    from search.impact import measure_impact  # noqa: PLC0415  (loads Whoosh only when needed)
    from search.semantic.dense import Settings  # noqa: PLC0415
    if sys.stderr.isatty():
        print(f"Comparing with {base_name}: building both sides and running the queries...",
              file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="supportkb-base-") as scratch:
            base_dir = Path(scratch) / "articles"
            export_folder(articles, commit, base_dir)
            base = load_knowledge_base(base_dir)
            impact = measure_impact(base, head, compare(base, head), popular,
                                    served=Path(settings["INDEX_DIR"]),
                                    semantic=Settings.from_config(settings),
                                    names=(base_name, "the working tree"))
    except GitError as exc:
        return fail(None, exc)
    except Exception as exc:  # noqa: BLE001  (a writer sees one line, not a traceback)
        log.debug("impact failed", exc_info=True)
        return fail("impact failed", exc)
    try:
        if args.format == "json":
            print(json.dumps(impact.as_dict(), indent=2, ensure_ascii=False))
        else:
            from commands.impact_format import format_markdown, format_text  # noqa: PLC0415
            print(format_markdown(impact) if args.format == "markdown" else format_text(impact))
    except BrokenPipeError:  # `... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if args.strict and impact.regressions:
        print(f"Error: {len(impact.regressions)} golden query(ies) passed on the base and fail now",
              file=sys.stderr)
        return 1
    return 0
