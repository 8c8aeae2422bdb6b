"""Database plumbing every service uses the same way: naming convention, engine, transactions, migrations."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

# Predictable constraint names, so migrations can refer to them (as indico does).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> sa.MetaData:
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


def violated_constraint(error: sa.exc.IntegrityError) -> str:
    """The name of the constraint PostgreSQL says an insert or update broke ("" if it did not say)."""
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""


def after_commit(connection: Connection, action: Callable[[], None]) -> None:
    """Run `action` once the transaction `connection` is in has committed, and not at all if it
    rolls back: for effects outside the database (a metric counted) that must not outlive it."""
    sa.event.listen(connection, "commit", lambda _connection: action(), once=True)


def create_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine that checks connections before use, so a restarted PostgreSQL heals by itself."""
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args={"connect_timeout": 5},
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: everything written inside commits together or not at all."""
    with engine.begin() as connection:
        yield connection


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


def upgrade_to_head(database_url: str, migrations_dir: Path) -> None:
    """Apply a service's Alembic migrations: the one explicit step before the service starts."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def run_alembic_env(target_metadata: sa.MetaData) -> None:
    """The body of every service's migrations/env.py (online mode only: we always have a server)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
