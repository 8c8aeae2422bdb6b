"""The meeting scheduler at the brief's scale, and compactness on small instances.

    .venv/bin/python bench/matchmaking_scheduler.py             # (a), (b) and the small instances
    .venv/bin/python bench/matchmaking_scheduler.py --only a    # one of: a, b, small

(a) 150 officers, 2,000 companies, 10,000 accepted requests, 2 days of 20-minute slots, 10 s;
(b) 500 officers, 10,000 companies, 30,000 accepted requests, 120 s. Instances come from
`bench/scheduler_instances.py` (seeded). Printed per instance: time, meetings placed, the
weighted objective beside the upper bound and the gap between them, idle gaps in total and
per person with meetings, the most any one person has, and whether a checker found any
broken hard constraint. Small instances (a few hundred meetings, all of which fit) compare the
idle gaps with what the exact CP-SAT model proves. Pure computation: no Kafka or PostgreSQL.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scheduler_instances import generate  # noqa: E402
from services.matchmaking.domain.scheduler import schedule  # noqa: E402
from services.matchmaking.domain.scheduling import violations  # noqa: E402

INSTANCES = {
    "a": (dict(officers=150, companies=2000, requests=10_000), 10.0, "within 10 s and 1% of the bound"),
    "b": (dict(officers=500, companies=10_000, requests=30_000), 120.0, "within 120 s and 3% of the bound"),
}
SMALL = [dict(officers=8, companies=40, requests=120, seed=3, b2g_share=0.5),
         dict(officers=12, companies=60, requests=200, seed=4, b2g_share=0.5),
         dict(officers=15, companies=90, requests=300, seed=5, b2g_share=0.5)]


# The solver gets 90 % of the target: building the model and the checks after it fit in the rest.
SOLVER_SHARE = 0.9


def report(name: str, shape: dict, limit: float) -> None:
    problem = generate(**shape)
    result = schedule(problem, time_limit=limit * SOLVER_SHARE)
    broken = violations(problem, result.placements)
    people = max(result.people_with_meetings, 1)
    print(f"{name}: {shape['requests']} requests, {shape['officers']} officers, {shape['companies']} companies, "
          f"{len(problem.slots)} slots, limit {limit:.0f} s")
    print(f"  time {result.seconds:.1f} s · placed {len(result.placements)} · objective {result.objective} · "
          f"upper bound {result.upper_bound} · gap {result.gap * 100:.3f} % · method {result.method}")
    print(f"  idle gaps {result.idle_gaps} ({result.idle_gaps / people:.2f} per person with meetings, "
          f"most for one person {result.max_idle_gaps}) · constraint violations {len(broken)}")
    if result.idle_gaps_lower_bound is not None or result.compactness_proven_optimal:
        print(f"  exact model: weight optimal {result.proven_optimal}, idle gaps proven optimal "
              f"{result.compactness_proven_optimal}, proven lower bound on idle gaps {result.idle_gaps_lower_bound}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["a", "b", "small"])
    parser.add_argument("--small-seconds", type=float, default=30.0)
    arguments = parser.parse_args()
    for name, (shape, limit, target) in INSTANCES.items():
        if arguments.only in (None, name):
            print(f"target: {target}")
            report(f"({name})", shape, limit)
    if arguments.only in (None, "small"):
        for shape in SMALL:
            report("small", shape, arguments.small_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
