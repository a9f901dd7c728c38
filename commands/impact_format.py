"""The impact report as plain text (a terminal) or Markdown (a pull-request comment).

The JSON form is ``Impact.as_dict()`` (its shape is documented in docs/impact.md).
"""
from __future__ import annotations

import html
from typing import Callable, Sequence, TypeVar

from search.impact_report import GoldenOutcome, Impact, Move, QueryChange

#: A comment that marks the pull-request comment, so CI updates it instead of adding another.
MARKER = "<!-- supportkb-impact -->"
#: Markdown lists longer than this are folded in <details>; rows past the row limit are counted
#: only, the limit shrinking until the comment fits GitHub's 65,536 characters.
FOLD_AFTER = 5
ROW_LIMITS = (100, 30, 10, 3)
COMMENT_LIMIT = 60_000
SIGNS = {"gained": "+", "lost": "-", "moved": "~"}
T = TypeVar("T")


def rank(value: int | None) -> str:
    return str(value) if value is not None else "-"


def move_text(move: Move) -> str:
    return f"{SIGNS[move.kind]} {move.slug} ({move.kind} {rank(move.before)} -> {rank(move.after)})"


def golden_text(g: GoldenOutcome) -> str:
    return (f"{g.status.upper()}: {g.query!r} expects {g.expect} in the top {g.k}: "
            f"rank {rank(g.before)} -> {rank(g.after)}")


def _query_label(change: QueryChange) -> str:
    extra = [", ".join(change.sources)]
    if change.searches:
        extra.append(f"{change.searches} searches")
    if change.agent:
        extra.append("agent")
    if change.lang:
        extra.append(change.lang)
    return f"{change.query!r} [{'; '.join(extra)}]"


def article_rows(impact: Impact, name: Callable[[str], str], arrow: str = " -> ") -> list[tuple[str, str]]:
    """(kind, text) per changed article or side file; a status change (published -> archived)
    replaces the plain "changed" row of its article."""
    a = impact.articles
    by_status = {s.slug for s in a.status}
    status = [(s.after, f"{name(s.slug)} (was {s.before}"
               + (f"; replaced by {name(s.replaced_by)})" if s.replaced_by else ")")) for s in a.status]
    return ([("added", name(s)) for s in a.added] + [("removed", name(s)) for s in a.removed]
            + [("renamed", f"{name(old)}{arrow}{name(new)}") for old, new in a.renamed.items()]
            + status + [("changed", name(s)) for s in a.changed if s not in by_status]
            + [("changed", name(s)) for s in a.side_files])


def headline(impact: Impact) -> str:
    """One line: the counts a reviewer looks at first."""
    a = impact.articles
    return (f"{len(a.added)} added, {len(a.removed)} removed, {len(a.changed)} changed, "
            f"{len(a.renamed)} renamed article(s); {impact.queries} queries: "
            f"{len(impact.top3)} change their top 3, {len(impact.now_empty)} now return nothing; "
            f"golden: {impact.golden_count('regressed')} regressed, {impact.golden_count('fixed')} fixed, "
            f"{impact.golden_count('failing')} failing; "
            f"{len(impact.unreached)} article(s) reached by no query")


def format_text(impact: Impact) -> str:
    """The report for a terminal."""
    lines = [f"Search impact of {impact.head} against {impact.base}", headline(impact)]
    rows = [f"  {kind:<8} {text}" for kind, text in article_rows(impact, lambda slug: slug)]
    lines += ["", "Articles:", *(rows or ["  (none)"])]
    golden = [g for g in impact.golden if g.status != "passing"]
    lines += ["", "Golden queries:", *([f"  {golden_text(g)}" for g in golden] or ["  (no change)"])]
    lines += ["", "Top 3 changed:"]
    for change in impact.top3:
        lines.append(f"  {_query_label(change)}")
        lines += [f"      {move_text(m)}" for m in change.moves]
    if not impact.top3:
        lines.append("  (none)")
    lines += ["", "Now returning nothing:"]
    lines += [f"  {_query_label(c)} (was: {', '.join(c.before)})" for c in impact.now_empty] or ["  (none)"]
    if impact.now_answered:
        lines += ["", "Now answered (returned nothing before):"]
        lines += [f"  {_query_label(c)}: {', '.join(c.after)}" for c in impact.now_answered]
    lines += ["", "Articles no query reaches (in no query's top 10):"]
    lines += [f"  {u['slug']} ({u['title']}){' [new]' if u['new'] else ''}" for u in impact.unreached] \
        or ["  (none)"]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text (queries come from customers) safe in a table cell: no HTML, no @mention, no pipe."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|").replace("@", "&#64;")


