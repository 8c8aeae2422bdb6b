"""Matchmaking's settings: every environment variable it reads, with its meaning."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import KafkaSettings, load_settings, positive_float, positive_int, setting


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "MATCHMAKING_DATABASE_URL", doc="SQLAlchemy URL of matchmaking's own database")
    database_pool_size: int = setting(
        "MATCHMAKING_DATABASE_POOL_SIZE", default=5, parse=positive_int,
        doc="connections each process keeps open to the database")
    expiry_check_seconds: float = setting(
        "MATCHMAKING_EXPIRY_CHECK_SECONDS", default=30.0, parse=positive_float,
        doc="how often the worker expires meeting requests whose answer deadline has passed")


def load(environ=None) -> tuple[Settings, KafkaSettings]:
    return load_settings(Settings, environ), load_settings(KafkaSettings, environ)
