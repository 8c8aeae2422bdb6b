"""Configuration read once from the environment, validated at start-up, documented in place.

A service declares its settings as a frozen dataclass whose fields are made with
`setting(...)`: the environment variable, what it means and its default sit together, and
`load_settings` reports every missing or malformed variable in one error instead of
failing on the first.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_REQUIRED = object()


class ConfigError(Exception):
    """The environment does not describe a runnable service; the message lists every problem."""


def setting(env: str, *, doc: str, default: Any = _REQUIRED, parse: Callable[[str], Any] = str) -> Any:
    """A dataclass field filled from environment variable `env` (parsed by `parse`)."""
    metadata = {"env": env, "doc": doc, "parse": parse}
    if default is _REQUIRED:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def load_settings(cls: type[T], environ: Mapping[str, str] | None = None, **overrides: Any) -> T:
    """Build `cls` from `environ` (default: the process environment); `overrides` win."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in dataclasses.fields(cls):
        if field.name in overrides:
            values[field.name] = overrides[field.name]
            continue
        env_name = field.metadata["env"]
        raw = environ.get(env_name)
        if raw is None or raw == "":
            if field.default is dataclasses.MISSING:
                problems.append(f"{env_name} is required: {field.metadata['doc']}")
            continue
        try:
            values[field.name] = field.metadata["parse"](raw)
        except ValueError as error:
            problems.append(f"{env_name}={raw!r} is not valid ({error}): {field.metadata['doc']}")
    if problems:
        raise ConfigError(f"{cls.__name__}: " + "; ".join(problems))
    return cls(**values)


def positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def flag(raw: str) -> bool:
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def paths(raw: str) -> tuple[Path, ...]:
    found = tuple(Path(part.strip()) for part in raw.split(",") if part.strip())
    missing = [str(path) for path in found if not path.is_file()]
    if not found or missing:
        raise ValueError(f"no such file: {', '.join(missing) or raw}")
    return found


def positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


@dataclasses.dataclass(frozen=True)
class KafkaSettings:
    """How every service reaches the bus; the same variables for all of them."""

    bootstrap_servers: str = setting(
        "KAFKA_BOOTSTRAP_SERVERS", doc="comma-separated host:port list of Kafka brokers")
    topic_prefix: str = setting(
        "KAFKA_TOPIC_PREFIX", default="",
        doc="prepended to every topic and consumer group name (one deployment per prefix; tests use a unique one)")
    replication_factor: int = setting(
        "KAFKA_REPLICATION_FACTOR", default=1, parse=positive_int,
        doc="replication factor for topics the services create (3 in production)")

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


SERVICE_NAMES = ("registration", "matchmaking", "notification", "billing")


@dataclasses.dataclass(frozen=True)
class WebSettings:
    """What every service's web process needs to know about sign-in and its neighbours."""

    public_key_files: tuple[Path, ...] = setting(
        "AUTH_PUBLIC_KEY_FILES", parse=paths,
        doc="comma-separated PEM files of the Ed25519 public keys that sign access tokens (old and new while rotating)")
    registration_url: str = setting("REGISTRATION_PUBLIC_URL", doc="registration's base URL as browsers reach it")
    matchmaking_url: str = setting("MATCHMAKING_PUBLIC_URL", doc="matchmaking's base URL as browsers reach it")
    notification_url: str = setting("NOTIFICATION_PUBLIC_URL", doc="notification's base URL as browsers reach it")
    billing_url: str = setting("BILLING_PUBLIC_URL", doc="billing's base URL as browsers reach it")
    secret_key: str = setting(
        "WEB_SECRET_KEY", doc="signs this service's short-lived flash-message cookie (any long random string)")
    secure_cookies: bool = setting(
        "SECURE_COOKIES", default=True, parse=flag,
        doc="send cookies over HTTPS only; false only for plain-http local development")
    proxy_hops: int = setting(
        "PROXY_HOPS", default=0, parse=int,
        doc="reverse proxies in front of the service whose X-Forwarded-* headers are trusted (rate limits key on the client address)")
    rate_limit_storage: str = setting(
        "RATE_LIMIT_STORAGE_URI", default="memory://",
        doc="where rate-limit counters live (memory:// counts per process; redis://... shares them between processes)")
    public_write_limit: str = setting(
        "PUBLIC_WRITE_RATE_LIMIT", default="30/minute;600/hour",
        doc="per client address, for public endpoints that write (registration, sign-in, access links)")

    @property
    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICE_NAMES}
