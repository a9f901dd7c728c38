"""Hand freed memory back to the operating system (glibc only; a no-op elsewhere).

A threaded server runs requests on many threads, and glibc gives each thread its own malloc arena
(up to 8 per core). Memory a retired index version freed in those arenas stays mapped to the
process, so RSS climbs with every swap. :func:`limit_arenas` caps the arenas before the server
starts its threads; :func:`trim` returns free pages of every arena after a version is closed.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

#: ``mallopt`` parameter number of ``M_ARENA_MAX`` in glibc's malloc.h.
M_ARENA_MAX = -8

_trimming = threading.Lock()


@cache
def _glibc() -> Any:
    """The C library when it is glibc (it has ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim, libc.mallopt  # noqa: B018  (glibc has both; musl and others do not)
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(count: int) -> bool:
    """Let at most ``count`` malloc arenas exist (threads started later share them); True if set."""
    libc = _glibc()
    if libc is None or count < 1:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, count))


def trim() -> bool:
    """Collect garbage, then return the free memory of every arena to the OS; True if any was."""
    libc = _glibc()
    if libc is None:
        return False
    with _trimming:  # one at a time: a trim walks every arena under its lock
        gc.collect()
        return bool(libc.malloc_trim(0))
