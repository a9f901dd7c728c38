"""Fewer glibc malloc arenas: a threaded server otherwise gives each thread its own heap.

glibc creates up to eight arenas per core, one for each thread that allocates while the others
are busy; freed memory stays spread over them, so RSS keeps creeping up under threaded traffic
although every cache is bounded. ``bench/memory.py`` measured +28.5 MB over 5,000 random queries
with glibc's default and +5.7 MB with two arenas. Python's own allocator serves small objects
under the GIL from its own pools, so most allocations never reach these arenas.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

#: ``mallopt`` parameter number of ``M_ARENA_MAX`` in glibc's ``malloc.h``.
M_ARENA_MAX = -8


def limit_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas at ``count`` for this process (0: leave the default); False
    where the C library is not glibc."""
    if count <= 0:
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    if not mallopt(M_ARENA_MAX, int(count)):
        log.warning("mallopt(M_ARENA_MAX, %d) was refused", count)
        return False
    return True
