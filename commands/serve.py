"""``python build.py serve [--port 8000] [--host 127.0.0.1] [--poll]``: the writer's preview.

Serves the whole app (help centre, console, API) from the working tree, builds once, then
rebuilds incrementally after each burst of saves under ``ARTICLES_DIR`` (``commands/watch.py``)
with the same functions as ``python build.py`` (``commands/build_check.py``), publishes each new
version (the app switches on its next request) and tells the open pages to reload. When a build
fails, the pages show its problems (``web/preview``) and the last good version stays served.
Ctrl+C stops the watcher, waits for a running build, ends the event streams and the server.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from commands.build_check import built_line, check, publish, shown
from commands.cli import start_logging
from commands.errors import fail, hint
from kb import load_settings
from kb.problems import Problem, errors, warnings

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py serve",
                                     description="serve the site and rebuild it when articles change")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free port)")
    parser.add_argument("--articles", help="articles folder (default: ARTICLES_DIR)")
    parser.add_argument("--index", help="index folder (default: INDEX_DIR)")
    parser.add_argument("--poll", action="store_true",
                        help="poll for changes (network and container mounts without file events)")
    parser.add_argument("--debounce", type=float, default=0.2,
                        help="seconds without a save before a build starts (default 0.2)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar on the first build")
    return parser


def as_dict(problem: Problem) -> dict[str, Any]:
    """A problem as the preview pages show it."""
    return {"path": problem.path, "line": problem.line, "field": problem.field,
            "message": problem.message, "hint": problem.hint, "severity": problem.severity}


class PreviewBuilder:
    """One build of the working tree, told to the terminal and to the open pages."""

    def __init__(self, settings: dict[str, Any], state: Any) -> None:
        self.settings = settings
        self.state = state

    def __call__(self, progress: bool = False) -> bool:
        """Check, then build and publish unless a problem fails it; True when published."""
        started = time.perf_counter()
        try:
            checked = check(self.settings, progress=progress)
            for problem in checked.problems:
                print(problem.format(), file=sys.stderr)
            problems = [as_dict(p) for p in checked.problems]
            if checked.failing():
                print(f"Error: {len(errors(checked.problems))} error(s), "
                      f"{len(warnings(checked.problems))} warning(s); nothing built, "
                      "the last good version is still served", file=sys.stderr, flush=True)
                self.state.publish(False, problems)
                return False
            summary = publish(checked, self.settings, progress=progress)
        except Exception as exc:  # noqa: BLE001  (the served index is untouched; show why)
            log.debug("preview build failed", exc_info=True)
            fail("build failed, the served index is unchanged", exc)
            self.state.publish(False, [{"path": str(self.settings["INDEX_DIR"]), "line": 0,
                                        "field": "build", "severity": "error",
                                        "message": f"{type(exc).__name__}: {exc}",
                                        "hint": hint(exc) or ""}])
            return False
        print(built_line(summary, checked.problems, time.perf_counter() - started), flush=True)
        self.state.publish(True, problems, summary.version)
        return True


def _stop_on_sigterm() -> None:
    """SIGTERM (a terminal closing, a process manager) stops the preview as Ctrl+C does."""
    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


def run(argv: list[str]) -> int:
    """Build, serve and watch until Ctrl+C; the exit code."""
    args = _parser().parse_args(argv[1:] if argv and argv[0] in ("serve", "watch") else argv)
    start_logging()
    overrides = {k: v for k, v in {"ARTICLES_DIR": args.articles, "INDEX_DIR": args.index}.items() if v}
    settings = load_settings(overrides)
    if not Path(settings["ARTICLES_DIR"]).is_dir():
        print(f"Error: articles folder {shown(str(settings['ARTICLES_DIR']))} does not exist",
              file=sys.stderr)
        print("Hint: run from the repository or pass --articles DIR", file=sys.stderr)
        return 1
    from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: PLC0415

    from commands.watch import Rebuilder, Watcher  # noqa: PLC0415
    from web import create_app  # noqa: PLC0415
    from web.preview import PreviewState  # noqa: PLC0415

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Access lines only for server errors: the terminal is for build output."""
            if str(code).startswith("5"):
                super().log_request(code, size)

    state = PreviewState()
    # Analytics off: a writer's clicks in the preview are not customers' searches.
    app = create_app({**overrides, "PREVIEW": state, "ANALYTICS_URL": ""})
    try:
        server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    except OSError as exc:
        return fail(f"cannot listen on {args.host}:{args.port}", exc)
    builder = PreviewBuilder(settings, state)
    rebuilder = Rebuilder(builder, debounce=args.debounce)
    articles = Path(settings["ARTICLES_DIR"])
    watcher = Watcher(articles, rebuilder.changed, poll=args.poll, exclude=(Path(settings["INDEX_DIR"]),))
    _stop_on_sigterm()
    try:
        watcher.start()  # before the first build: saves made while it runs start another
        builder(progress=not args.quiet)
        rebuilder.start()
        print(f"Serving the preview of {shown(str(articles))} on "
              f"http://{args.host}:{server.server_port}/ (Ctrl+C to stop)", flush=True)
        server.serve_forever()  # werkzeug's returns on Ctrl+C (KeyboardInterrupt)
    except KeyboardInterrupt:  # during the first build
        pass
    finally:
        print("Stopping the preview", file=sys.stderr, flush=True)
        watcher.stop()
        rebuilder.stop()
        state.close()  # ends every open event stream
        server.server_close()
        app.extensions["supportkb.engine"].close()
    return 0
