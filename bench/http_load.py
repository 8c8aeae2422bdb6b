"""A small HTTP/1.1 load generator on asyncio streams (standard library only), and a trivial server to calibrate it.

- `open_loop(...)`: request i is due at start + i/rate whatever the earlier ones are doing;
  its latency runs from when it was due, so a server that falls behind shows up as latency
  (and as a lower achieved rate), never as a quietly lower offered load. Requests go out on
  keep-alive connections taken from a pool (most recently freed first), opened as needed up
  to a bound; a request that finds all of them busy waits, and that wait counts.
- `closed_loop(...)`: N connections, each sending its next request as soon as the previous
  answer is in, until the time is up: the server's throughput at that concurrency.

Request bodies come from a callable `body(i)`, so every request can differ (unique emails)
at the cost of a bytes.replace. Responses are read by Content-Length; connections the
server closed while idle (gunicorn's keep-alive timeout) are reopened and the request sent
again, which is safe because the server had not read it. One process, one thread: its own
CPU time is reported so a run can tell whether the client was close to a core.

`python bench/http_load.py serve --port N` runs the trivial server: it answers every request
with a fixed 201 and a small JSON body, to measure the client's own capacity.
"""
from __future__ import annotations

import argparse
import asyncio
import resource
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

READ_LIMIT = 1 << 20
NO_ANSWER = -1  # status recorded when a request got no HTTP answer at all (refused, reset, timed out)


@dataclass(slots=True)
class Outcome:
    due: float  # time.monotonic(): when the request was due (open loop) or was sent (closed loop)
    sent: float  # when its bytes were handed to the socket (after waiting for a free connection)
    done: float  # when the whole answer was read
    status: int  # HTTP status, or NO_ANSWER


@dataclass
class LoadResult:
    outcomes: list[Outcome]
    started: float  # monotonic
    finished: float  # monotonic: last answer (or deadline, closed loop)
    connections_opened: int
    reconnects: int  # idle connections the server had closed, reopened and the request sent again
    client_cpu_seconds: float  # this process's user+system CPU during the run


class _Connection:
    __slots__ = ("reader", "writer", "usable", "used")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.usable = True
        self.used = 0

    async def exchange(self, data: bytes) -> int:
        """Send one request, read its whole answer; the status. ConnectionError if closed before any answer."""
        self.used += 1
        self.writer.write(data)
        line = await self.reader.readline()
        if not line:
            raise ConnectionResetError("closed before answering")
        status = int(line.split(b" ", 2)[1])
        length, close = 0, line.startswith(b"HTTP/1.0")
        while True:
            header = await self.reader.readline()
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if length:
            await self.reader.readexactly(length)
        self.usable = not close
        return status

    def close(self) -> None:
        self.usable = False
        self.writer.close()


