"""The environment a deployment of the four services needs, built from its parts.

One function for the test fixtures (`platform_env` in fixtures.py) and the benchmarks
(`bench/`) alike, so a setting a service starts to require is added here once and both
get it. Plain Python, no pytest: the parts (a Kafka broker, a PostgreSQL server, an SMTP
server, a signing key pair) are whatever the caller started.
"""
from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from shared.auth import write_new_key_pair
from shared.config import SERVICE_NAMES
from shared.localinfra.ports import free_port
from shared.localinfra.postgres import PostgresServer

MAIL_FROM = "Defence Partnership Days <no-reply@dpd.test>"

# Tests and benchmarks send from one address far faster than a person does. The limiter
# stays in the request path; the limit itself has its own test.
HIGH_PUBLIC_WRITE_RATE_LIMIT = "100000/minute"


def new_signing_keys(folder: Path) -> tuple[Path, Path]:
    """A fresh token signing key pair in `folder`: (private, public) PEM files."""
    private_key, public_key = folder / "signing.pem", folder / "signing.pub.pem"
    write_new_key_pair(private_key, public_key)
    return private_key, public_key


def platform_environment(
    *,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    databases: PostgresServer | Callable[[str], str],
    smtp_host: str | None,
    smtp_port: int | None,
    signing_keys: tuple[Path, Path],
    ports: Mapping[str, int] | None = None,
    databases_for: Collection[str] = SERVICE_NAMES,
    public_write_rate_limit: str = HIGH_PUBLIC_WRITE_RATE_LIMIT,
) -> dict[str, str]:
    """Every environment variable the services' web processes, workers and `migrate` steps need.

    - `databases`: a PostgresServer, on which each service gets a database and login role
      named after it (fresh password), or a callable `service -> SQLAlchemy URL` that makes one.
    - `smtp_host`, `smtp_port`: where notification sends email (None when no SMTP server runs:
      notification then refuses to start, naming the missing variables).
    - `signing_keys`: (private, public) PEM files, e.g. from `new_signing_keys`.
    - `ports`: each service's port on 127.0.0.1 (missing ones: a free port now). Every
      service gets its port up front, so each one knows the others' URLs from the start.
    - `databases_for`: the services that get a database (all four unless a caller runs fewer).

    Secrets (`WEB_SECRET_KEY`, `PERSONAL_DATA_KEY`, `BADGE_SIGNING_SECRET`, billing's link and
    gateway secrets) are new random values on every call; cookies are not Secure (plain http on loopback).
    """
    unknown = set(databases_for) - set(SERVICE_NAMES)
    if unknown:
        raise ValueError(f"no such service: {', '.join(sorted(unknown))}")
    private_key, public_key = signing_keys
    env = {
        "AUTH_SIGNING_KEY_FILE": str(private_key),
        "AUTH_PUBLIC_KEY_FILES": str(public_key),
        "WEB_SECRET_KEY": secrets.token_hex(16),
        "PERSONAL_DATA_KEY": _random_key(),
        "BADGE_SIGNING_SECRET": _random_key(),
        "SECURE_COOKIES": "false",
        "PUBLIC_WRITE_RATE_LIMIT": public_write_rate_limit,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "KAFKA_REPLICATION_FACTOR": "1",
        "MAIL_FROM": MAIL_FROM,
        "LOG_LEVEL": "INFO",
        # Billing: the organiser invoicing from Delhi, and the payment gateway's credentials
        # (RAZORPAY_API_URL stays unset: a test that pays points it at its gateway simulator).
        "BILLING_SUPPLIER_LEGAL_NAME": "Centre for Joint Warfare Studies",
        "BILLING_SUPPLIER_GSTIN": "07AAACD1234E1ZB",
        "BILLING_SUPPLIER_ADDRESS": "Kashmir House, Rajaji Marg, New Delhi 110011",
        "BILLING_SUPPLIER_LEGAL_FORM": "company",
        "BILLING_DOCUMENT_LINK_SECRET": _random_key(),
        "BILLING_BANK_TRANSFER_DETAILS": "Centre for Joint Warfare Studies, A/c 000123456789, IFSC SBIN0000691",
        "RAZORPAY_KEY_ID": "rzp_test_" + secrets.token_hex(7),
        "RAZORPAY_KEY_SECRET": secrets.token_urlsafe(24),
        "RAZORPAY_WEBHOOK_SECRET": secrets.token_urlsafe(24),
    }
    if smtp_host is not None and smtp_port is not None:
        env |= {"SMTP_HOST": smtp_host, "SMTP_PORT": str(smtp_port)}
    database_url = _database_maker(databases)
    for service in SERVICE_NAMES:
        port = (ports or {}).get(service) or free_port()
        env[f"{service.upper()}_BIND"] = f"127.0.0.1:{port}"
        env[f"{service.upper()}_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        if service in databases_for:
            env[f"{service.upper()}_DATABASE_URL"] = database_url(service)
    return env


def _random_key() -> str:
    """base64 of 32 random bytes, the form PERSONAL_DATA_KEY and BADGE_SIGNING_SECRET take."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _database_maker(databases: PostgresServer | Callable[[str], str]) -> Callable[[str], str]:
    if isinstance(databases, PostgresServer):
        return lambda service: databases.ensure_database(service, owner=service, password=secrets.token_hex(8))
    return databases
