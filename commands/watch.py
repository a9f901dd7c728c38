"""Watch the articles folder and rebuild after each burst of saves (``python build.py serve``).

Files are watched with watchdog (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
Windows; ``poll=True`` stats the tree instead, for network and container mounts where those
events do not arrive). Every file under ``ARTICLES_DIR`` counts, side files (``_routing.yml``,
``_synonyms.yml``, ``_queries.yml``, ``_owners``, ``_review.yml``) and ``_media/`` included,
except hidden files and editors' swap and backup files. Saves are debounced: a build starts once
no change has arrived for ``debounce`` seconds, and changes made during a build start another.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Editors' temporary, swap and backup files: saving them is not a change to the articles.
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", ".bak")
IGNORED_NAMES = frozenset({"4913"})  # vim's probe file in the folder it saves to


def counts(path: str | bytes, root: Path, exclude: tuple[Path, ...] = ()) -> bool:
    """Whether a change to ``path`` (a file or folder under ``root``, not under ``exclude``, such
    as an index folder kept inside the articles) needs a build."""
    resolved = Path(path if isinstance(path, str) else path.decode()).resolve()
    if any(resolved.is_relative_to(folder) for folder in exclude):
        return False
    try:
        parts = resolved.relative_to(root).parts
    except ValueError:
        return False
    if not parts:
        return False
    name = parts[-1]
    return not (any(part.startswith((".", "#")) for part in parts) or name.endswith(IGNORED_SUFFIXES)
                or name in IGNORED_NAMES)


class Rebuilder:
    """Runs ``build`` on its own thread after each burst of :meth:`changed` calls."""

    def __init__(self, build: Callable[[], None], debounce: float = 0.2) -> None:
        self._build = build
        self._debounce = debounce
        self._wake = threading.Condition()
        self._last_change: float | None = None  # a change not yet built, and when it came
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="preview-rebuild")

    def start(self) -> None:
        self._thread.start()

    def changed(self) -> None:
        """A file changed: build once the saves stop for ``debounce`` seconds."""
        with self._wake:
            self._last_change = time.monotonic()
            self._wake.notify_all()

    def _next(self) -> bool:
        """Wait for a change and then for quiet; False when stopping."""
        with self._wake:
            while not self._stopping:
                if self._last_change is None:
                    self._wake.wait()
                    continue
                quiet = self._last_change + self._debounce - time.monotonic()
                if quiet <= 0:
                    self._last_change = None
                    return True
                self._wake.wait(quiet)
            return False

    def _loop(self) -> None:
        while self._next():
            try:
                self._build()
            except Exception:  # a bug in a build must not end the preview: say it and go on
                log.exception("preview build crashed")

    def stop(self, timeout: float | None = None) -> None:
        """No more builds; waits for a running one to finish (it publishes or changes nothing)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)


class Watcher:
    """Calls ``on_change()`` when something under ``root`` changes (see :func:`counts`)."""

    def __init__(self, root: Path, on_change: Callable[[], None], poll: bool = False,
                 exclude: tuple[Path, ...] = ()) -> None:
        from watchdog.events import DirModifiedEvent, FileSystemEvent, FileSystemEventHandler  # noqa: PLC0415
        from watchdog.observers import Observer  # noqa: PLC0415
        from watchdog.observers.polling import PollingObserver  # noqa: PLC0415

        self.root = root.resolve()
        watched, excluded = self.root, tuple(folder.resolve() for folder in exclude)

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if isinstance(event, DirModifiedEvent) or event.event_type in ("opened", "closed_no_write"):
                    return
                paths = [event.src_path, getattr(event, "dest_path", "")]
                if any(p and counts(p, watched, excluded) for p in paths):
                    log.debug("changed: %s", event)
                    on_change()

        self.observer: Any = (PollingObserver(timeout=0.5) if poll else Observer())
        self.observer.schedule(Handler(), str(self.root), recursive=True)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
