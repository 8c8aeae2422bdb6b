"""Matchmaking's operations commands. `python -m services.matchmaking.manage migrate`"""
from __future__ import annotations

import sys
from pathlib import Path

from services.matchmaking import config
from services.matchmaking.bootstrap import TOPICS
from shared.service_cli import command_line, migrate_database_and_topics


def migrate(environ=None) -> None:
    """bring the database to the newest migration and create the topics matchmaking owns"""
    settings, kafka = config.load(environ)
    migrate_database_and_topics(settings.database_url, Path(__file__).with_name("migrations"), kafka, TOPICS)


if __name__ == "__main__":
    sys.exit(command_line("matchmaking", {"migrate": migrate}))
