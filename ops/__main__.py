"""`python -m ops <command> ...`: consistency, replay, dead letters, outbox backlog, backups, key rotation.
`python -m ops --help` lists the commands; docs/operations.md says when to use which."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa

from ops import consistency
from shared.config import SERVICE_NAMES, ConfigError, KafkaSettings, load_settings, paths
from shared.ops import backup, dead_letters, outbox_report, replay, secrets
from shared.ops.consumer_groups import GroupBusy, consumer_group_lag, new_admin

_REFUSALS = (ConfigError, ValueError, LookupError, FileNotFoundError, FileExistsError, GroupBusy,
             backup.DatabaseInUse, RuntimeError)


def _service_settings(service: str, environ) -> tuple[str, KafkaSettings]:
    """The service's database URL and bus settings, read and checked by its own config module."""
    settings, kafka = importlib.import_module(f"services.{service}.config").load(environ)
    return settings.database_url, kafka


def _engine(database_url: str) -> sa.engine.Engine:
    return sa.create_engine(database_url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})


def _timestamp(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time zone too, e.g. 2026-11-28T09:00:00+05:30")
    return moment


def consumer_lag(args, environ, out: TextIO) -> int:
    kafka = load_settings(KafkaSettings, environ)
    admin = new_admin(kafka, client_id="ops")
    try:
        for group in args.groups:
            topics = args.topic or replay.consumed_topics(kafka, group)
            lag = consumer_group_lag(admin, kafka, group, topics) if topics else {}
            print(f"{group}: {sum(lag.values())} message(s) behind", file=out)
            for partition, behind in sorted(lag.items()):
                print(f"  {partition.topic.removeprefix(kafka.topic_prefix)}[{partition.partition}] {behind}", file=out)
    finally:
        admin.close()
    return 0


def replay_group(args, environ, out: TextIO) -> int:
    database_url, kafka = _service_settings(args.service, environ)
    topics = args.topic or replay.consumed_topics(kafka, args.group)
    if not topics:
        raise LookupError(f"consumer group {args.group} has consumed nothing: name its topics with --topic")
    engine = _engine(database_url)
    try:
        plan = replay.plan_replay(engine, kafka, args.group, topics, since=args.since, tables_to_empty=args.rebuild)
        print(f"Replay of {', '.join(topics)} into {args.group} "
              f"({'from ' + plan.since.isoformat() if plan.since else 'from the beginning'}):", file=out)
        for move in plan.moves:
            print(f"  {move.partition.topic.removeprefix(kafka.topic_prefix)}[{move.partition.partition}] "
                  f"{'-' if move.committed is None else move.committed} -> {move.target}", file=out)
        print(f"  {plan.events_to_replay} message(s) to consume again, {plan.marks_to_clear} processed mark(s) "
              f"to clear, tables to empty: {', '.join(plan.tables_to_empty) or 'none'}", file=out)
        if not args.yes:
            print("Nothing changed (a dry run): add --yes to carry it out, with the group's workers stopped.", file=out)
            return 0
        replay.carry_out(engine, kafka, plan)
    finally:
        engine.dispose()
    print(f"Done: start {args.service}'s workers and they re-apply the events.", file=out)
    return 0


def list_dead_letters(args, environ, out: TextIO) -> int:
    kafka = load_settings(KafkaSettings, environ)
    letters = dead_letters.read_dead_letters(kafka, args.group)
    waiting = [letter for letter in letters if not letter.redriven]
    print(f"{args.group}: {len(letters)} dead letter(s), {len(waiting)} not re-driven", file=out)
    for letter in letters:
        event = letter.event
        print(f"  @{letter.offset} {letter.parked_at:%Y-%m-%d %H:%M:%S}Z "
              f"{'redriven' if letter.redriven else 'waiting '} {event.get('type') or '(not an event)'} "
              f"{event.get('id', '')} from {letter.origin}: {letter.error[:160]}", file=out)
    return 0


def show_dead_letter(args, environ, out: TextIO) -> int:
    kafka = load_settings(KafkaSettings, environ)
    letter = next((l for l in dead_letters.read_dead_letters(kafka, args.group) if l.offset == args.offset), None)
    if letter is None:
        raise LookupError(f"no dead letter of {args.group} at offset {args.offset}")
    try:
        value = json.loads(letter.value)
    except ValueError:
        value = letter.value.decode(errors="replace")
    print(json.dumps({"offset": letter.offset, "parked_at": letter.parked_at.isoformat(),
                      "redriven": letter.redriven, "key": (letter.key or b"").decode(errors="replace"),
                      "headers": {k: v.decode(errors="replace") for k, v in letter.headers},
                      "value": value}, indent=2, ensure_ascii=False), file=out)
    return 0


def redrive_dead_letters(args, environ, out: TextIO) -> int:
    kafka = load_settings(KafkaSettings, environ)
    sent = dead_letters.redrive(kafka, args.group, None if args.all else args.offset)
    for letter in sent:
        print(f"  @{letter.offset} -> {letter.original_topic.removeprefix(kafka.topic_prefix)} "
              f"{letter.event.get('type', '')} {letter.event.get('id', '')}", file=out)
    print(f"Re-drove {len(sent)} dead letter(s) of {args.group}.", file=out)
    return 0


def show_outbox(args, environ, out: TextIO) -> int:
    database_url, _kafka = _service_settings(args.service, environ)
    engine = _engine(database_url)
    try:
        backlog, oldest = outbox_report.outbox_backlog(engine, oldest=args.oldest)
    finally:
        engine.dispose()
    print(f"{args.service}: {backlog.count} event(s) waiting to be published, "
          f"the oldest for {backlog.oldest_age_seconds:.0f} s", file=out)
    for event in oldest:
        print(f"  #{event.position} {event.created_at:%Y-%m-%d %H:%M:%S%z} {event.event_type} -> {event.topic} "
              f"(tries {event.publish_attempts}{': ' + event.last_error[:160] if event.last_error else ''})", file=out)
    return 0


def back_up_database(args, environ, out: TextIO) -> int:
    database_url, _kafka = _service_settings(args.service, environ)
    started = datetime.now(timezone.utc)
    backup.back_up(database_url, args.file)
    print(f"Backed up {args.service} to {args.file} ({args.file.stat().st_size} bytes) at {started.isoformat()}.",
          file=out)
    print(f"After restoring it, replay each of {args.service}'s consumer groups with --since {started.isoformat()}.",
          file=out)
    return 0


def restore_database(args, environ, out: TextIO) -> int:
    database_url, _kafka = _service_settings(args.service, environ)
    if not args.yes:
        raise ValueError("a restore replaces every table of the service's database: add --yes to carry it out")
    backup.restore(database_url, args.file)
    print(f"Restored {args.service} from {args.file}.", file=out)
    return 0


def check_consistency(args, environ, out: TextIO) -> int:
    urls = {service: _service_settings(service, environ)[0] for service in consistency.services_read()}
    return consistency.report(consistency.run_checks(urls), consistency.events_in_flight(urls), out)


def make_signing_key(args, environ, out: TextIO) -> int:
    private_file, public_file, kid = secrets.new_signing_key(args.directory, args.name)
    print(f"New signing key {kid}: private {private_file}, public {public_file}", file=out)
    print("Next: add the public file to every service's AUTH_PUBLIC_KEY_FILES and roll them out; then point "
          "registration's AUTH_SIGNING_KEY_FILE at the private file (docs/runbooks/rotating-secrets.md).", file=out)
    return 0


def check_signing_key(args, environ, out: TextIO) -> int:
    environ = os.environ if environ is None else environ
    missing = [name for name in ("AUTH_SIGNING_KEY_FILE", "AUTH_PUBLIC_KEY_FILES") if not environ.get(name)]
    if missing:
        raise ConfigError(f"check-signing-key reads {' and '.join(missing)} from the environment")
    signing, verifiable = secrets.signing_key_is_verifiable(paths(environ["AUTH_SIGNING_KEY_FILE"])[0],
                                                            list(paths(environ["AUTH_PUBLIC_KEY_FILES"])))
    if signing not in verifiable:
        print(f"NOT SAFE: tokens would be signed with {signing}, which the verifiers' keys "
              f"({', '.join(verifiable)}) do not include.", file=out)
        return 1
    print(f"Safe: the signing key {signing} is among the verifiers' keys ({', '.join(verifiable)}).", file=out)
    return 0


def make_webhook_secret(args, environ, out: TextIO) -> int:
    print(f"{secrets.WEBHOOK_SECRET_VARIABLE}={secrets.new_webhook_secret()}", file=out)
    print(f"Keep the current one in {secrets.PREVIOUS_WEBHOOK_SECRETS_VARIABLE} until the gateway signs with the "
          f"new one (docs/runbooks/rotating-secrets.md).", file=out)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    command("consistency", check_consistency, "what one service knows that another is missing (approved "
            "organisations in matchmaking, notification and billing, meetings' invitations, paid orders' invoices "
            "and their emails, refunds' credit notes, sponsors' priority); exit 1 if anything is")

    lag = command("consumer-lag", consumer_lag, "how many messages each consumer group has yet to process")
    lag.add_argument("groups", nargs="+", metavar="GROUP")
    lag.add_argument("--topic", action="append", help="only these topics (default: those the group consumed)")

    rep = command("replay", replay_group, "re-consume a group's topics to rebuild the read model it keeps "
                  "(a dry run unless --yes; its workers must be stopped)")
    rep.add_argument("service", choices=SERVICE_NAMES)
    rep.add_argument("group")
    rep.add_argument("--topic", action="append", help="topics to replay (default: every one the group consumed)")
    rep.add_argument("--since", type=_timestamp, help="replay from this moment (ISO 8601 with zone); default: all")
    rep.add_argument("--rebuild", action="append", default=[], metavar="TABLE",
                     help="empty this read-model table first (repeatable)")
    rep.add_argument("--yes", action="store_true", help="carry it out")

    dead = command("dead-letters", list_dead_letters, "list a consumer group's dead letters")
    dead.add_argument("group")
    one = command("dead-letter", show_dead_letter, "show one dead letter in full (headers, error, envelope)")
    one.add_argument("group")
    one.add_argument("offset", type=int)
    red = command("redrive", redrive_dead_letters, "send dead letters back to their original topic")
    red.add_argument("group")
    which = red.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every dead letter not re-driven yet")
    which.add_argument("--offset", type=int, action="append", help="this one (repeatable)")

    out = command("outbox", show_outbox, "show a service's outbox backlog and its oldest events")
    out.add_argument("service", choices=SERVICE_NAMES)
    out.add_argument("--oldest", type=int, default=20, help="how many of the oldest waiting events to list")

    dump = command("backup", back_up_database, "back up a service's database to a file (pg_dump custom format)")
    dump.add_argument("service", choices=SERVICE_NAMES)
    dump.add_argument("file", type=Path)
    load = command("restore", restore_database, "restore a service's database from a backup (service stopped)")
    load.add_argument("service", choices=SERVICE_NAMES)
    load.add_argument("file", type=Path)
    load.add_argument("--yes", action="store_true", help="carry it out")

    key = command("new-signing-key", make_signing_key, "write a new token signing key pair")
    key.add_argument("directory", type=Path)
    key.add_argument("--name", default=f"signing-{datetime.now(timezone.utc):%Y%m%d}")
    command("check-signing-key", check_signing_key,
            "is AUTH_SIGNING_KEY_FILE's key among AUTH_PUBLIC_KEY_FILES? (before switching the signer)")
    command("new-webhook-secret", make_webhook_secret, "print a new payment gateway webhook secret")
    return top


def main(argv: list[str] | None = None, environ=None, out: TextIO = sys.stdout) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args, os.environ if environ is None else environ, out)
    except _REFUSALS as error:
        print(f"ops {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
