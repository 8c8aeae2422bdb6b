"""Small helpers for starting servers on loopback: pick a free port, poll until ready."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free right now on `host`.

    The OS picks it (bind to port 0), so parallel test runs do not collide on
    fixed ports. Another process could still take it before the server binds;
    servers started with it fail fast on "address in use" rather than hang.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until(
    condition: Callable[[], T],
    timeout: float,
    interval: float = 0.1,
    message: str | Callable[[], str] = "condition not met",
) -> T:
    """Call `condition` until it returns a truthy value, and return that value.

    Bounded polling instead of fixed sleeps: waits only as long as needed and
    never forever. Raises TimeoutError after `timeout` seconds with `message`
    (a callable is evaluated then, so it can describe the state at the end,
    e.g. how many messages did arrive). The condition is always tried at least
    once, and once more at the deadline.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            text = message() if callable(message) else message
            raise TimeoutError(f"{text} (after {timeout:g}s)")
        time.sleep(min(interval, remaining))
