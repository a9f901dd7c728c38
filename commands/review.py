"""``python build.py review``: which articles need checking, grouped by owner.

    review [--articles DIR] [--owner NAME] [--format text|json] [--today YYYY-MM-DD]

Lists the served articles (published or in review) that are overdue, due within the
``due_soon`` window of ``_review.yml`` (14 days by default) or never verified, under each owner
(``owner`` field, else ``_owners``), then every unowned article, then the translations whose
source changed since they were made (stale) or that never recorded it (not marked).

Exit code: 0 when nothing listed is overdue, 1 when at least one is (so a scheduled CI job can
fail), 2 on bad arguments (an ``--owner`` that owns no served article included) or an invalid
``_owners`` / ``_review.yml`` (each problem printed as ``path:line: error: field: ...``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import sys
from typing import Any

from commands.cli import parse
from kb import load_knowledge_base, load_settings
from kb.owners import OWNERS_FILE
from kb.problems import errors
from kb.review import UNOWNED, ReviewEntry, ReviewGroup, counts, group_by_owner, review_entries
from kb.translations import TranslationStatus, translation_statuses
from kb.verification import REVIEW_FILE

SIDE_FILES = (OWNERS_FILE, REVIEW_FILE)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py review",
                                     description="articles due for verification, by owner")
    parser.add_argument("command", choices=("review",), help=argparse.SUPPRESS)
    parser.add_argument("--articles", help="articles folder (default: ARTICLES_DIR)")
    parser.add_argument("--owner", help="only this owner's articles (exact name, e.g. billing-team)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--today", type=_date, default=None,
                        help="assess as of this date (default: today)")
    return parser


def _when(entry: ReviewEntry) -> str:
    if entry.state == "never":
        return f"never verified (every {entry.interval} days)"
    checked = f"verified {entry.verified}" + (f" by {entry.verified_by}" if entry.verified_by else "")
    left = entry.days_left or 0
    if left < 0:
        return f"{checked}, due {entry.due} ({-left} days overdue)"
    return f"{checked}, due {entry.due} (in {left} days)"


def _translation_line(status: TranslationStatus) -> str:
    state = "stale" if status.state == "stale" else "unmarked"
    return (f"  {state:<8} {status.translation.slug}  translates {status.source.slug} "
            f"({status.translation.path}:{status.line})")


def _owner_known(owner: str, entries: list[ReviewEntry]) -> bool:
    """True when some served article has ``owner``; else say so (a typo must not pass as "nothing
    to review" in a scheduled job) with the closest names."""
    known = sorted({name for entry in entries for name in entry.owners})
    if owner in known:
        return True
    print(f"Error: no served article is owned by {owner!r}", file=sys.stderr)
    close = difflib.get_close_matches(owner, known, n=1)
    listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
    print(f"Hint: {f'did you mean {close[0]!r}? ' if close else ''}owners: {listed or '(none)'}",
          file=sys.stderr)
    return False


def format_text(groups: list[ReviewGroup], totals: dict[str, int], today: dt.date,
                due_soon: int, translations: list[TranslationStatus] | None = None) -> str:
    """The list as a writer reads it: one block per owner, then a count line."""
    lines = [f"Verification review on {today} (due: within {due_soon} days)", ""]
    for group in groups:
        name = group.owner if group.owner != UNOWNED else "(no owner)"
        lines.append(f"{name} ({len(group.entries)})")
        width = max(len(e.slug) for e in group.entries)
        for entry in group.entries:
            review = "  [in review]" if entry.status == "review" else ""
            lines.append(f"  {entry.state:<8} {entry.slug:<{width}}  {_when(entry)}{review}")
        lines.append("")
    if not groups:
        lines += ["Nothing to review.", ""]
    if translations:
        lines.append(f"Translations out of date ({len(translations)})")
        lines += [_translation_line(status) for status in translations] + [""]
    lines.append(f"{totals['overdue']} overdue, {totals['due']} due, {totals['never']} never verified, "
                 f"{totals['unowned']} unowned, {totals['ok']} up to date ({totals['articles']} articles)")
    return "\n".join(lines)


def format_json(groups: list[ReviewGroup], totals: dict[str, int], today: dt.date,
                due_soon: int, translations: list[TranslationStatus] | None = None) -> str:
    data: dict[str, Any] = {
        "today": today.isoformat(), "due_soon_days": due_soon, "counts": totals,
        "groups": [{"owner": g.owner or None, "articles": [e.as_dict() for e in g.entries]}
                   for g in groups],
        "translations": [{"slug": t.translation.slug, "source": t.source.slug, "state": t.state,
                          "path": t.translation.path, "line": t.line} for t in translations or []]}
    return json.dumps(data, indent=2, ensure_ascii=False)


def run(argv: list[str]) -> int:
    """Print the review list; 0, or 1 when something is overdue, 2 on bad input."""
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return 2 if args else 0
    overrides = {"ARTICLES_DIR": args.articles} if args.articles else {}
    kb = load_knowledge_base(load_settings(overrides)["ARTICLES_DIR"])
    bad = [p for p in errors(kb.problems) if p.path.endswith(SIDE_FILES) or p.field == "articles"]
    if bad:
        for problem in bad:
            print(problem.format(), file=sys.stderr)
        print(f"Error: {len(bad)} error(s) in the review settings; nothing listed", file=sys.stderr)
        return 2
    today = args.today or dt.date.today()
    entries = review_entries(kb, today)
    if args.owner and not _owner_known(args.owner, entries):
        return 2
    groups = group_by_owner(entries, args.owner)
    shown = [e for g in groups for e in g.entries]
    totals = counts([e for e in entries if args.owner in e.owners] if args.owner else entries)
    owners = {e.slug: e.owners for e in entries}
    translations = [t for t in translation_statuses(kb.articles) if t.state != "current"
                    and (not args.owner or args.owner in owners.get(t.translation.slug, ()))]
    render = format_json if args.format == "json" else format_text
    try:
        print(render(groups, totals, today, kb.review.due_soon, translations))
    except BrokenPipeError:  # `... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if any(e.state == "overdue" for e in shown) else 0
