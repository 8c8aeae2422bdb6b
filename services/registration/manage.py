"""Registration's operations commands:
`python -m services.registration.manage migrate`
`python -m services.registration.manage create-organiser --email a@b.in --name "A B" --roles admin`"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
from datetime import date, datetime
from pathlib import Path

from services.registration import config, erasure, identity, service
from services.registration.domain.editions import CategoryRule, Edition
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


def ensure_edition(environ, *, slug: str, name: str, venue: str, starts_on: date, ends_on: date,
                   registration_opens_at: datetime, registration_closes_at: datetime,
                   categories: dict[str, CategoryRule] | None = None) -> str:
    """Create the edition `slug` unless it exists; its id either way (for set-up and demo data)."""
    wiring = bootstrap(environ)
    try:
        existing = service.find_edition(wiring.engine, slug)
        if existing:
            return existing.id
        return service.save_edition(
            wiring.engine, wiring.contracts, Edition(slug=slug, name=name, venue=venue, starts_on=starts_on, ends_on=ends_on,
                                   time_zone="Asia/Kolkata", registration_opens_at=registration_opens_at,
                                   registration_closes_at=registration_closes_at, categories=categories or {}),
            actor=None, correlation_id="manage-ensure-edition").id
    finally:
        wiring.engine.dispose()


def erase_person(arguments: list[str], environ=None) -> None:
    """erase a person's personal data (after the event) and tell every service to forget them"""
    parser = argparse.ArgumentParser(prog="erase-person")
    parser.add_argument("--email", required=True)
    args = parser.parse_args(arguments)
    wiring = bootstrap(environ)
    try:
        count = erasure.erase_person(wiring.engine, wiring.contracts, args.email, correlation_id="manage-erase-person")
    finally:
        wiring.engine.dispose()
    print(f"Erased {count} record(s) of {args.email}.")


if __name__ == "__main__":
    sys.exit(command_line("registration", {"migrate": migrate, "create-organiser": create_organiser,
                                           "erase-person": erase_person}))
