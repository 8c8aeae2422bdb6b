"""Per-client-address limits for public endpoints that write (registration, sign-in, access links).

Built on `limits` directly rather than through flask-limiter: one counter check per limited
request and nothing on the others, which matters on the registration path in an opening surge.
"""
from __future__ import annotations

import contextlib
import functools
import math
import threading
import time

from flask import make_response, request
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from shared.web import error_response


class PublicWriteLimits:
    """`limit` is like "30/minute;600/hour"; the counters live in `storage_uri` (memory:// per
    process, redis://... shared between processes and hosts)."""

    def __init__(self, limit: str, storage_uri: str):
        self._items = parse_many(limit)
        storage = storage_from_string(storage_uri)
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        # limits' MemoryStorage (5.8) is not thread-safe: two threads counting at once can start its
        # expiry timer twice, a RuntimeError, i.e. a 500 in a surge (upstream alisaifee/limits#352).
        # One count at a time per process; shared stores (redis) are safe and stay concurrent.
        self._counting = threading.Lock() if isinstance(storage, MemoryStorage) else contextlib.nullcontext()

    def guard(self, view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            return self._refusal() or view(*args, **kwargs)
        return limited

    def _refusal(self):
        """Counts this request against each limit; a 429 once one is exceeded."""
        client = request.remote_addr or "unknown"
        for item in self._items:
            with self._counting:
                allowed = self._limiter.hit(item, "public-write", client)
                reset_at = None if allowed else self._limiter.get_window_stats(item, "public-write", client).reset_time
            if not allowed:
                response = make_response(error_response(
                    429, "too_many_requests", f"Too many requests from your address; at most {item}. Retry later."))
                response.headers["Retry-After"] = str(max(1, math.ceil(reset_at - time.time())))
                return response
        return None
