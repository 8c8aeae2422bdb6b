"""Billing's operations commands. `python -m services.billing.manage migrate`"""
from __future__ import annotations

import sys
from pathlib import Path

from services.billing import config
from services.billing.bootstrap import TOPICS
from shared.service_cli import command_line, migrate_database_and_topics


def migrate(environ=None) -> None:
    """bring the database to the newest migration and create the topics billing owns"""
    settings, kafka = config.load(environ)
    migrate_database_and_topics(settings.database_url, Path(__file__).with_name("migrations"), kafka, TOPICS)


if __name__ == "__main__":
    sys.exit(command_line("billing", {"migrate": migrate}))
