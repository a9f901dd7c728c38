"""The date each file was last committed, from one ``git log`` over the articles folder."""
from __future__ import annotations

import datetime as dt
import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


def last_commit_dates(folder: Path) -> dict[str, dt.date]:
    """Map of path (relative to ``folder``, with ``/``) to its last commit date; empty outside git."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(folder), "log", "--format=@%cs", "--name-only", "--no-renames",
             "--relative", "--", "."],
            capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("no git dates for %s: %s", folder, exc)
        return {}
    if completed.returncode != 0:
        log.debug("git log failed in %s: %s", folder, completed.stderr.strip())
        return {}
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for line in completed.stdout.splitlines():
        if line.startswith("@"):
            current = dt.date.fromisoformat(line[1:])
        elif line and current is not None:
            dates.setdefault(line.strip(), current)
    return dates
