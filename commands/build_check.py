"""``python build.py [--check] [--strict] [--full] [--articles DIR] [--index DIR]``: validate the
articles and build the search index (incremental by default), or only check them (pre-commit, CI)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from commands.errors import fail
from kb import load_knowledge_base, load_settings, validate
from kb.problems import errors, warnings
from kb.titles import NearTitles


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


def _shown(path: str) -> str:
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


def run(argv: list[str]) -> int:
    """Validate the articles, then build and publish the index (or only check, with --check)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides = {k: v for k, v in {"ARTICLES_DIR": args.articles, "INDEX_DIR": args.index}.items() if v}
    settings = load_settings(overrides)
    started = time.perf_counter()
    kb = load_knowledge_base(settings["ARTICLES_DIR"], cache_dir=settings["INDEX_DIR"],
                             progress=not args.quiet)
    titles = NearTitles(Path(settings["INDEX_DIR"]) / ".near-titles.json")
    problems = validate(kb, titles=titles, progress=not args.quiet)
    if args.check and not errors(problems) and not args.no_golden and kb.golden:
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
        print(f"Error: {n_err} error(s), {n_warn} warning(s) in {_shown(settings['ARTICLES_DIR'])}; "
              f"{'nothing built' if not args.check else 'check failed'}", file=sys.stderr)
        return 1
    if args.check:
        kb.cache.save(create=True)
        print(f"OK: {len(kb.articles)} articles, {n_err} errors, {n_warn} warnings "
              f"({time.perf_counter() - started:.1f}s)")
        return 0
    from search.indexer import build_index  # noqa: PLC0415
    try:
        summary = build_index(kb, Path(settings["INDEX_DIR"]), full=args.full,
                              progress=not args.quiet)
    except Exception as exc:  # noqa: BLE001  (the served index is untouched; say why)
        logging.getLogger("build").debug("build failed", exc_info=True)
        return fail("build failed, the served index is unchanged", exc)
    titles.save()
    kb.cache.save(create=True)  # the first build made the index folder: remember the parsed files
    if not args.no_merge and not summary.full:
        _merge_if_due(Path(settings["INDEX_DIR"]), summary.version)
    print(f"Built {summary.version}: {summary.articles} articles, {summary.languages} language(s), "
          f"{summary.changed} changed, {summary.removed} removed, {n_err} errors, {n_warn} warnings, "
          f"{time.perf_counter() - started:.1f}s")
    return 0
