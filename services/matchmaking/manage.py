"""Matchmaking's operations commands. `python -m services.matchmaking.manage migrate`"""
from __future__ import annotations

import sys
from pathlib import Path

from services.matchmaking import config, read_model
from services.matchmaking.bootstrap import TOPICS, bootstrap
from shared.service_cli import command_line, migrate_database_and_topics


def migrate(environ=None) -> None:
    """bring the database to the newest migration and create the topics matchmaking owns"""
    settings, kafka = config.load(environ)
    migrate_database_and_topics(settings.database_url, Path(__file__).with_name("migrations"), kafka, TOPICS)


def rebuild_read_model(environ=None) -> None:
    """empty the read model and replay registration's and billing's topics from their start"""
    wiring = bootstrap(environ)
    try:
        rebuilt = read_model.rebuild(wiring.engine, wiring.kafka, wiring.contracts)
        print(f"read model rebuilt from {rebuilt.applied} events ({rebuilt.skipped} unreadable ones skipped)")
    finally:
        wiring.engine.dispose()


if __name__ == "__main__":
    sys.exit(command_line("matchmaking", {"migrate": migrate, "rebuild-read-model": rebuild_read_model}))
