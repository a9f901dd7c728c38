"""What the writer's preview knows about the last build, shared by the builder and the app.

``python build.py serve`` (``commands/serve.py``) makes one :class:`PreviewState`, hands it to
``create_app({"PREVIEW": state})`` and calls :meth:`PreviewState.publish` after every build; the
app's pages show its problems and its event stream tells open pages to reload. No Flask here.
"""
from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Report:
    """The outcome of one build: published (``ok``) or not, and every problem found."""

    ok: bool = True
    problems: tuple[dict[str, Any], ...] = ()
    version: str = ""

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p.get("severity") == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p.get("severity") != "error"]


@dataclass
class PreviewState:
    """The last build's report and a token that changes with every build.

    A page is rendered with the token of its build; the event stream compares it with the current
    one and says ``reload`` as soon as they differ (also after a restart of the preview server,
    whose tokens start from a new random prefix)."""

    report: Report = field(default_factory=Report)
    _boot: str = field(default_factory=lambda: secrets.token_hex(4))
    _builds: int = 0
    _closed: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def token(self) -> str:
        with self._changed:
            return f"{self._boot}-{self._builds}"

    @property
    def closed(self) -> bool:
        return self._closed

    def publish(self, ok: bool, problems: Iterable[dict[str, Any]], version: str = "") -> None:
        """Record a finished build (``ok``: a new version was published) and wake every listener."""
        with self._changed:
            self.report = Report(ok, tuple(problems), version or self.report.version)
            self._builds += 1
            self._changed.notify_all()

    def wait(self, token: str, timeout: float) -> str | None:
        """The current token once it differs from ``token``; None after ``timeout`` or on close."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or f"{self._boot}-{self._builds}" != token,
                                   timeout)
            current = f"{self._boot}-{self._builds}"
            return None if self._closed or current == token else current

    def close(self) -> None:
        """End every open event stream (the server is shutting down)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
