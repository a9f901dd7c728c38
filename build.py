"""Validate the articles and build the search index; also manage agent tokens and print reports.

    python build.py [--articles DIR] [--index DIR] [--full]    build (incremental by default)
    python build.py --check [--strict] [--articles DIR]        validate only (pre-commit, CI)
    python build.py token create|revoke|list                   agent tokens
    python build.py report [--since 30d] [--format table|csv|json]
    python build.py propose --out DIR                          draft articles for content gaps
    python build.py review [--owner X] [--format text|json]    articles due for verification
    python build.py translations [--lang es] [--mark-current FILE ...]   stale and missing translations
    python build.py impact [--base REF] [--format text|markdown|json] [--strict]   search impact
    python build.py mcp [--http | --url URL]                   MCP server for assistants
    python build.py serve [--port 8000] [--host H] [--poll]     writer's preview: rebuild and reload on save

The commands live in ``commands/`` (one module per group); this file is the one entry point.
"""
from __future__ import annotations

import sys

from commands import main

if __name__ == "__main__":
    sys.exit(main())
