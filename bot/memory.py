"""Give memory that the process has freed back to the system (glibc only; elsewhere nothing happens).

A library that builds large structures from larger temporary ones (lingua's language models, parsed from their
files in several threads) leaves the freed space inside the C allocator's heaps, where it still counts in the
process's memory (RSS) though nothing uses it. `release_free_memory()` asks glibc to return it (malloc_trim):
about 45 MB of the Rasa process after lingua's models are loaded (addons/nlu_guard.py calls it once, when the
model is loaded). It takes a few milliseconds and changes no value the process holds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


@functools.lru_cache(maxsize=1)
def _trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system; True when it could be asked (glibc)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
