"""The operations command line every service offers: `python -m services.<name>.manage <command>`."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from shared.config import KafkaSettings
from shared.db import upgrade_to_head
from shared.kafka import TopicSpec, ensure_topics


def migrate_database_and_topics(database_url: str, migrations: Path, kafka: KafkaSettings,
                                topics: list[TopicSpec]) -> None:
    """The one explicit set-up step before a service starts: schema to the newest migration, owned topics made."""
    upgrade_to_head(database_url, migrations)
    ensure_topics(kafka, topics)


def command_line(service: str, commands: dict[str, Callable[..., None]], argv=None) -> int:
    """`commands` maps a name to a function; one that takes arguments parses the rest of the line."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}.manage")
    parser.add_argument("command", choices=sorted(commands),
                        help="; ".join(f"{name}: {(fn.__doc__ or '').strip()}" for name, fn in commands.items()))
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    parsed = parser.parse_args(argv)
    command = commands[parsed.command]
    command(parsed.arguments) if parsed.arguments else command()
    return 0
