"""``python build.py report|propose ...``: analytics reports and content-gap proposals.

    report  [--since 30d] [--format table|csv|json] [--limit N] [--apply-proposals SLUG]
    propose --out DIR [--since 30d] [--limit N] [--window 120]

Reads the same settings as the app (``KB_ANALYTICS_URL``, ``KB_INSTANCE_DIR``, ``KB_ARTICLES_DIR``).
Errors are one ``Error: ...`` line on stderr and exit code 1 (2 for bad arguments).
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from analytics import open_store, resolve_url
from analytics.learning import question_proposals, successes
from analytics.proposals import draft_articles, synonym_pairs, write_synonyms
from analytics.reports import Report, parse_since
from analytics.retention import purge
from analytics.store import StoreError, redact
from analytics.usage import insight_reports
from commands.cli import parse, start_logging
from commands.errors import fail
from kb.fmedit import FrontMatterError, add_list_items, yaml_item
from kb.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py", description="supportkb analytics reports")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="print the writer reports")
    report.add_argument("--since", default="30d", help="period: 30d, 12h, 2w (default 30d)")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.add_argument("--limit", type=int, default=20, help="rows per report (default 20)")
    report.add_argument("--apply-proposals", metavar="SLUG", default=None,
                        help="add the proposed alternate questions of SLUG to its front matter")
    propose = sub.add_parser("propose", help="draft articles and synonym lines for content gaps")
    propose.add_argument("--out", required=True, help="folder for the drafts (created if missing)")
    propose.add_argument("--since", default="30d")
    propose.add_argument("--limit", type=int, default=10, help="number of drafts (default 10)")
    propose.add_argument("--window", type=float, default=120.0,
                         help="seconds between a failed search and its rephrasing (default 120)")
    return parser


def run(argv: list[str]) -> int:
    """Run ``report`` or ``propose``; the exit code."""
    start_logging()
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    settings = load_settings()
    try:
        if args.limit < 1:
            raise ValueError("--limit must be 1 or more")
        since = time.time() - parse_since(args.since)
        url = resolve_url(settings["ANALYTICS_URL"], settings["INSTANCE_DIR"])
        store = open_store(url)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        return fail(None, exc)
    except OSError as exc:
        return fail("cannot open the analytics store", exc)
    try:
        if args.command == "report":
            return _report(args, settings, store, since)
        return _propose(args, settings, store, since)
    except BrokenPipeError:  # `... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001  (a writer sees one line, not a traceback)
        logging.getLogger("commands").debug("failed", exc_info=True)
        return fail(f"{args.command} failed on {redact(url)}", exc)
    finally:
        store.close()


def _knowledge_base(settings: dict[str, Any]) -> Any | None:
    from kb import load_knowledge_base  # noqa: PLC0415
    root = Path(settings["ARTICLES_DIR"])
    return load_knowledge_base(root) if root.is_dir() else None


def _report(args: argparse.Namespace, settings: dict[str, Any], store: Any, since: float) -> int:
    purge(store, int(settings["ANALYTICS_RETENTION_DAYS"]))
    kb = _knowledge_base(settings)
    lookup = kb.by_slug().get if kb else None
    min_sessions = int(settings["PROPOSAL_MIN_SESSIONS"])
    if args.apply_proposals is not None:
        return apply_proposals(kb, store, since, args.apply_proposals, min_sessions)
    reports = insight_reports(store, since, kb.articles if kb else None, limit=args.limit, lookup=lookup,
                              min_sessions=min_sessions, synonyms=kb.synonyms if kb else ())
    if args.format == "json":
        json.dump({"since": args.since, "reports": [r.as_dict() for r in reports]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        write_csv(reports, sys.stdout)
    else:
        print("\n\n".join(format_table(r, args.limit) for r in reports))
        pasted = questions_yaml(next((r for r in reports if r.name == "proposed_questions"), None), kb)
        if pasted:
            print("\n" + pasted)
    return 0


def questions_yaml(report: Report | None, kb: Any) -> str:
    """Per article with proposals: its file and the ``questions`` lines to paste (or apply)."""
    if report is None or not report.rows or kb is None:
        return ""
    by_slug = kb.by_slug()
    grouped: dict[str, list[str]] = {}
    for slug, question, *_counts in report.rows:
        grouped.setdefault(slug, []).append(question)
    out = [("To accept proposed questions, add them under `questions:` and commit, or run "
            "`python build.py report --apply-proposals SLUG`:")]
    for slug, questions in grouped.items():
        out.append(f"\n# {by_slug[slug].path} ({slug})\nquestions:")
        out += [f"  - {yaml_item(q)}" for q in [*by_slug[slug].questions, *questions]]
    return "\n".join(out)


def apply_proposals(kb: Any, store: Any, since: float, slug: str, min_sessions: int) -> int:
    """Append the proposed alternate questions of ``slug`` to its file, nothing else changed."""
    article = kb.by_slug().get(slug) if kb else None
    if article is None:
        print(f"Error: {slug}: no such article under the articles folder", file=sys.stderr)
        return 1
    found = [p.question for p in question_proposals(successes(store, since), kb.by_slug().get, min_sessions)
             if p.slug == slug]
    if not found:
        print(f"no proposed questions for {slug}")
        return 0
    path = Path(kb.root) / f"{slug}.md"
    try:
        text = path.read_bytes().decode("utf-8")
        updated = add_list_items(text, "questions", found, after="title")
    except (FrontMatterError, OSError, UnicodeDecodeError) as exc:
        print(f"Error: {article.path}: {exc}", file=sys.stderr)
        return 1
    path.write_bytes(updated.encode("utf-8"))
    print(f"added {len(found)} question(s) to {article.path}: {'; '.join(found)}. "
          "Review with git diff, check with python build.py --check, then commit.")
    return 0


def write_csv(reports: list[Report], out: Any) -> None:
    """One CSV: ``report`` names the table, then its columns, one row per line."""
    writer = csv.writer(out, lineterminator="\n")
    for report in reports:
        writer.writerow(["report", *report.columns])
        for row in report.rows:
            writer.writerow([report.name, *row])


def format_table(report: Report, max_rows: int | None = None) -> str:
    """A plain-text table under the report's title; long reports are cut after ``max_rows``."""
    shown = report.rows if max_rows is None or report.name == "daily_volume" else report.rows[:max_rows]
    cells = [[str(c) for c in report.columns]] + [[str(v) for v in row] for row in shown]
    widths = [min(max(len(row[i]) for row in cells), 60) for i in range(len(report.columns))]
    lines = [f"{report.title} ({len(report.rows)})",
             "  ".join(c.ljust(w) for c, w in zip(cells[0], widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells[1:]:
        lines.append("  ".join((v if len(v) <= w else v[:w - 1] + "…").ljust(w)
                               for v, w in zip(row, widths)).rstrip())
    if not report.rows:
        lines.append("(none)")
    elif len(shown) < len(report.rows):
        lines.append(f"... {len(report.rows) - len(shown)} more (--format csv or json lists all)")
    return "\n".join(lines)


def _propose(args: argparse.Namespace, settings: dict[str, Any], store: Any, since: float) -> int:
    from kb import load_knowledge_base  # noqa: PLC0415
    out = Path(args.out)
    root = Path(settings["ARTICLES_DIR"])
    kb = load_knowledge_base(root) if root.is_dir() else None
    known = [q for a in kb.articles for q in (*a.questions, a.title)] if kb else []
    drafts = draft_articles(store, since, out, limit=args.limit, known_questions=known)
    for draft in drafts:
        state = "wrote" if draft.written else "kept existing"
        print(f"{state} {draft.path} ({draft.type}, {draft.searches} searches: {'; '.join(draft.questions)})")
    pairs = synonym_pairs(store, since, args.window, kb.synonyms if kb else ())
    path = write_synonyms(pairs, out)
    if path:
        print(f"wrote {path} ({len(pairs)} synonym proposal(s))")
    print(f"{sum(d.written for d in drafts)} draft(s) written, {sum(not d.written for d in drafts)} kept, "
          f"{len(pairs)} synonym proposal(s). Review them with git diff / git status.")
    return 0
