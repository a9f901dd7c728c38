"""``python build.py import zendesk|freshdesk|qna|html PATH [--out DIR] [--mapping FILE]
[--dry-run] [--force]``: bring articles in from another help centre (docs/import-export.md)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from commands import build_check
from commands.errors import fail
from kb import load_settings
from kb.imports.pipeline import SOURCES, run_import
from kb.imports.source import BadInput

HELP = {"zendesk": "a Zendesk Guide dump (folder of Help Center API JSON files)",
        "freshdesk": "a Freshdesk Solutions dump (categories, folders, articles JSON)",
        "qna": "a QnA Maker sheet (TSV, CSV or XLSX: Question, Answer, Source, Metadata)",
        "html": "a folder of HTML pages, one article each"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py import",
                                     description="import articles from another help centre")
    sub = parser.add_subparsers(dest="source", required=True)
    for source in SOURCES:
        one = sub.add_parser(source, help=HELP[source])
        one.add_argument("path", type=Path, help=HELP[source])
        one.add_argument("--out", type=Path,
                         help="articles folder to write into (default: ARTICLES_DIR, 'articles')")
        one.add_argument("--mapping", type=Path, help="YAML file mapping categories and sections "
                                                      "to type and level")
        one.add_argument("--mapping-out", type=Path, help="write the mapping used (guesses "
                                                          "included) to this file, to edit")
        one.add_argument("--dry-run", action="store_true", help="show what would be written")
        one.add_argument("--force", action="store_true",
                         help="overwrite articles a writer has edited since the last import")
        one.add_argument("--quiet", "-q", action="store_true", help="only notes and the summary")
        if source in ("qna", "html"):
            one.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")
        if source == "qna":
            one.add_argument("--type", dest="default_type", default="",
                             help="support type for answers without Metadata naming one")
    return parser


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv[1:])
    args.out = args.out or Path(load_settings()["ARTICLES_DIR"])
    options = {k: v for k, v in vars(args).items() if k in ("encoding", "default_type") and v}
    started = time.perf_counter()
    try:
        report, _plan, mapping_yaml = run_import(args.source, args.path, args.out, args.mapping,
                                                 args.dry_run, args.force, **options)
    except BadInput as exc:
        print(f"Error: {exc}", file=sys.stderr)
        print("Hint: nothing was written; fix the input and run the import again", file=sys.stderr)
        return 1
    except OSError as exc:
        return fail("import failed", exc)
    for line in report.lines(verbose=not args.quiet):
        print(line)
    if args.mapping_out:
        args.mapping_out.write_text(mapping_yaml, encoding="utf-8")
        print(f"Mapping written to {args.mapping_out}")
    print(report.summary(time.perf_counter() - started, args.dry_run))
    if args.dry_run:
        return 0
    return _check(args.out)


def _check(out: Path) -> int:
    """Run ``build.py --check`` on the folder written: every problem, with its file and line."""
    if build_check.run(["--check", "--quiet", "--articles", str(out)]) != 0:
        print(f"Error: the imported articles in {out} do not pass 'build.py --check' (problems "
              "above): fix them, or the source, or the mapping, and import again", file=sys.stderr)
        return 1
    print(f"Check: {out} passes 'build.py --check'; build with 'python build.py --articles {out}'")
    return 0
