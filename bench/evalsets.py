"""Shared by the benchmarks: read the shared evaluation sets and write them as articles."""
from __future__ import annotations

import gzip
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

# the shared evaluation sets sit beside the repository; SHARED_EVAL points elsewhere
SHARED = Path(os.environ.get("SHARED_EVAL") or Path(__file__).resolve().parent.parent.parent / "shared" / "eval")
SETS = ("banking77", "clinc150")
SCALE_CORPUS = SHARED / "scale" / "corpus_20k.jsonl.gz"
SCALE_QUERIES = SHARED / "scale" / "queries.txt"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, doc_id, rel = line.split("\t")
            if int(rel) >= 1:
                relevant.setdefault(qid, set()).add(doc_id)
    return relevant


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "doc"


def front_matter(fields: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n\n"


def write_faq_articles(docs: list[dict[str, Any]], folder: Path) -> dict[str, str]:
    """One article per FAQ entry: title, its utterances as alternate questions and as the body.

    Returns the map of article slug to document id."""
    folder.mkdir(parents=True, exist_ok=True)
    slugs: dict[str, str] = {}
    for doc in docs:
        slug = slugify(doc["id"])
        lines = [line.strip() for line in doc["body"].splitlines() if line.strip()]
        fields = {"title": doc["title"], "type": "general", "level": 0, "questions": lines,
                  "tags": [slugify(t) for t in doc.get("tags", [])]}
        body = "Customers ask this as:\n\n" + "\n".join(f"- {line}" for line in lines) + "\n"
        (folder / f"{slug}.md").write_text(front_matter(fields) + body, encoding="utf-8")
        slugs[slug] = doc["id"]
    return slugs


def scale_documents(limit: int) -> Iterator[dict[str, Any]]:
    with gzip.open(SCALE_CORPUS, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number >= limit:
                return
            yield json.loads(line)


def write_scale_articles(limit: int, folder: Path) -> int:
    """The first ``limit`` articles of the 20k-article scale corpus as Markdown files."""
    types = ("technical", "product", "general", "billing")
    count = 0
    for number, doc in enumerate(scale_documents(limit)):
        sub = folder / f"part{number // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        fields = {"title": doc["title"], "type": types[number % 4], "level": number % 3}
        (sub / f"{slugify(doc['id'])[:80]}-{number}.md").write_text(
            front_matter(fields) + doc["body"] + "\n", encoding="utf-8")
        count += 1
    return count


def scale_queries() -> list[str]:
    return [q.strip() for q in SCALE_QUERIES.read_text(encoding="utf-8").splitlines() if q.strip()]


def metrics(rankings: dict[str, list[str]], relevant: dict[str, set[str]]) -> dict[str, float]:
    """recall@1, recall@5, MRR@10 and nDCG@10 (binary gains) over the judged queries."""
    totals = {"recall@1": 0.0, "recall@5": 0.0, "MRR@10": 0.0, "nDCG@10": 0.0}
    judged = [qid for qid in rankings if qid in relevant]
    for qid in judged:
        ranked, wanted = rankings[qid][:10], relevant[qid]
        totals["recall@1"] += len(wanted & set(ranked[:1])) / len(wanted)
        totals["recall@5"] += len(wanted & set(ranked[:5])) / len(wanted)
        first = next((i for i, doc in enumerate(ranked) if doc in wanted), None)
        totals["MRR@10"] += 1 / (first + 1) if first is not None else 0.0
        dcg = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranked) if doc in wanted)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(wanted), 10)))
        totals["nDCG@10"] += dcg / ideal
    return {name: value / max(len(judged), 1) for name, value in totals.items()}