class _Pool:
    """Keep-alive connections to one server: an idle one (most recently freed first), else a new one up to `limit`."""

    def __init__(self, host: str, port: int, limit: int):
        self.host, self.port, self.limit = host, port, limit
        self.idle: list[_Connection] = []
        self.waiting: deque[asyncio.Future] = deque()
        self.open = 0
        self.opened = 0
        self.reconnects = 0

    async def connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=READ_LIMIT)
        self.opened += 1
        return _Connection(reader, writer)

    async def acquire(self) -> _Connection:
        if self.idle:
            return self.idle.pop()
        if self.open < self.limit:
            self.open += 1
            try:
                return await self.connect()
            except BaseException:
                self.open -= 1
                raise
        waiter = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        try:
            return await waiter  # a freed connection, or None: open a new one in its place
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())  # handed over just as this request was given up
            raise

    def release(self, connection: _Connection | None) -> None:
        if connection is not None and not connection.usable:
            connection.close()
            connection = None
        if connection is None:
            self.open -= 1
        while self.waiting:
            waiter = self.waiting.popleft()
            if waiter.done():  # its request was given up
                continue
            if connection is None:
                self.open += 1
            waiter.set_result(connection)
            return
        if connection is not None:
            self.idle.append(connection)

    async def send(self, data: bytes, timeout: float) -> tuple[float, int]:
        """(when sent, status) of one request; a connection closed while idle is reopened once."""
        connection = await self.acquire()
        if connection is None:
            try:
                connection = await self.connect()
            except BaseException:
                self.release(None)
                raise
        sent = time.monotonic()
        try:
            try:
                status = await asyncio.wait_for(connection.exchange(data), timeout)
            except ConnectionError:
                if connection.used == 1:
                    raise
                connection.close()  # the server closed it while idle: it never read this request
                self.reconnects += 1
                connection = await self.connect()
                status = await asyncio.wait_for(connection.exchange(data), timeout)
        except BaseException:
            connection.close()
            self.release(connection)
            raise
        self.release(connection)
        return sent, status

    def close_all(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


def request_bytes(host: str, port: int, path: str, body: bytes | tuple[bytes, dict[str, str]]) -> bytes:
    """`body` is the JSON body, or (body, headers) for a request that carries its own (a webhook's signature)."""
    body, headers = body if isinstance(body, tuple) else (body, {})
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _one(pool: _Pool, data: bytes, due: float, timeout: float, outcomes: list[Outcome]) -> None:
    try:
        sent, status = await pool.send(data, timeout)
    except (OSError, asyncio.TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError):
        sent, status = time.monotonic(), NO_ANSWER
    except asyncio.CancelledError:  # still waiting at the run's deadline
        outcomes.append(Outcome(due=due, sent=time.monotonic(), done=time.monotonic(), status=NO_ANSWER))
        raise
    outcomes.append(Outcome(due=due, sent=sent, done=time.monotonic(), status=status))


async def _open_loop(host: str, port: int, path: str, body: Callable[[int], bytes], rate: float, count: int,
                     max_connections: int, timeout: float, finish_within: float) -> LoadResult:
    pool = _Pool(host, port, max_connections)
    outcomes: list[Outcome] = []
    tasks = set()
    cpu = _cpu_seconds()
    start = time.monotonic() + 0.05
    for i in range(count):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(_one(pool, request_bytes(host, port, path, body(i)), due, timeout, outcomes))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        _done, late = await asyncio.wait(set(tasks), timeout=finish_within)
        for task in late:  # counted as no answer: the run stays bounded in time whatever the server does
            task.cancel()
        if late:
            await asyncio.wait(late)
    pool.close_all()
    return LoadResult(outcomes, start, max((o.done for o in outcomes), default=start), pool.opened,
                      pool.reconnects, _cpu_seconds() - cpu)


async def _closed_loop(host: str, port: int, path: str, body: Callable[[int], bytes], concurrency: int,
                       duration: float, timeout: float) -> LoadResult:
    pool = _Pool(host, port, concurrency)
    outcomes: list[Outcome] = []
    counter = iter(range(1 << 62))
    cpu = _cpu_seconds()
    start = time.monotonic()
    deadline = start + duration

    async def client() -> None:
        while time.monotonic() < deadline:
            await _one(pool, request_bytes(host, port, path, body(next(counter))), time.monotonic(), timeout,
                       outcomes)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    pool.close_all()
    return LoadResult(outcomes, start, deadline, pool.opened, pool.reconnects, _cpu_seconds() - cpu)


def open_loop(url: str, body: Callable[[int], bytes], *, rate: float, count: int, max_connections: int = 256,
              timeout: float = 30.0, finish_within: float = 300.0) -> LoadResult:
    """POST `body(i)` for i in range(count) to `url` ("http://host:port/path") at `rate` per second.
    Requests still unanswered `finish_within` seconds after the last one was due count as no answer."""
    host, port, path = _split(url)
    return asyncio.run(_open_loop(host, port, path, body, rate, count, max_connections, timeout, finish_within))


def closed_loop(url: str, body: Callable[[int], bytes], *, concurrency: int, duration: float,
                timeout: float = 30.0) -> LoadResult:
    """`concurrency` connections POSTing `body(i)` back to back to `url` for `duration` seconds.
    Requests still out at the deadline are completed and kept (their `due` is before it)."""
    host, port, path = _split(url)
    return asyncio.run(_closed_loop(host, port, path, body, concurrency, duration, timeout))


def _split(url: str) -> tuple[str, int, str]:
    rest = url.removeprefix("http://")
    address, _, path = rest.partition("/")
    host, _, port = address.partition(":")
    return host, int(port or 80), "/" + path


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the trivial server, to measure the client against something that costs (almost) nothing ---

_TRIVIAL_BODY = b'{"id":"00000000-0000-0000-0000-000000000000","reference":"DPD-TRIVIAL","status":"ok"}'
_TRIVIAL_ANSWER = (b"HTTP/1.1 201 CREATED\r\nContent-Type: application/json\r\nContent-Length: "
                   + str(len(_TRIVIAL_BODY)).encode() + b"\r\n\r\n" + _TRIVIAL_BODY)


async def _trivial_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            length = 0
            line = await reader.readline()
            if not line:
                break
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            writer.write(_TRIVIAL_ANSWER)
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def _serve(port: int) -> None:
    server = await asyncio.start_server(_trivial_connection, "127.0.0.1", port, limit=READ_LIMIT, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="the trivial server: a fixed 201 for every request")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
