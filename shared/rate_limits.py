"""Per-client-address limits for public endpoints that write (registration, sign-in, access links).

Built on `limits` directly rather than through flask-limiter: one counter check per limited
request and nothing on the others, which matters on the registration path in an opening surge.
Counters shared between processes (redis://...) use limits' sliding-window strategy; counters
of one process (memory://, the default) use `ProcessCounters`, the same sliding window
without limits' MemoryStorage, which is not thread-safe (two threads counting at once start
its expiry timer twice: a RuntimeError, upstream alisaifee/limits#352) and starts a thread
every 10 ms while requests keep coming.
"""
from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable

from flask import make_response, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from shared.web import error_response

PROCESS_LOCAL_STORAGE = "memory://"


class ProcessCounters:
    """Sliding-window counters in this process, safe for its threads.

    A limit of N per window W admits a hit while the current window's count, plus the previous
    window's count weighted by the share of it still inside the last W seconds, stays within N
    (the approximation limits' SlidingWindowCounter and most gateways use). Windows start at
    multiples of W. Counters idle for two windows are dropped as the table grows."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._lock = threading.Lock()
        # (limit, client) -> (window length, window number, previous window's count, this window's count)
        self._counters: dict[tuple[str, str], tuple[int, int, int, int]] = {}
        self._prune_above = 1024

    def hit(self, item: RateLimitItem, client: str) -> float | None:
        """Counts a hit and returns None; over the limit, counts nothing and returns the seconds until a hit is admitted."""
        window_seconds = item.get_expiry()
        now = self._clock()
        window = int(now // window_seconds)
        share_left = 1 - (now - window * window_seconds) / window_seconds
        key = (str(item), client)
        with self._lock:
            previous, current = self._counts(key, window)
            if previous * share_left + current + 1 > item.amount:
                return _seconds_until_admitted(item.amount, previous, current, share_left, window_seconds)
            self._counters[key] = (window_seconds, window, previous, current + 1)
            if len(self._counters) > self._prune_above:
                self._prune(now)
        return None

    def _counts(self, key: tuple[str, str], window: int) -> tuple[int, int]:
        _, stored_window, previous, current = self._counters.get(key, (0, window, 0, 0))
        if stored_window == window:
            return previous, current
        return (current if stored_window == window - 1 else 0), 0

    def _prune(self, now: float) -> None:
        self._counters = {key: counts for key, counts in self._counters.items()
                          if counts[1] >= int(now // counts[0]) - 1}
        self._prune_above = max(1024, 2 * len(self._counters))


def _seconds_until_admitted(amount: int, previous: int, current: int, share_left: float,
                            window_seconds: int) -> float:
    if current < amount:  # within this window, once enough of the previous one has slid out
        share_needed = (amount - 1 - current) / previous
        return max(0.0, share_left - share_needed) * window_seconds
    # in the next window, once enough of this one has slid out
    return (share_left + 1 - (amount - 1) / current) * window_seconds


class PublicWriteLimits:
    """`limit` is like "30/minute;600/hour"; the counters live in `storage_uri` (memory:// per
    process, redis://... shared between processes and hosts)."""

    def __init__(self, limit: str, storage_uri: str, *, clock: Callable[[], float] = time.time):
        self._items = parse_many(limit)
        counters = ProcessCounters(clock) if storage_uri == PROCESS_LOCAL_STORAGE else _SharedCounters(storage_uri)
        self._hit = counters.hit

    def guard(self, view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            return self._refusal() or view(*args, **kwargs)
        return limited

    def _refusal(self):
        """Counts this request against each limit; a 429 once one is exceeded."""
        client = request.remote_addr or "unknown"
        for item in self._items:
            wait_seconds = self._hit(item, client)
            if wait_seconds is not None:
                response = make_response(error_response(
                    429, "too_many_requests", f"Too many requests from your address; at most {item}. Retry later."))
                response.headers["Retry-After"] = str(max(1, math.ceil(round(wait_seconds, 3))))  # 80.0000001 is 80
                return response
        return None


class _SharedCounters:
    """limits' sliding-window counters in a store every process shares (redis://...)."""

    def __init__(self, storage_uri: str):
        self._limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_uri))

    def hit(self, item: RateLimitItem, client: str) -> float | None:
        if self._limiter.hit(item, "public-write", client):
            return None
        return max(0.0, self._limiter.get_window_stats(item, "public-write", client).reset_time - time.time())
