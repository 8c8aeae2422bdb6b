"""Where a registration's time goes: registration's real app against the bare route, in one process.

Usage (from the repo root): .venv/bin/python bench/profile_registration.py [--requests 2000] [--rounds 3]
    [--top 30] [--no-profile]

On fresh Kafka and durable PostgreSQL (as the other benchmarks), registration's database is
migrated with an open edition, and the bare route's database (`bench/bare_registration.py`)
is made as `registration_surge.py` makes it. Then, in this process, with no HTTP server and
no other load from the benchmark, each app gets the same registrations through its WSGI
interface (Flask's test client, one thread, one request at a time):

1. timing: CPU (this thread's) and wall time per request, real and bare, after a warm-up, in
   rounds that alternate between the two (so a neighbour's burst hits both), median round;
2. a cProfile of the real app with a CPU-time clock: the request's CPU split into its parts
   (JSON, marshmallow and the checks it runs, edition lookup, domain rules, encryption, the
   event contract, SQL, pool pre-ping, NOTIFY, commit, rate limiter, access rules ...), and
   the functions that take most of it. Profiling slows everything down by a similar factor,
   so the shares matter, not the absolute figures; the timing in 1 is without the profiler.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from bench.harness import (  # noqa: E402
    describe_machine, local_infrastructure, platform_env, postgres_durability, run_benchmark)
from services.registration.manage import migrate as migrate_registration  # noqa: E402
from shared.db import upgrade_to_head  # noqa: E402
from shared.testing.fixtures import PROJECT_ROOT  # noqa: E402
from tests.support.editions import EDITION, open_edition  # noqa: E402
from tests.support.registrations import registration_payload  # noqa: E402

WARMUP = 300
REGISTRATION_MIGRATIONS = PROJECT_ROOT / "services" / "registration" / "migrations"

# (label, file path fragment, function name): cumulative CPU of each, per request. Nested
# parts are indented under the part that calls them; shares are of the whole request.
PARTS = [
    ("whole request (Flask WSGI app)", "flask/app.py", "wsgi_app"),
    ("  before_request: access rules (token, CSRF)", "shared/access.py", "enforce_access"),
    ("  before_request: correlation id", "shared/web.py", "take_correlation_id"),
    ("  view: POST /api/v1/registrations", "registration/web/api.py", "submit_registration"),
    ("    rate limiter (per client address)", "shared/rate_limits.py", "_refusal"),
    ("    JSON parse + marshmallow RegistrationIn.load", "shared/web.py", "load_json"),
    ("      request.get_json (JSON parse)", "werkzeug/wrappers/request.py", "get_json"),
    ("      email-validator (normalise_email)", "registration/domain/contact.py", "normalise_email"),
    ("      phonenumbers (normalise_phone)", "registration/domain/contact.py", "normalise_phone"),
    ("      GSTIN check", "registration/domain/identifiers.py", "validate_gstin"),
    ("      Udyam number check", "registration/domain/identifiers.py", "validate_udyam_number"),
    ("      identity document check", "registration/domain/model.py", "of"),
    ("    edition lookup (kept a few seconds per process)", "registration/adapters/edition_cache.py", "by_slug"),
    ("    domain rules (Registration.submit)", "registration/domain/model.py", "submit"),
    ("    submit_registration (the transaction)", "registration/service.py", "submit_registration"),
    ("      rows of the registration and its delegates", "registration/adapters/repository.py",
     "new_registration_rows"),
    ("        AES-GCM of identity numbers", "registration/adapters/personal_data.py", "encrypt"),
    ("      event contract (ContractRegistry.create)", "shared/events.py", "create"),
    ("      one statement: every row, outbox, NOTIFY", "shared/outbox.py", "insert_with_events"),
    ("      commit", "psycopg/connection.py", "commit"),
    ("    response: jsonify", "flask/json/__init__.py", "jsonify"),
    ("  after_request: CSRF cookie", "shared/access.py", "keep_csrf_cookie"),
    ("  all SQL statements (SQLAlchemy execute)", "sqlalchemy/engine/base.py", "execute"),
    ("    of which statement compile / cache lookup", "sqlalchemy/sql/elements.py", "_compile_w_cache"),
    ("    of which psycopg execute (driver + round trip)", "psycopg/cursor.py", "execute"),
    ("  pool checkouts (pre-ping included)", "sqlalchemy/pool/base.py", "_checkout"),
    ("    pre-ping", "sqlalchemy/engine/default.py", "_do_ping_w_event"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per app (default 2000)")
    parser.add_argument("--top", type=int, default=30, help="functions listed by own CPU time (default 30)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timing rounds, real and bare alternating; the median round is printed (default 3)")
    parser.add_argument("--no-profile", action="store_true", help="timing only")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=False) as infra:
        print(f"PostgreSQL: {postgres_durability(infra.postgres)}")
        env = platform_env(infra, databases_for=("registration",))
        env["PUBLIC_WRITE_RATE_LIMIT"] = "10000000/minute"
        migrate_registration(env)
        open_edition(env)
        bare_url = infra.postgres.ensure_database("bare", owner="bare", password=secrets.token_hex(8))
        upgrade_to_head(bare_url, REGISTRATION_MIGRATIONS)
        open_edition({**env, "REGISTRATION_DATABASE_URL": bare_url})
        os.environ.update(env, BARE_DATABASE_URL=bare_url, BARE_EDITION=EDITION)
        from bench.bare_registration import create_app as create_bare_app
        from services.registration.web.app import create_app as create_real_app
        real, bare = create_real_app().test_client(), create_bare_app().test_client()
        post_real = poster(real, "/api/v1/registrations", "real")
        post_bare = poster(bare, "/registrations", "bare")
        for post in (post_real, post_bare):
            for _ in range(WARMUP):
                post()
        rounds = {"real": [], "bare": []}
        for _ in range(args.rounds):
            for name, post in (("real", post_real), ("bare", post_bare)):
                rounds[name].append(timed(post, args.requests))
        timings = {name: (statistics.median(c for c, _ in values), statistics.median(w for _, w in values))
                   for name, values in rounds.items()}
        for name, (cpu, wall) in timings.items():
            print(f"{name}: {cpu:.2f} ms CPU, {wall:.2f} ms wall per request (median of {args.rounds} rounds of "
                  f"{args.requests} requests, in-process; rounds: "
                  + ", ".join(f"{c:.2f}" for c, _ in rounds[name]) + " ms CPU)")
        print(f"real / bare CPU per request: {timings['real'][0] / timings['bare'][0]:.2f}")
        if args.no_profile:
            return 0
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        for _ in range(args.requests):
            post_real()
        profile.disable()
        report(profile, args.requests, args.top)
    return 0


def poster(client, path: str, tag: str):
    counter = iter(range(10**9))

    def post() -> None:
        n = next(counter)
        body = json.dumps(registration_payload(f"{tag}.{n}@profile.example.in"))
        response = client.post(path, data=body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"{tag}: {response.status_code} {response.get_data(as_text=True)[:500]}")
    return post


def timed(post, count: int) -> tuple[float, float]:
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(count):
        post()
    return 1000 * (time.thread_time() - cpu) / count, 1000 * (time.perf_counter() - wall) / count


def report(profile: cProfile.Profile, count: int, top: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    entries = stats.stats  # (file, line, function) -> (primitive calls, calls, own time, cumulative, callers)
    whole = _cumulative(entries, *PARTS[0][1:])
    print(f"\nreal app under cProfile (CPU clock): {1000 * whole / count:.2f} ms per request, by part:")
    for label, fragment, function in PARTS:
        seconds = _cumulative(entries, fragment, function)
        print(f"  {label:<58} {1000 * seconds / count:7.3f} ms  {100 * seconds / whole:5.1f} %")
    print(f"\nthe {top} functions with the most own CPU time:")
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    print(text[text.find("   ncalls"):] if "   ncalls" in text else text)


def _cumulative(entries, fragment: str, function: str) -> float:
    """Cumulative time of every function `function` defined in a file whose path contains `fragment`,
    minus recursive calls (pstats counts the outermost call's cumulative time once)."""
    return sum(values[3] for (path, _line, name), values in entries.items()
               if name == function and fragment in path.replace("\\", "/"))


if __name__ == "__main__":
    run_benchmark(main)
