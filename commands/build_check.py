"""``python build.py [--check] [--strict] [--full] [--articles DIR] [--index DIR]``: validate the
articles and build the search index (incremental by default), or only check them (pre-commit, CI)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.cli import start_logging
from commands.errors import fail
from kb import load_knowledge_base, load_settings, validate
from kb.loader import KnowledgeBase
from kb.problems import Problem, errors, warnings
from kb.titles import NearTitles

if TYPE_CHECKING:
    from search.indexer import BuildSummary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="supportkb: validate articles and build the index")
    parser.add_argument("--articles", help="articles folder (default: ARTICLES_DIR)")
    parser.add_argument("--index", help="index folder (default: INDEX_DIR)")
    parser.add_argument("--check", action="store_true", help="validate only, do not build")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--full", action="store_true", help="rebuild every article")
    parser.add_argument("--no-golden", action="store_true",
                        help="with --check: skip the golden relevance queries (_queries.yml)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    parser.add_argument("--no-merge", action="store_true",
                        help="do not start a background merge of small segments (run "
                             "'build.py merge' on a schedule instead)")
    return parser


def _report(problems: list, strict: bool) -> int:
    """Print every problem and a count line; the number of failing problems."""
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    failing = len(errors(problems)) + (len(warnings(problems)) if strict else 0)
    return failing


def shown(path: str) -> str:
    """A folder as the user sees it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _merge_if_due(index: Path, version: str) -> None:
    """Start a background merge when segments pile up (search/merging.py); never fails a build."""
    from commands.merge import start_background  # noqa: PLC0415
    from search.merging import merge_due  # noqa: PLC0415
    from search.store import version_dir  # noqa: PLC0415
    try:
        if merge_due(version_dir(index, version)):
            start_background(index)
    except Exception:  # noqa: BLE001  (the version is published; a merge is only an optimisation)
        logging.getLogger("build").warning("could not start a background merge", exc_info=True)


@dataclass
class Checked:
    """A loaded and validated knowledge base: what a build publishes, with every problem found."""

    kb: KnowledgeBase
    titles: NearTitles
    problems: list[Problem]

    def failing(self, strict: bool = False) -> int:
        """How many problems stop a build (warnings too when ``strict``)."""
        return len(errors(self.problems)) + (len(warnings(self.problems)) if strict else 0)


def check(settings: dict[str, Any], progress: bool = False) -> Checked:
    """Load and validate ``ARTICLES_DIR``, with the parse cache kept in ``INDEX_DIR``."""
    kb = load_knowledge_base(settings["ARTICLES_DIR"], cache_dir=settings["INDEX_DIR"],
                             progress=progress)
    titles = NearTitles(Path(settings["INDEX_DIR"]) / ".near-titles.json")
    return Checked(kb, titles, validate(kb, titles=titles, progress=progress))


def publish(checked: Checked, settings: dict[str, Any], full: bool = False,
            progress: bool = False) -> BuildSummary:
    """Index ``checked`` (incrementally unless ``full``) and publish it as the served version.

    The one build path of ``python build.py`` and of the preview server (``commands/serve.py``).
    Exceptions propagate; the served version is untouched by them (``search.store``)."""
    from search.indexer import build_index  # noqa: PLC0415
    summary = build_index(checked.kb, Path(settings["INDEX_DIR"]), full=full, progress=progress)
    checked.titles.save()
    checked.kb.cache.save(create=True)  # the first build made the index folder: remember parsed files
    return summary


def built_line(summary: BuildSummary, problems: list[Problem], seconds: float) -> str:
    """``Built VERSION: 141 articles, ... 0.6s``: the line a successful build prints."""
    return (f"Built {summary.version}: {summary.articles} articles, {summary.languages} language(s), "
            f"{summary.changed} changed, {summary.removed} removed, {len(errors(problems))} errors, "
            f"{len(warnings(problems))} warnings, {seconds:.1f}s")


def run(argv: list[str]) -> int:
    """Validate the articles, then build and publish the index (or only check, with --check)."""
    args = _parser().parse_args(argv)
    start_logging()
    overrides = {k: v for k, v in {"ARTICLES_DIR": args.articles, "INDEX_DIR": args.index}.items() if v}
    settings = load_settings(overrides)
    started = time.perf_counter()
    checked = check(settings, progress=not args.quiet)
    kb, problems = checked.kb, checked.problems
    if not args.check:
        return _build(settings, args, checked, started)
    if not errors(problems) and not args.no_golden and kb.golden:
        from search.golden import check_golden  # noqa: PLC0415
        try:
            problems += check_golden(kb, Path(settings["INDEX_DIR"]))
        except Exception as exc:  # noqa: BLE001  (e.g. disk full for the scratch index; say why)
            logging.getLogger("build").debug("golden queries failed", exc_info=True)
            _report(problems, args.strict)
            return fail("cannot run the golden queries", exc)
    failing = _report(problems, args.strict)
    n_err, n_warn = len(errors(problems)), len(warnings(problems))
    if failing:
        print(f"Error: {n_err} error(s), {n_warn} warning(s) in {shown(settings['ARTICLES_DIR'])}; "
              "check failed", file=sys.stderr)
        return 1
    kb.cache.save(create=True)
    print(f"OK: {len(kb.articles)} articles, {n_err} errors, {n_warn} warnings "
          f"({time.perf_counter() - started:.1f}s)")
    return 0


def _build(settings: dict[str, Any], args: argparse.Namespace, checked: Checked, started: float) -> int:
    _report(checked.problems, args.strict)
    n_err, n_warn = len(errors(checked.problems)), len(warnings(checked.problems))
    if checked.failing(args.strict):
        print(f"Error: {n_err} error(s), {n_warn} warning(s) in {shown(settings['ARTICLES_DIR'])}; "
              "nothing built", file=sys.stderr)
        return 1
    try:
        summary = publish(checked, settings, full=args.full, progress=not args.quiet)
    except Exception as exc:  # noqa: BLE001  (the served index is untouched; say why)
        logging.getLogger("build").debug("build failed", exc_info=True)
        return fail("build failed, the served index is unchanged", exc)
    if not args.no_merge and not summary.full:
        _merge_if_due(Path(settings["INDEX_DIR"]), summary.version)
    print(built_line(summary, checked.problems, time.perf_counter() - started))
    return 0