def _section(title: str, items: Sequence[T], header: str, row: Callable[[T], str],
             open_always: bool = False, max_rows: int = ROW_LIMITS[0]) -> list[str]:
    """A Markdown table under a title, folded in <details> when long."""
    if not items:
        return []
    table = [header, _rule(header)]
    table += [row(item) for item in items[:max_rows]]
    if len(items) > max_rows:
        table.append(f"\n…and {len(items) - max_rows} more (`--format json` lists all)")
    if open_always or len(items) <= FOLD_AFTER:
        return [f"**{title} ({len(items)})**", "", *table, ""]
    return [f"<details><summary><b>{title} ({len(items)})</b></summary>", "", *table, "", "</details>", ""]


def _rule(header: str) -> str:
    return "|" + "---|" * (header.count("|") - 1)


def _md_query(change: QueryChange) -> str:
    tags = ", ".join(change.sources) + (f", {change.searches} searches" if change.searches else "")
    tags += ", agent" if change.agent else ""
    return f"{_cell(change.query)} <sub>{tags}</sub>"


def _md_move(move: Move) -> str:
    arrow = f"{rank(move.before)}→{rank(move.after)}"
    return f"{SIGNS[move.kind]} `{move.slug}` {arrow}"


def format_markdown(impact: Impact) -> str:
    """The report as a compact pull-request comment (shortened until it fits in one comment)."""
    for max_rows in ROW_LIMITS:
        text = _markdown(impact, max_rows)
        if len(text) <= COMMENT_LIMIT:
            break
    return text


def _markdown(impact: Impact, max_rows: int) -> str:
    regressed = impact.golden_count("regressed")
    verdict = f"⚠️ {regressed} golden quer{'y' if regressed == 1 else 'ies'} regressed" if regressed \
        else "✅ no golden query regressed"
    lines = [MARKER, "### Search impact", "", f"{verdict} · base: {_cell(impact.base)}", "",
             headline(impact) + ".", ""]
    golden = [g for g in impact.golden if g.status != "passing"]
    lines += _section("Golden queries", golden, "| status | query | expects | rank before→after |",
                      lambda g: f"| {g.status} | {_cell(g.query)} | `{g.expect}` (top {g.k}) | "
                                f"{rank(g.before)}→{rank(g.after)} |",
                      open_always=bool(regressed), max_rows=max_rows)
    lines += _section("Queries whose top 3 changed", impact.top3, "| query | change |",
                      lambda c: f"| {_md_query(c)} | {'<br>'.join(_md_move(m) for m in c.moves)} |",
                      max_rows=max_rows)
    lines += _section("Queries now returning nothing", impact.now_empty, "| query | returned before |",
                      lambda c: f"| {_md_query(c)} | {', '.join(f'`{s}`' for s in c.before)} |",
                      open_always=True, max_rows=max_rows)
    lines += _section("Articles no query reaches", impact.unreached, "| article | title |",
                      lambda u: f"| `{u['slug']}`{' (new)' if u['new'] else ''} | {_cell(u['title'])} |",
                      open_always=True, max_rows=max_rows)
    lines += _section("Articles changed", article_rows(impact, lambda slug: f"`{slug}`", " → "),
                      "| change | article |", lambda c: f"| {c[0]} | {c[1]} |", max_rows=max_rows)
    if impact.now_answered:
        lines += _section("Queries now answered", impact.now_answered, "| query | top 3 |",
                          lambda c: f"| {_md_query(c)} | {', '.join(f'`{s}`' for s in c.after)} |",
                          max_rows=max_rows)
    lines.append(f"<sub>`python build.py impact` · {impact.seconds.get('total', 0):.1f}s</sub>")
    return "\n".join(lines)
