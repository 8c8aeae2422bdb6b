"""Registration's settings: every environment variable it reads, with its meaning."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.registration.adapters.personal_data import parse_key
from shared.config import KafkaSettings, load_settings, paths, positive_int, setting


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "REGISTRATION_DATABASE_URL",
        doc="SQLAlchemy URL of registration's own database (postgresql+psycopg://role:password@host:port/db)")
    signing_key_file: Path = setting(
        "AUTH_SIGNING_KEY_FILE", parse=lambda raw: paths(raw)[0],
        doc="PEM file of the Ed25519 private key that signs access tokens (registration is the only issuer)")
    personal_data_key: bytes = setting(
        "PERSONAL_DATA_KEY", parse=parse_key,
        doc="base64 of 32 random bytes: encrypts identity document numbers at rest (keep it out of the database)")
    badge_secret: bytes = setting(
        "BADGE_SIGNING_SECRET", parse=parse_key,
        doc="base64 of 32 random bytes: signs the codes in e-badges' QR codes")
    public_url: str = setting(
        "REGISTRATION_PUBLIC_URL", doc="registration's base URL as browsers reach it (links in emails)")
    previous_personal_data_keys: tuple[bytes, ...] = setting(
        "PREVIOUS_PERSONAL_DATA_KEYS", default=(), parse=lambda raw: tuple(parse_key(k) for k in raw.split(",")),
        doc="comma-separated keys used before PERSONAL_DATA_KEY, still read while values are re-encrypted")
    previous_badge_secrets: tuple[bytes, ...] = setting(
        "PREVIOUS_BADGE_SIGNING_SECRETS", default=(), parse=lambda raw: tuple(parse_key(k) for k in raw.split(",")),
        doc="comma-separated secrets that signed badges still in circulation")
    database_pool_size: int = setting(
        "REGISTRATION_DATABASE_POOL_SIZE", default=10, parse=positive_int,
        doc="connections each process keeps open to the database")
    organiser_session_hours: int = setting(
        "ORGANISER_SESSION_HOURS", default=10, parse=positive_int,
        doc="how long an organiser stays signed in (a working day at the venue)")
    participant_session_hours: int = setting(
        "PARTICIPANT_SESSION_HOURS", default=24, parse=positive_int,
        doc="how long a participant stays signed in after following an access link")
    access_link_minutes: int = setting(
        "ACCESS_LINK_MINUTES", default=30, parse=positive_int,
        doc="how long an emailed access link works (it works once)")
    edition_cache_seconds: int = setting(
        "REGISTRATION_EDITION_CACHE_SECONDS", default=5, parse=int,
        doc="how long a web process keeps an edition for public registrations (0: read it every time); "
            "an organiser's edit reaches the other processes within this")


def load(environ=None) -> tuple[Settings, KafkaSettings]:
    return load_settings(Settings, environ), load_settings(KafkaSettings, environ)
