"""The command line writers and operators use, behind ``python build.py``.

One module per command group, each with ``run(argv) -> int`` (the exit code):

    build_check  python build.py [--check] [--strict] [--full] ...   validate, build, publish
    report       python build.py report|propose ...                   analytics reports, content gaps
    tokens       python build.py token create|revoke|list             agent API tokens
    review       python build.py review [--owner X] [--format json]   articles due for verification
    translations python build.py translations [--mark-current FILE]   missing and stale translations
    imports      python build.py import zendesk|freshdesk|qna|html ... articles from elsewhere
    exports      python build.py export zendesk|json ...              articles out again
    impact       python build.py impact [--base REF] [--format ...]   search impact of a change
    mcp          python build.py mcp [--http | --url URL]             MCP server (stdio or HTTP)
    merge        python build.py merge [--force]                       merge index segments
    serve        python build.py serve [--port 8000] (alias watch)    writer's preview, live reload

A new group (import, export, impact, review, serve) is a new module listed in ``GROUPS``; it
starts with ``commands/cli.py`` (``start_logging()``, ``parse()``). Errors
from the library layers are turned into one ``Error: ...`` line and a ``Hint: ...`` line here, at
the edge (``commands/errors.py``), never in ``kb``, ``search`` or ``analytics``.
"""
from __future__ import annotations

import importlib
import sys

#: Command groups by module; the first word of ``argv`` picks one, anything else is a build.
GROUPS = {"report": "commands.report", "propose": "commands.report", "token": "commands.tokens",
          "translations": "commands.translations", "review": "commands.review",
          "import": "commands.imports", "export": "commands.exports", "impact": "commands.impact",
          "mcp": "commands.mcp", "merge": "commands.merge",
          "serve": "commands.serve", "watch": "commands.serve"}
DEFAULT = "commands.build_check"


def main(argv: list[str] | None = None) -> int:
    """Run ``python build.py ARGS``; the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    module = GROUPS.get(argv[0], DEFAULT) if argv else DEFAULT
    return int(importlib.import_module(module).run(argv))  # loads only the group it needs


def dispatch(argv: list[str]) -> int:
    """A subcommand (``report``, ``propose``, ``token``); kept for callers of the old module."""
    return main(argv)
