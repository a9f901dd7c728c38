"""``python build.py token create NAME | revoke ID | list``: agent API tokens (stored hashed)."""
from __future__ import annotations

import argparse
import sys

from commands.cli import parse, start_logging
from kb.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py token", description="supportkb agent API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("create").add_argument("name")
    actions.add_parser("revoke").add_argument("token_id")
    actions.add_parser("list")
    return parser


def run(argv: list[str]) -> int:
    """Create, revoke or list agent tokens; the exit code."""
    start_logging()
    args = parse(_parser(), argv[1:])
    if isinstance(args, int):
        return args
    return _token(args, load_settings())


def _token(args: argparse.Namespace, settings: dict) -> int:
    from web.shared.tokens import TokenStore, token_file  # noqa: PLC0415
    tokens = TokenStore(token_file(settings))
    if args.action == "create":
        entry, token = tokens.create(args.name)
        print(f"Created token {entry.id} for {entry.name!r}. Copy it now; it is not stored:")
        print(token)
    elif args.action == "revoke":
        if not tokens.revoke(args.token_id):
            print(f"Error: no token with id {args.token_id!r}", file=sys.stderr)
            return 1
        print(f"Revoked token {args.token_id}.")
    else:
        entries = tokens.entries()
        if not entries:
            print(f"No tokens in {tokens.path}.")
        for entry in entries:
            print(f"{entry.id}  {entry.created}  {entry.name}")
    return 0
