"""Notification's settings: every environment variable it reads, with its meaning."""
from __future__ import annotations

from dataclasses import dataclass

from shared.config import KafkaSettings, flag, load_settings, positive_float, positive_int, setting


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "NOTIFICATION_DATABASE_URL", doc="SQLAlchemy URL of notification's own database")
    smtp_host: str = setting("SMTP_HOST", doc="SMTP server (or relay) that takes our mail")
    matchmaking_url: str = setting(
        "MATCHMAKING_PUBLIC_URL", doc="matchmaking's base URL as browsers reach it: meeting emails link to it")
    database_pool_size: int = setting(
        "NOTIFICATION_DATABASE_POOL_SIZE", default=5, parse=positive_int,
        doc="connections each process keeps open to the database")
    smtp_port: int = setting("SMTP_PORT", default=25, parse=positive_int, doc="its port")
    smtp_starttls: bool = setting("SMTP_STARTTLS", default=False, parse=flag,
                                  doc="upgrade the connection with STARTTLS (true for a real relay)")
    smtp_username: str = setting("SMTP_USERNAME", default="", doc="login for the relay, if it needs one")
    smtp_password: str = setting("SMTP_PASSWORD", default="", doc="password for SMTP_USERNAME")
    smtp_timeout_seconds: float = setting("SMTP_TIMEOUT_SECONDS", default=15.0, parse=positive_float,
                                          doc="how long one SMTP command may take")
    mail_from: str = setting(
        "MAIL_FROM", default="Defence Partnership Days <no-reply@defencepartnershipdays.in>",
        doc="the From header of every email")
    max_delivery_attempts: int = setting(
        "NOTIFICATION_MAX_DELIVERY_ATTEMPTS", default=8, parse=positive_int,
        doc="tries for an email that fails transiently before it is given up as failed and dead-lettered")
    first_retry_seconds: float = setting(
        "NOTIFICATION_FIRST_RETRY_SECONDS", default=2.0, parse=positive_float,
        doc="wait after an email's first transient failure; it doubles after each further one (at most 15 min)")
    digest_period_seconds: int = setting(
        "NOTIFICATION_DIGEST_PERIOD_SECONDS", default=3600, parse=positive_int,
        doc="a person gets at most one meeting-request email per this many seconds; "
            "requests arriving meanwhile are listed together in the next one")


def load(environ=None) -> tuple[Settings, KafkaSettings]:
    return load_settings(Settings, environ), load_settings(KafkaSettings, environ)
