"""What a schedule is and what makes one valid: the problem the scheduler solves, its answer,
and the checker that verifies every hard constraint on any answer.

A meeting has two parties: a company delegation ("company:<registration id>") and an officer
("officer:<officer id>") for B2G, or two delegations for B2B. Each party attends one meeting at
a time. A meeting takes one slot at one table: a B2G meeting sits at its officer's own table
when officers keep one all day, otherwise at any free B2G table; a B2B meeting at any free
B2B table.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.matchmaking.domain.frame import PartOfDay, Slot

B2G = "b2g"
B2B = "b2b"

# Placing two meetings always beats placing one; among one-for-one choices a sponsor's meeting
# wins (more for a higher tier), then one the receiver starred.
BASE_WEIGHT = 100
SPONSOR_STEP = 10
MAX_SPONSOR_LEVEL = 9
STARRED_BONUS = 5


def meeting_weight(sponsor_priority: int, starred: bool) -> int:
    return BASE_WEIGHT + SPONSOR_STEP * min(max(sponsor_priority, 0), MAX_SPONSOR_LEVEL) + \
        (STARRED_BONUS if starred else 0)


def officer_party(officer_id: str) -> str:
    return f"officer:{officer_id}"


def company_party(registration_id: str) -> str:
    return f"company:{registration_id}"


@dataclass(frozen=True)
class Placement:
    slot: int
    table: str


@dataclass(frozen=True)
class MeetingToPlace:
    id: str
    parties: tuple[str, str]
    kind: str  # B2G or B2B
    weight: int = BASE_WEIGHT
    part_of_day: PartOfDay = PartOfDay.ANY
    pinned: Placement | None = None  # set by an organiser: stays exactly there
    published: Placement | None = None  # where its parties were told it is


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    meetings: tuple[MeetingToPlace, ...]
    b2g_tables: tuple[str, ...] = ()
    b2b_tables: tuple[str, ...] = ()
    officer_tables: Mapping[str, str] = field(default_factory=dict)  # officer party -> their own table
    unavailable: Mapping[str, frozenset[int]] = field(default_factory=dict)  # party -> slot indexes
    daily_caps: Mapping[str, int] = field(default_factory=dict)  # party -> most meetings in one day
    allow_moves: bool = False  # may published meetings change slot or table?

    def fixed_placement(self, meeting: MeetingToPlace) -> Placement | None:
        """Where a meeting must be: its pin, or where it was published unless moves are allowed."""
        if meeting.pinned:
            return meeting.pinned
        if meeting.published and not self.allow_moves:
            return meeting.published
        return None

    def own_table(self, meeting: MeetingToPlace) -> str | None:
        """The table a B2G meeting must sit at, its officer keeping one all day; None when it
        shares the pool."""
        if meeting.kind == B2B:
            return None
        return next((self.officer_tables[p] for p in meeting.parties if p in self.officer_tables), None)

    def shared_b2g_tables(self) -> tuple[str, ...]:
        """The B2G tables no officer keeps: officers without one of their own (all of them, when
        officers keep no tables) share these."""
        kept = set(self.officer_tables.values())
        return tuple(t for t in self.b2g_tables if t not in kept)

    def pool_tables(self, meeting: MeetingToPlace) -> tuple[str, ...]:
        """The tables a meeting without a table of its own may take."""
        return self.b2b_tables if meeting.kind == B2B else self.shared_b2g_tables()

    def table_kind_ok(self, meeting: MeetingToPlace, table: str) -> bool:
        own = self.own_table(meeting)
        return table == own if own else table in self.pool_tables(meeting)


@dataclass(frozen=True)
class Unplaced:
    meeting_id: str
    reason: str


@dataclass(frozen=True)
class Schedule:
    placements: dict[str, Placement]
    unplaced: list[Unplaced]
    objective: int  # weight of the meetings placed
    upper_bound: int  # no schedule can place more weight than this
    idle_gaps: int  # gaps between one person's meetings in a day, summed over people and days
    max_idle_gaps: int  # the most gaps any one person has
    people_with_meetings: int
    proven_optimal: bool
    compactness_proven_optimal: bool
    idle_gaps_lower_bound: int | None  # what the exact model proved no schedule of that weight goes below
    seconds: float
    method: str

    @property
    def gap(self) -> float:
        """How far the objective may be from the best possible, as a fraction of the bound."""
        return 0.0 if self.upper_bound <= 0 else max(0.0, (self.upper_bound - self.objective) / self.upper_bound)


def idle_gaps_by_party(problem: Problem, placements: Mapping[str, Placement]) -> dict[str, int]:
    """For each person with meetings: idle gaps between their meetings, counted per day (a break
    in the frame is no idle gap, since no slot lies in it)."""
    busy: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_id = {m.id: m for m in problem.meetings}
    for meeting_id, placement in placements.items():
        slot = problem.slots[placement.slot]
        for party in by_id[meeting_id].parties:
            busy[party][slot.day].append(slot.position)
    gaps = {}
    for party, days in busy.items():
        count = 0
        for positions in days.values():
            ordered = sorted(positions)
            count += sum(1 for left, right in zip(ordered, ordered[1:]) if right - left > 1)
        gaps[party] = count
    return gaps


def violations(problem: Problem, placements: Mapping[str, Placement]) -> list[str]:
    """Every hard constraint the placements break, as sentences; [] for a valid schedule."""
    found: list[str] = []
    by_id = {m.id: m for m in problem.meetings}
    seats: dict[tuple[str, int], str] = {}
    tables: dict[tuple[str, int], str] = {}
    per_day: dict[tuple[str, int], int] = defaultdict(int)
    for meeting_id, placement in placements.items():
        meeting = by_id.get(meeting_id)
        if meeting is None:
            found.append(f"{meeting_id} is placed but is not a meeting to place")
            continue
        if not 0 <= placement.slot < len(problem.slots):
            found.append(f"{meeting_id} is in slot {placement.slot}, outside the frame")
            continue
        slot = problem.slots[placement.slot]
        fixed = problem.fixed_placement(meeting)
        if fixed is not None and fixed != placement:
            found.append(f"{meeting_id} must stay at slot {fixed.slot} table {fixed.table} (pinned or published)")
        if fixed is None:
            if not slot.fits(meeting.part_of_day):
                found.append(f"{meeting_id} asks for the {meeting.part_of_day.value} but is in slot {slot.index}")
            for party in meeting.parties:
                if slot.index in problem.unavailable.get(party, frozenset()):
                    found.append(f"{meeting_id} is in slot {slot.index}, when {party} is not available")
        if not problem.table_kind_ok(meeting, placement.table):
            found.append(f"{meeting_id} ({meeting.kind}) is at table {placement.table}, which is not for it")
        for party in meeting.parties:
            other = seats.setdefault((party, slot.index), meeting_id)
            if other != meeting_id:
                found.append(f"{party} is in {other} and {meeting_id} in slot {slot.index}")
            per_day[(party, slot.day)] += 1
        other = tables.setdefault((placement.table, slot.index), meeting_id)
        if other != meeting_id:
            found.append(f"table {placement.table} holds {other} and {meeting_id} in slot {slot.index}")
    for (party, day), count in per_day.items():
        cap = problem.daily_caps.get(party)
        if cap is not None and count > cap:
            found.append(f"{party} has {count} meetings on day {day + 1}, more than the cap of {cap}")
    for meeting in problem.meetings:
        if problem.fixed_placement(meeting) is not None and meeting.id not in placements:
            found.append(f"{meeting.id} is pinned or published but was dropped")
        if meeting.published and problem.allow_moves and meeting.id not in placements:
            found.append(f"{meeting.id} was published and may move, but not be dropped")
    return found
