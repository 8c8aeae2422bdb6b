"""Instances of the meeting-scheduling problem at a given scale, reproducible from a seed.

Shaped like the event: two days of 20-minute slots (09:30-13:00 and 14:00-17:30, lunch
between), officers who each keep a B2G table and take at most 16 meetings a day, a B2B table
pool, popularity skewed towards some officers and companies (a few are asked by many), some
people away for half a day, some requests for the morning or the afternoon only, a few
sponsors, and requests the receiver starred.
"""
from __future__ import annotations

import random
from datetime import date, time

from services.matchmaking.domain.frame import Break, Day, Frame, PartOfDay
from services.matchmaking.domain.scheduling import (
    B2B, B2G, MeetingToPlace, Problem, company_party, meeting_weight, officer_party)


def event_frame(b2g_tables: int, b2b_tables: int, *, days: int = 2, officer_cap: int = 16) -> Frame:
    return Frame(edition_id="bench", time_zone="Asia/Kolkata",
                 days=tuple(Day(date(2026, 11, 26 + d), time(9, 30), time(17, 30),
                                (Break(time(13, 0), time(14, 0), "Lunch"),)) for d in range(days)),
                 slot_minutes=20, b2g_tables=b2g_tables, b2b_tables=b2b_tables,
                 max_meetings_per_officer_per_day=officer_cap)


def _skewed(rng: random.Random, count: int) -> int:
    """An index in range(count), the low ones far more likely (a few very popular people)."""
    return min(int(rng.paretovariate(1.2)) - 1, count - 1) if rng.random() < 0.25 else rng.randrange(count)


def generate(*, officers: int, companies: int, requests: int, seed: int = 1, b2g_share: float = 0.45,
             b2b_tables: int | None = None, days: int = 2) -> Problem:
    rng = random.Random(seed)
    b2b_count = int(requests * (1 - b2g_share))
    frame = event_frame(officers, b2b_tables or max(1, int(b2b_count / (20 * days) * 1.35)), days=days)
    slots = frame.slots
    half_days = [[s.index for s in slots if s.day == d and s.part is part]
                 for d in range(days) for part in (PartOfDay.MORNING, PartOfDay.AFTERNOON)]
    officer_ids = [officer_party(f"o{i}") for i in range(officers)]
    company_ids = [company_party(f"c{i}") for i in range(companies)]
    unavailable = {}
    for party, share in [(p, 0.2) for p in officer_ids] + [(p, 0.3) for p in company_ids]:
        if rng.random() < share:
            unavailable[party] = frozenset(rng.choice(half_days))
    priority = {p: rng.choice((1, 2, 3)) for p in company_ids if rng.random() < 0.05}
    pairs: set[tuple[str, str]] = set()
    meetings = []
    while len(meetings) < requests:
        requester = company_ids[rng.randrange(companies)]
        if len(meetings) < requests - b2b_count:
            receiver, kind = officer_ids[_skewed(rng, officers)], B2G
        else:
            receiver, kind = company_ids[_skewed(rng, companies)], B2B
        pair = tuple(sorted((requester, receiver)))
        if requester == receiver or pair in pairs:
            continue
        pairs.add(pair)
        draw = rng.random()
        part = PartOfDay.MORNING if draw < 0.2 else PartOfDay.AFTERNOON if draw < 0.35 else PartOfDay.ANY
        weight = meeting_weight(max(priority.get(requester, 0), priority.get(receiver, 0)), rng.random() < 0.2)
        meetings.append(MeetingToPlace(id=f"m{len(meetings)}", parties=(requester, receiver), kind=kind,
                                       weight=weight, part_of_day=part))
    return Problem(slots=slots, meetings=tuple(meetings), b2g_tables=tuple(frame.b2g_table_labels()),
                   b2b_tables=tuple(frame.b2b_table_labels()),
                   officer_tables=dict(zip(officer_ids, frame.b2g_table_labels())), unavailable=unavailable,
                   daily_caps={p: frame.max_meetings_per_officer_per_day for p in officer_ids})
