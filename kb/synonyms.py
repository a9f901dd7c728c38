"""Writer-maintained groups of equivalent terms (``articles/_synonyms.yml``)."""
from __future__ import annotations

from pathlib import Path

from kb.problems import Problem
from kb.yamlfile import read_yaml

SYNONYMS_FILE = "_synonyms.yml"


def load_synonyms(articles_dir: Path) -> tuple[list[list[str]], list[Problem]]:
    """Groups of lowercase terms; a term may be several words (``money back``)."""
    data, problems = read_yaml(articles_dir / SYNONYMS_FILE, SYNONYMS_FILE)
    if data is None:
        return [], problems
    if not isinstance(data, list):
        return [], [Problem(SYNONYMS_FILE, 1, "synonyms", "must be a list of groups",
                            "write one group per line: '- [bill, invoice, statement]'")]
    groups: list[list[str]] = []
    for number, group in enumerate(data, start=1):
        if isinstance(group, str):
            group = [part for part in group.split(",")]
        if not isinstance(group, list) or len(group) < 2:
            problems.append(Problem(SYNONYMS_FILE, number, "synonyms",
                                    f"group {number} needs at least two terms"))
            continue
        terms = [" ".join(str(term).lower().split()) for term in group if str(term).strip()]
        groups.append(list(dict.fromkeys(terms)))
    return groups, problems
