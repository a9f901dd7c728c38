"""``python build.py merge [--index DIR] [--force] [--quiet]``: merge the served index version's
small segments (and purge deleted documents) into a new version, published without blocking
builds (search/merging.py). ``build.py`` starts it in the background when a merge is due; run it
from a schedule (cron, CI) instead with ``build.py --no-merge``."""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from commands.cli import start_logging
from commands.errors import fail
from kb import load_settings

BUILD_PY = Path(__file__).resolve().parent.parent / "build.py"
LOG_FILE = ".merge.log"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py merge", description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: INDEX_DIR)")
    parser.add_argument("--force", action="store_true", help="merge every segment into one")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing when all is well")
    return parser


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv[1:])
    start_logging()
    index = Path(load_settings({"INDEX_DIR": args.index} if args.index else {})["INDEX_DIR"])
    from search.merging import merge_index  # noqa: PLC0415
    try:
        summary = merge_index(index, force=args.force)
    except Exception as exc:  # noqa: BLE001  (the served version is untouched; say why)
        logging.getLogger("build").debug("merge failed", exc_info=True)
        return fail("merge failed, the served index is unchanged", exc)
    if summary.version is not None:
        if not args.quiet:
            print(f"Merged into {summary.version}: {summary.segments_before} segment(s) -> "
                  f"{summary.segments_after}")
    elif not args.quiet:
        print(f"Nothing merged: {summary.reason}")
    return 0


def start_background(index: Path) -> None:
    """Start ``build.py merge`` detached from this process (its output in INDEX_DIR/.merge.log)."""
    with open(index / LOG_FILE, "ab") as log:
        subprocess.Popen([sys.executable, str(BUILD_PY), "merge", "--index", str(index), "--quiet"],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
