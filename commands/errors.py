"""Errors from the library layers, told to a writer or operator: one ``Error:`` line saying what
failed and why, and a ``Hint:`` line saying what to do, when there is something to do."""
from __future__ import annotations

import errno
import sys

_ERRNO_HINTS = {
    errno.ENOSPC: "free disk space where the index is built (a build writes a whole new version "
                  "beside the served one) and run the build again",
    errno.EACCES: "check that this user may write the index folder (INDEX_DIR or --index)",
    errno.EROFS: "the index folder is on a read-only file system: build on a writable disk",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) for this process",
}


def hint(exc: BaseException) -> str | None:
    """What the user can do about ``exc``, or None when there is nothing specific to say."""
    from analytics.store import StoreError  # noqa: PLC0415  (imported on failure only: startup time)
    from search.store import BuildLocked  # noqa: PLC0415
    if isinstance(exc, BuildLocked):
        return "wait for the other build to finish; the served index is left as it is"
    if isinstance(exc, StoreError):
        return "check ANALYTICS_URL (KB_ANALYTICS_URL) and that its database is reachable"
    if isinstance(exc, OSError) and exc.errno in _ERRNO_HINTS:
        return _ERRNO_HINTS[exc.errno]
    return None


def fail(what: str | None, exc: BaseException) -> int:
    """Print ``Error: <what>: <Type>: <message>`` (``Error: <message>`` without ``what``, for
    errors that say it all) and its hint on stderr; exit code 1."""
    print(f"Error: {what}: {type(exc).__name__}: {exc}" if what else f"Error: {exc}", file=sys.stderr)
    advice = hint(exc)
    if advice:
        print(f"Hint: {advice}", file=sys.stderr)
    return 1
