"""Shared by the semantic tests: skip without the optional extra (fail instead in CI)."""
from __future__ import annotations

import os

import pytest

from search.semantic.encoder import installed

INSTALL = "pip install -r requirements-semantic.txt"


def require_extra() -> None:
    """Skip the calling test when the semantic extra is missing; in CI it must be installed."""
    if installed():
        return
    message = f"semantic extra not installed ({INSTALL})"
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": CI must install it")
    pytest.skip(message)
