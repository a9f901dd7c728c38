"""Agent tokens: a file of hashes (never the tokens) and the ``flask token`` commands that manage it.

The file is JSON: ``{"tokens": [{"id", "name", "hash", "created"}]}`` where ``hash`` is the
SHA-256 of the token. Tokens are 256-bit random strings, so a fast hash is enough (no password
stretching needed); lookups compare every stored hash in constant time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
TOKEN_PREFIX = "skb_"
DEFAULT_FILE_NAME = "agent_tokens.json"


@dataclass(frozen=True)
class TokenEntry:
    """One agent token as stored: who it is for, never the token itself."""

    id: str
    name: str
    hash: str
    created: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_file(config: Any) -> Path:
    """``AGENT_TOKEN_FILE``, or ``agent_tokens.json`` in the instance folder."""
    configured = config.get("AGENT_TOKEN_FILE") or ""
    return Path(configured) if configured else Path(config["INSTANCE_DIR"]) / DEFAULT_FILE_NAME


class TokenStore:
    """Reads and writes the token file; re-reads it when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._entries: list[TokenEntry] = []

    def entries(self) -> list[TokenEntry]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._entries = None, []
            return []
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._entries = self._read()
            self._stamp = stamp
        return list(self._entries)

    def _read(self) -> list[TokenEntry]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [TokenEntry(**{k: str(e[k]) for k in ("id", "name", "hash", "created")})
                    for e in data.get("tokens", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            log.error("agent token file %s is unreadable; no file tokens accepted", self.path)
            return []

    def _write(self, entries: list[TokenEntry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"tokens": [asdict(e) for e in entries]}, indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def create(self, name: str) -> tuple[TokenEntry, str]:
        """A new token for ``name``: returns the entry and the token (shown once, never stored)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        entry = TokenEntry(id=secrets.token_hex(4), name=name, hash=hash_token(token),
                           created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat())
        self._write(self.entries() + [entry])
        return entry, token

    def revoke(self, token_id: str) -> bool:
        entries = self.entries()
        kept = [e for e in entries if e.id != token_id]
        if len(kept) == len(entries):
            return False
        self._write(kept)
        return True

    def find(self, token: str) -> TokenEntry | None:
        """The entry whose hash matches ``token``; every entry is compared in constant time."""
        digest = hash_token(token)
        found = None
        for entry in self.entries():
            if hmac.compare_digest(entry.hash, digest):
                found = entry
        return found


def store(app: Flask | None = None) -> TokenStore:
    app = app or current_app
    found = app.extensions.get("supportkb.tokens")
    if found is None:
        found = app.extensions["supportkb.tokens"] = TokenStore(token_file(app.config))
    return found


token_cli = AppGroup("token", help="Manage agent API tokens (the file holds hashes only).")


@token_cli.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Create a token for NAME and print it once."""
    entry, token = store().create(name)
    click.echo(f"Created token {entry.id} for {entry.name!r}. Copy it now; it is not stored:")
    click.echo(token)


@token_cli.command("revoke")
@click.argument("token_id")
def revoke_command(token_id: str) -> None:
    """Revoke the token with TOKEN_ID."""
    if not store().revoke(token_id):
        raise click.ClickException(f"no token with id {token_id!r}")
    click.echo(f"Revoked token {token_id}.")


@token_cli.command("list")
def list_command() -> None:
    """List token ids, names and creation times (never the tokens)."""
    entries = store().entries()
    if not entries:
        click.echo(f"No tokens in {store().path}.")
    for entry in entries:
        click.echo(f"{entry.id}  {entry.created}  {entry.name}")


def init_app(app: Flask) -> None:
    app.extensions["supportkb.tokens"] = TokenStore(token_file(app.config))
    app.cli.add_command(token_cli)
