"""Log lines as text (the default) or one JSON object per line (``LOG_FORMAT = "json"``).

Every request gets an id: the caller's ``X-Request-Id`` when it is a plain token, else a new one.
It is echoed in the response's ``X-Request-Id`` header and, with the path, added to each JSON log
line written while the request runs, so one failing request can be followed across log lines.
"""
from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import TextIO

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger(__name__)
FORMATS = ("text", "json")
REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
JSON_FIELDS = "{levelname}{name}{message}"
RENAMED = {"levelname": "level", "name": "logger"}


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners and servers replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """The stream is always the current ``sys.stderr``."""


class RequestContext(logging.Filter):
    """Adds ``request_id`` and ``path`` to records logged inside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.path = request.path
        return True


def json_formatter() -> logging.Formatter:
    """time (ISO 8601, UTC), level, logger, message, then extras (request id, path, traceback)."""
    return JsonFormatter(JSON_FIELDS, style="{", rename_fields=RENAMED, json_ensure_ascii=False,
                         timestamp="time")


def _configure(log_format: str) -> None:
    """One JSON handler on the root logger (replacing any earlier one); none for text."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    if log_format == "json":
        handler = StderrHandler()
        handler.setFormatter(json_formatter())
        handler.addFilter(RequestContext())
        root.addHandler(handler)


def _request_id() -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Apply ``LOG_FORMAT`` and give every request an id."""
    log_format = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in FORMATS:
        log.warning("settings: LOG_FORMAT must be one of %s (got %r); using text", FORMATS, log_format)
        log_format = "text"
    app.config["LOG_FORMAT"] = log_format
    _configure(log_format)

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = _request_id()

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response

