"""What each command group does first: log warnings in one format and parse its arguments."""
from __future__ import annotations

import argparse
import logging

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def start_logging() -> None:
    """Warnings and errors of the library layers on stderr, one line each."""
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or argparse's exit code once it has printed the usage line or help."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
