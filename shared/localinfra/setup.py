"""The set-up step of `./dpd up`: once PostgreSQL and Kafka answer, give each service its
database and role, apply every service's migrations and topics, then tell the waiting
service processes (shared/localinfra/after_setup.py) to start, and print where to go.

It stays up afterwards (doing nothing) because honcho stops everything when one process ends.
"""
from __future__ import annotations

import importlib
import os
import secrets
import signal
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from shared.auth import write_new_key_pair
from shared.kafka import broker_answers
from shared.localinfra.ports import wait_until
from shared.localinfra.postgres import PostgresServer
from shared.localinfra.up import SETUP_DONE, run_dir

SERVICES = ("registration", "matchmaking", "notification", "billing")
LOCAL_EDITION = "dpd-2026"


def _postgres_answers(server: PostgresServer) -> bool:
    try:
        psycopg.connect(make_url(server.admin_url).set(drivername="postgresql").render_as_string(False),
                        connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def ensure_signing_keys(environ) -> None:
    private, public = Path(environ["AUTH_SIGNING_KEY_FILE"]), Path(environ["AUTH_PUBLIC_KEY_FILES"])
    if not private.exists():
        write_new_key_pair(private, public)


def ensure_first_admin(environ) -> str:
    """The organiser a newcomer signs in as; its password is kept beside the data, shown at every start."""
    password_file = run_dir(environ) / "admin-password"
    if not password_file.exists():
        password = secrets.token_urlsafe(12)
        importlib.import_module("services.registration.manage").create_organiser(["--email", environ["DEV_ADMIN_EMAIL"], "--name", "Event administrator", "--roles", "admin"],
                         {**environ, "DPD_ORGANISER_PASSWORD": password})
        password_file.write_text(password)
        password_file.chmod(0o600)
    return password_file.read_text()


def prepare(environ) -> None:
    ensure_signing_keys(environ)
    postgres = PostgresServer(run_dir(environ) / "postgres", port=int(environ["POSTGRES_PORT"]),
                              superuser_password=environ["POSTGRES_SUPERUSER_PASSWORD"])
    wait_until(lambda: _postgres_answers(postgres), timeout=180, interval=0.5, message="PostgreSQL did not start")
    for service in SERVICES:
        url = make_url(environ[f"{service.upper()}_DATABASE_URL"])
        postgres.ensure_database(url.database, owner=url.username, password=url.password)
    wait_until(lambda: broker_answers(environ["KAFKA_BOOTSTRAP_SERVERS"]), timeout=180, interval=0.5,
               message="Kafka did not start")
    for service in SERVICES:
        importlib.import_module(f"services.{service}.manage").migrate(environ)
    ensure_local_edition(environ)


def ensure_local_edition(environ) -> None:
    """An edition open for registration now, so a newcomer can register straight away."""
    now = datetime.now(timezone.utc)
    importlib.import_module("services.registration.manage").ensure_edition(
        environ, slug=LOCAL_EDITION, name="Defence Partnership Days (local)", venue="Manekshaw Centre, New Delhi",
        starts_on=date.today() + timedelta(days=30), ends_on=date.today() + timedelta(days=31),
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=29))


def main() -> int:
    environ = dict(os.environ)
    prepare(environ)
    admin_password = ensure_first_admin(environ)
    (run_dir(environ) / SETUP_DONE).write_text("ready\n")
    print("\n".join([
        "Defence Partnership Days is up:",
        *(f"  {s:<13} {environ[f'{s.upper()}_PUBLIC_URL']}/admin/" for s in SERVICES),
        f"  sign in as    {environ['DEV_ADMIN_EMAIL']} / {admin_password}",
        f"  register      POST {environ['REGISTRATION_PUBLIC_URL']}/api/v1/registrations (edition {LOCAL_EDITION})",
        f"  mail          every email sent is a file in {run_dir(environ) / 'mail' / 'new'}",
        *([f"  payments      {environ['RAZORPAY_API_URL']} is a payment gateway simulator: no real money moves"]
          if environ.get("GATEWAY_SIMULATOR_BIND") else []),
        "Ctrl-C stops everything.",
    ]), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
