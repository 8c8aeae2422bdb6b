"""Registration's operations commands:
`python -m services.registration.manage migrate`
`python -m services.registration.manage create-organiser --email a@b.in --name "A B" --roles admin`"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from services.registration import config, identity
from services.registration.bootstrap import TOPICS, bootstrap
from shared.service_cli import command_line, migrate_database_and_topics


def migrate(environ=None) -> None:
    """bring the database to the newest migration and create the topics registration owns"""
    settings, kafka = config.load(environ)
    migrate_database_and_topics(settings.database_url, Path(__file__).with_name("migrations"), kafka, TOPICS)


def create_organiser(arguments: list[str], environ=None) -> None:
    """add an organiser account (password from DPD_ORGANISER_PASSWORD, else a new one is printed)"""
    parser = argparse.ArgumentParser(prog="create-organiser")
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--roles", required=True, help="comma-separated: admin, vetting, matchmaking, finance, viewer")
    args = parser.parse_args(arguments)
    environ = os.environ if environ is None else environ
    password = environ.get("DPD_ORGANISER_PASSWORD") or secrets.token_urlsafe(12)
    wiring = bootstrap(environ)
    try:
        identity.create_organiser(wiring, actor=None, email=args.email, name=args.name,
                                  roles=[r.strip() for r in args.roles.split(",") if r.strip()], password=password,
                                  correlation_id="manage-create-organiser")
    finally:
        wiring.engine.dispose()
    if "DPD_ORGANISER_PASSWORD" not in environ:
        print(f"Organiser {args.email} created; password: {password}")


if __name__ == "__main__":
    sys.exit(command_line("registration", {"migrate": migrate, "create-organiser": create_organiser}))
