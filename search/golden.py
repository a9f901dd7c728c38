"""Run the writers' golden queries against a scratch index of the current articles."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from kb.golden import golden_path
from kb.loader import KnowledgeBase
from kb.problems import Problem
from search.engine import Engine
from search.indexer import build_index
from search.store import current_version, publish, version_dir
from search.types import SearchRequest
from search.viewer import AGENT, ANONYMOUS


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def seed_scratch(scratch: Path, served: Path | None) -> None:
    """Start the scratch index from the served version, so the build only redoes the articles
    that changed (and re-embeds only those). Its files are hard-linked (copied across file
    systems): a build never writes into an existing file of a version (search/segments.py,
    search/semantic/shards.py), so the served index is never touched."""
    name = current_version(served) if served and served.is_dir() else None
    if name is None:
        return
    try:
        shutil.copytree(version_dir(served, name), version_dir(scratch, name),
                        copy_function=_link_or_copy,
                        ignore=shutil.ignore_patterns("*_LOCK", "*WRITELOCK*"))
    except OSError:
        shutil.rmtree(scratch / "versions", ignore_errors=True)  # build from scratch instead
        return
    publish(scratch, name)


def check_golden(kb: KnowledgeBase, served: Path | None = None) -> list[Problem]:
    """A problem for each golden query whose expected article is not within its top ``k``.

    ``served``: the index folder the site serves, reused as the starting point when present."""
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="supportkb-golden-") as scratch:
        seed_scratch(Path(scratch), served)
        # the served index's embedding cache, read only: the changed texts it knows are not re-run
        build_index(kb, Path(scratch), shared_cache=served if served and served.is_dir() else None)
        engine = Engine(scratch)
        try:
            for golden in kb.golden:
                request = SearchRequest(golden.query, limit=max(golden.k, 10),
                                        viewer=AGENT if golden.agent else ANONYMOUS,
                                        langs=[golden.lang] if golden.lang else [],
                                        facets=False, snippets=False)
                slugs = [hit.slug for hit in engine.search(request).results]
                if golden.expect not in slugs[:golden.k]:
                    rank = slugs.index(golden.expect) + 1 if golden.expect in slugs else None
                    found = f"ranked {rank}" if rank else "not in the top 10"
                    problems.append(Problem(
                        golden_path(kb.root), golden.line, "expect",
                        f"query {golden.query!r}: expected {golden.expect!r} in the top {golden.k}, "
                        f"{found} (top: {', '.join(slugs[:3]) or 'nothing'})",
                        "improve the article's title, questions or summary, or the query's k"))
        finally:
            engine.close()
    return problems
