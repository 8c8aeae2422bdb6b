"""Named crash points, so tests can kill a process at the exact moment that matters.

A process started with DPD_CRASH_POINTS="outbox.after_publish_before_mark" exits abruptly
(no cleanup, no commits, like kill -9) when it reaches that point. Unset, it costs a set lookup.
"""
from __future__ import annotations

import functools
import os

CRASH_EXIT_CODE = 86


@functools.cache
def _armed() -> frozenset[str]:
    return frozenset(name.strip() for name in os.environ.get("DPD_CRASH_POINTS", "").split(",") if name.strip())


def crash_point(name: str) -> None:
    if name in _armed():
        os._exit(CRASH_EXIT_CODE)
