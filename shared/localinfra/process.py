"""Lifecycle of a server child process, shared by the Kafka, PostgreSQL and SMTP launchers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Self

from shared.localinfra.ports import wait_until


class ServerProcess:
    """One long-running server child process, started in its own process group.

    Its own group means a Ctrl-C in the terminal, or honcho signalling our
    group, reaches only the Python launcher, which then stops the server in an
    orderly way; and `kill()` can SIGKILL the whole group (PostgreSQL's
    backends included) so nothing is left orphaned.
    """

    def __init__(self, name: str, log_file: Path, stop_signal: int = signal.SIGTERM) -> None:
        self.name = name
        self.log_file = log_file
        self.stop_signal = stop_signal
        self._popen: subprocess.Popen[bytes] | None = None
        self._asked_to_stop = False

    def spawn(self, argv: Sequence[object], **popen_kwargs: object) -> None:
        """Start the process (each argument passed through `str()`); keyword arguments go to Popen."""
        if self.is_running():
            raise RuntimeError(f"{self.name} is already running (pid {self._popen.pid})")
        self._popen = subprocess.Popen(
            [str(arg) for arg in argv], stdin=subprocess.DEVNULL, process_group=0, **popen_kwargs
        )
        self._asked_to_stop = False

    def wait_ready(self, probe: Callable[[], object], timeout: float) -> None:
        """Poll `probe` until it returns a truthy value.

        Fails fast, showing the end of the log, if the process exits first
        (wrong config, port taken...), instead of waiting for the timeout.
        On any failure, including Ctrl-C, the half-started process is stopped
        so it cannot outlive the caller.
        """

        def ready() -> object:
            returncode = self._popen.poll()
            if returncode is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {returncode} before it was ready.\n{self.log_tail()}"
                )
            return probe()

        try:
            wait_until(
                ready,
                timeout,
                interval=0.2,
                message=lambda: f"{self.name} was not ready in time.\n{self.log_tail()}",
            )
        except BaseException:
            self.stop(timeout=10)
            raise

    def ask_to_stop(self) -> None:
        """Send `stop_signal` and return at once (`stop` then waits): several servers stop together."""
        if self.is_running() and not self._asked_to_stop:
            self._popen.send_signal(self.stop_signal)
            self._asked_to_stop = True

    def stop(self, timeout: float) -> None:
        """Ask the server to shut down cleanly with `stop_signal`; SIGKILL it after `timeout` seconds."""
        if not self.is_running():
            return
        self.ask_to_stop()
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"{self.name} did not stop within {timeout:g}s; killing it", file=sys.stderr)
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group at once: a crash, for fault tests, or a last resort.

        Returns only once every process of the group is gone: PostgreSQL's
        orphaned backends, still attached to the old shared memory, would
        otherwise make an immediate restart fail.
        """
        if not self.is_running():
            return
        group = self._popen.pid
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the group is already gone
        self._popen.wait()
        wait_until(
            lambda: not _group_has_live_process(group),
            timeout=10,
            interval=0.02,
            message=f"processes of {self.name} (group {group}) survived SIGKILL",
        )

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log, to explain a failure where it is reported."""
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_file})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last {lines} lines of {self.log_file} ---\n{tail}"


def _group_has_live_process(group: int) -> bool:
    """Whether a process of process group `group` still runs, according to /proc (Linux).

    Zombies do not count: they hold no resources, and orphans are reaped by
    PID 1, which in some containers never does it.
    """
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid pgrp ...": the command may contain spaces or ")".
            state, _ppid, pgrp = stat_file.read_text().rpartition(")")[2].split()[:3]
        except OSError:
            continue  # the process ended meanwhile
        if int(pgrp) == group and state not in ("Z", "X"):
            return True
    return False


class Server(ABC):
    """What the launchers share: a context manager (start on enter, stop on exit) and `main()` support."""

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def is_running(self) -> bool: ...

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_until_signalled(server: Server, ready_message: Callable[[], str]) -> int:
    """Run `server` in the foreground until SIGINT or SIGTERM, then stop it cleanly.

    This is the `main()` of each launcher under honcho, which sends SIGTERM (or
    SIGINT on Ctrl-C) and SIGKILLs whatever is still running 5 s later. Prints
    `ready_message()` once the server accepts clients. Returns the exit status:
    0 after a requested stop, 1 if the server died by itself, so that honcho
    notices and stops the other processes too.
    """
    # Explicit for SIGINT too: a shell starting us in the background may have set it to "ignore".
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        print(ready_message(), flush=True)
        while server.is_running():
            time.sleep(0.5)
        print(f"{type(server).__name__} exited unexpectedly", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second signal must not interrupt the shutdown half-way.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
