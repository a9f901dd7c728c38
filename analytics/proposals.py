"""Content-gap proposals as files writers review in git: draft articles and synonym lines.

Drafts: the top zero-result queries, grouped when they use the same words, each group written as
``<out>/<slug>.md`` with ``status: draft`` and the queries as ``questions``. Existing files are
never overwritten.

Synonyms: a zero-result query followed within ``window`` seconds by another search from the same
source whose result was clicked is a rephrasing. With a ``session`` id (random, per browser tab)
one occurrence is enough; without one, a pair must be seen twice, since unrelated visitors on the
same source also search within two minutes of each other.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from analytics.store import Store

WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
STOPWORDS = frozenset("a an and are can do does for how i in is it my of on or the to what why with".split())
TYPE_WORDS = {
    "billing": "bill billing invoice refund payment pay paid charge charged price cost debit fee money".split(),
    "technical": ("error broken not working slow down fault outage connect connection wifi router signal "
                  "reset crash drops dropping disconnect").split(),
    "product": "how set setup change use add enable install activate upgrade plan".split(),
}
TYPES = ("technical", "billing", "product", "general")
PLACEHOLDER = re.compile(r"\[(email|phone|card|ip)\]")


@dataclass
class Draft:
    path: Path
    title: str
    type: str
    questions: list[str]
    searches: int
    written: bool


@dataclass
class SynonymProposal:
    terms: tuple[str, str]
    count: int
    examples: list[tuple[str, str]] = field(default_factory=list)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _key(query: str) -> tuple[str, ...]:
    return tuple(sorted({w for w in words(query) if w not in STOPWORDS})) or (query,)


def slugify(text: str, max_length: int = 60) -> str:
    slug = "-".join(words(text))[:max_length].strip("-")
    return slug or "untitled"


def guess_type(queries: Iterable[str], filter_types: Iterable[str] = ()) -> str:
    """The type the searchers filtered on, else the one whose keywords appear most, else general."""
    filtered = Counter(t for t in filter_types if t in TYPES)
    if filtered:
        return filtered.most_common(1)[0][0]
    found = Counter()
    for query in queries:
        tokens = set(words(query))
        for kind, keywords in TYPE_WORDS.items():
            found[kind] += sum(1 for k in keywords if k in tokens)
    best = found.most_common(1)
    return best[0][0] if best and best[0][1] > 0 else "general"


def draft_articles(store: Store, since: float, out_dir: Path, limit: int = 10,
                   known_questions: Iterable[str] = ()) -> list[Draft]:
    """Write one draft per group of top zero-result queries; existing files are kept."""
    known = {" ".join(words(q)) for q in known_questions}
    rows = store.fetchall("SELECT query, COUNT(*), MIN(day), MAX(day) FROM searches WHERE ts >= ? "
                          "AND results = 0 AND query <> '' GROUP BY query ORDER BY COUNT(*) DESC, query "
                          "LIMIT ?", (since, limit * 10))
    groups: dict[tuple[str, ...], list[tuple[str, int, str, str]]] = {}
    for query, count, first, last in rows:
        if PLACEHOLDER.search(query) or " ".join(words(query)) in known or not words(query):
            continue
        groups.setdefault(_key(query), []).append((query, int(count), first, last))
    ranked = sorted(groups.values(), key=lambda g: (-sum(n for _, n, _, _ in g), g[0][0]))[:limit]
    out_dir.mkdir(parents=True, exist_ok=True)
    drafts = []
    for group in ranked:
        queries = [q for q, _, _, _ in group]
        types = _filter_types(store, since, queries)
        kind = guess_type(queries, types)
        title = queries[0][:1].upper() + queries[0][1:]
        total = sum(n for _, n, _, _ in group)
        path = out_dir / f"{slugify(queries[0])}.md"
        text = _draft_text(title, kind, group)
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            written = True
        except FileExistsError:
            written = False
        drafts.append(Draft(path, title, kind, queries, total, written))
    return drafts


def _filter_types(store: Store, since: float, queries: list[str]) -> list[str]:
    marks = ", ".join("?" * len(queries))
    types: list[str] = []
    for (filters,) in store.fetchall(f"SELECT filters FROM searches WHERE ts >= ? AND results = 0 "
                                     f"AND filters <> '' AND query IN ({marks})", (since, *queries)):
        try:
            types += json.loads(filters).get("type", [])
        except (ValueError, AttributeError):
            continue
    return types


def _draft_text(title: str, kind: str, group: list[tuple[str, int, str, str]]) -> str:
    meta = {"title": title, "type": kind, "level": 0, "status": "draft",
            "questions": [q for q, _, _, _ in group]}
    first, last = min(g[2] for g in group), max(g[3] for g in group)
    lines = [f'- "{q}": {n} search(es) with no results' for q, n, _, _ in group]
    body = ("TODO: write the answer, set the type, level and summary, then remove `status: draft`.\n\n"
            f"Proposed by `python build.py propose` from searches between {first} and {last}:\n\n"
            + "\n".join(lines) + "\n")
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{body}"


def synonym_pairs(store: Store, since: float, window: float = 120.0,
                  known_groups: Iterable[Iterable[str]] = ()) -> list[SynonymProposal]:
    """Rephrasings that led to a click, as word pairs, most frequent first."""
    rows = store.fetchall(
        "SELECT a.query, b.query, a.session FROM searches a JOIN searches b ON b.source = a.source "
        "AND b.ts > a.ts AND b.ts <= a.ts + ? AND b.query <> a.query "
        "AND ((a.session IS NOT NULL AND b.session = a.session) OR (a.session IS NULL AND b.session IS NULL)) "
        "WHERE a.ts >= ? AND a.results = 0 AND b.results > 0 AND EXISTS (SELECT 1 FROM clicks c "
        "WHERE c.query = b.query AND c.source = b.source AND c.ts >= b.ts AND c.ts <= b.ts + ? "
        "AND ((b.session IS NULL AND c.session IS NULL) OR c.session = b.session))",
        (window, since, window))
    known = [set(group) for group in known_groups]
    counts: dict[tuple[str, str], list[int]] = {}
    examples: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for before, after, session in rows:
        terms = _difference(before, after)
        if terms is None or any(set(terms) <= group for group in known):
            continue
        slot = counts.setdefault(terms, [0, 0])
        slot[0 if session else 1] += 1
        if len(examples.setdefault(terms, [])) < 3 and (before, after) not in examples[terms]:
            examples[terms].append((before, after))
    proposals = [SynonymProposal(terms, with_session + without, examples[terms])
                 for terms, (with_session, without) in counts.items() if with_session >= 1 or without >= 2]
    return sorted(proposals, key=lambda p: (-p.count, p.terms))


def _difference(before: str, after: str) -> tuple[str, str] | None:
    """The words that changed (``money back please`` -> ``refund please``: money back / refund)."""
    a, b = words(before), words(after)
    removed = [w for w in a if w not in b and w not in STOPWORDS]
    added = [w for w in b if w not in a and w not in STOPWORDS]
    if not removed or not added or len(removed) > 3 or len(added) > 3:
        return None
    pair = sorted((" ".join(removed), " ".join(added)))
    return (pair[0], pair[1])


def write_synonyms(proposals: list[SynonymProposal], out_dir: Path) -> Path | None:
    """``_synonyms.proposed.yml`` (or ``-2``, ``-3``... if it exists); None when nothing to propose."""
    if not proposals:
        return None
    lines = ["# Proposed synonym groups: rephrasings that led to a click. Review, then move the",
             "# lines you agree with into articles/_synonyms.yml.", ""]
    for proposal in proposals:
        seen = "; ".join(f"{a!r} -> {b!r}" for a, b in proposal.examples)
        lines.append(f"- {json.dumps(list(proposal.terms), ensure_ascii=False)}  "
                     f"# {proposal.count}x: {seen}".replace("\n", " "))
    out_dir.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        path = out_dir / ("_synonyms.proposed.yml" if number == 1 else f"_synonyms.proposed-{number}.yml")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
            return path
        except FileExistsError:
            continue
    return None
