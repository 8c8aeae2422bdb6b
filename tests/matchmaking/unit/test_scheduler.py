"""The scheduler on hand-made cases, one per hard constraint (each would break it if ignored),
and a property test: whatever small instance it gets, every schedule it returns is valid."""
from __future__ import annotations

from datetime import date, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matchmaking.domain.frame import Break, Day, Frame, PartOfDay
from services.matchmaking.domain.scheduler import schedule
from services.matchmaking.domain.scheduling import (
    B2B, B2G, MeetingToPlace, Placement, Problem, idle_gaps_by_party, meeting_weight, violations)

OFFICER, OTHER_OFFICER = "officer:o1", "officer:o2"
ALPHA, BETA, GAMMA = "company:a", "company:b", "company:c"


def frame(slots_per_day: int = 3, days: int = 1, b2g: int = 2, b2b: int = 2) -> Frame:
    closes = time(9 + slots_per_day // 3, 20 * (slots_per_day % 3))
    return Frame(edition_id="e", time_zone="Asia/Kolkata", slot_minutes=20, b2g_tables=b2g, b2b_tables=b2b,
                 days=tuple(Day(date(2026, 11, 28 + d), time(9), closes) for d in range(days)))


def problem(meetings, *, slots_per_day=3, days=1, b2b_tables=2, officer_tables=True, **extra) -> Problem:
    shape = frame(slots_per_day, days, b2b=b2b_tables)
    officers = sorted({p for m in meetings for p in m.parties if p.startswith("officer:")})
    return Problem(slots=shape.slots, meetings=tuple(meetings), b2g_tables=tuple(shape.b2g_table_labels()),
                   b2b_tables=tuple(shape.b2b_table_labels()),
                   officer_tables=dict(zip(officers, shape.b2g_table_labels())) if officer_tables else {}, **extra)


def b2g(name, company, officer=OFFICER, **extra) -> MeetingToPlace:
    return MeetingToPlace(id=name, parties=(company, officer), kind=B2G, **extra)


def b2b(name, first, second, **extra) -> MeetingToPlace:
    return MeetingToPlace(id=name, parties=(first, second), kind=B2B, **extra)


def solved(p: Problem):
    result = schedule(p, time_limit=5)
    assert violations(p, result.placements) == []
    return result


def test_an_officer_is_never_in_two_meetings_at_once():
    p = problem([b2g(f"m{i}", f"company:{i}") for i in range(4)])
    result = solved(p)
    assert len(result.placements) == 3, "three slots, one officer: the fourth meeting cannot fit"
    assert len({pl.slot for pl in result.placements.values()}) == 3
    assert result.upper_bound == 3 * meeting_weight(0, False) and result.gap == 0


def test_a_delegation_is_never_in_two_meetings_at_once():
    p = problem([b2g("m1", ALPHA, OFFICER), b2g("m2", ALPHA, OTHER_OFFICER), b2b("m3", ALPHA, BETA)],
                slots_per_day=2)
    result = solved(p)
    assert len(result.placements) == 2
    assert len({pl.slot for pl in result.placements.values()}) == 2


def test_b2b_tables_are_never_double_booked():
    p = problem([b2b("m1", ALPHA, BETA), b2b("m2", GAMMA, "company:d"), b2b("m3", "company:e", "company:f")],
                slots_per_day=1, b2b_tables=2)
    result = solved(p)
    assert len(result.placements) == 2, "two B2B tables and one slot hold two meetings"
    assert {pl.table for pl in result.placements.values()} == {"B1", "B2"}


def test_without_b2b_tables_b2b_meetings_are_left_unplaced_and_told_why():
    result = solved(problem([b2b("m1", ALPHA, BETA), b2g("m2", GAMMA)], b2b_tables=0))
    assert set(result.placements) == {"m2"}
    assert [(u.meeting_id, u.reason) for u in result.unplaced] == [
        ("m1", "no table can take it: the frame has no B2B tables")]


def test_an_officer_keeps_their_own_table_and_b2g_tables_are_pooled_otherwise():
    kept = solved(problem([b2g("m1", ALPHA), b2g("m2", BETA)]))
    assert {pl.table for pl in kept.placements.values()} == {"G1"}
    pooled = solved(problem([b2g("m1", ALPHA, OFFICER), b2g("m2", BETA, OTHER_OFFICER)], slots_per_day=1,
                            officer_tables=False))
    assert sorted(pl.table for pl in pooled.placements.values()) == ["G1", "G2"]


def test_an_officer_beyond_the_kept_tables_shares_what_no_officer_keeps():
    """Two B2G tables, three officers who keep theirs: the third has no table left to share."""
    third = "officer:o3"
    meetings = [b2g("m1", ALPHA), b2g("m2", BETA, OTHER_OFFICER), b2g("m3", GAMMA, third)]
    result = solved(problem(meetings, slots_per_day=2))
    assert set(result.placements) == {"m1", "m2"}
    assert [(u.meeting_id, u.reason) for u in result.unplaced] == [
        ("m3", "no table can take it: every B2G table is kept by another officer")]
    shared = problem(meetings, slots_per_day=2, officer_tables=False)
    assert len(solved(shared).placements) == 3 and not solved(shared).unplaced


def test_unavailable_slots_are_respected():
    p = problem([b2g("m1", ALPHA)], unavailable={ALPHA: frozenset({0, 1}), OFFICER: frozenset({2})})
    result = solved(p)
    assert result.placements == {}
    assert "share no available slot" in result.unplaced[0].reason


def test_breaks_hold_no_slot():
    shape = Frame(edition_id="e", time_zone="Asia/Kolkata", b2g_tables=1, b2b_tables=1,
                  days=(Day(date(2026, 11, 28), time(9), time(10, 20), (Break(time(9, 20), time(10), "Tea"),)),))
    assert [s.starts_at.astimezone(shape.zone).time() for s in shape.slots] == [time(9), time(10)]
    assert [s.position for s in shape.slots] == [0, 1], "a break between two meetings is no idle gap"


def test_a_request_for_the_afternoon_is_placed_in_the_afternoon():
    shape = Frame(edition_id="e", time_zone="Asia/Kolkata", b2g_tables=1, b2b_tables=1,
                  days=(Day(date(2026, 11, 28), time(11, 20), time(12, 40)),))
    meeting = b2g("m1", ALPHA, part_of_day=PartOfDay.AFTERNOON)
    p = Problem(slots=shape.slots, meetings=(meeting,), b2g_tables=("G1",), b2b_tables=("B1",),
                officer_tables={OFFICER: "G1"})
    result = solved(p)
    assert shape.slots[result.placements["m1"].slot].part is PartOfDay.AFTERNOON


def test_the_daily_cap_of_an_officer_holds():
    p = problem([b2g(f"m{i}", f"company:{i}") for i in range(6)], slots_per_day=3, days=2,
                daily_caps={OFFICER: 2})
    result = solved(p)
    assert len(result.placements) == 4
    assert "cap" in result.unplaced[0].reason


def test_sponsors_come_first_then_starred_requests():
    sponsor = b2g("sponsor", ALPHA, weight=meeting_weight(3, False))
    starred = b2g("starred", BETA, weight=meeting_weight(0, True))
    plain = b2g("plain", GAMMA)
    result = solved(problem([plain, starred, sponsor], slots_per_day=1))
    assert list(result.placements) == ["sponsor"]
    result = solved(problem([plain, starred], slots_per_day=1))
    assert list(result.placements) == ["starred"]


def test_pinned_and_published_meetings_stay_unless_moves_are_allowed():
    pinned = b2g("pinned", ALPHA, pinned=Placement(2, "G1"))
    published = b2g("published", BETA, published=Placement(1, "G1"))
    p = problem([pinned, published, b2g("new", GAMMA)])
    result = solved(p)
    assert result.placements["pinned"] == Placement(2, "G1")
    assert result.placements["published"] == Placement(1, "G1")
    assert result.placements["new"].slot == 0
    moved = solved(problem([pinned, published, b2g("new", GAMMA)], allow_moves=True,
                           unavailable={BETA: frozenset({1})}))
    assert moved.placements["pinned"] == Placement(2, "G1")
    assert "published" in moved.placements, "a published meeting may move but is never dropped"


def test_the_checker_names_each_broken_constraint():
    p = problem([b2g("m1", ALPHA), b2g("m2", BETA), b2b("m3", ALPHA, GAMMA, part_of_day=PartOfDay.AFTERNOON)],
                unavailable={BETA: frozenset({1})}, daily_caps={OFFICER: 1})
    broken = violations(p, {"m1": Placement(0, "G1"), "m2": Placement(1, "G1"), "m3": Placement(0, "G1")})
    text = " | ".join(broken)
    assert "company:a is in m1 and m3" in text
    assert "not available" in text
    assert "table G1 holds" in text
    assert "not for it" in text
    assert "asks for the afternoon" in text
    assert "more than the cap" in text


def test_idle_gaps_are_counted_per_person_and_day():
    p = problem([b2g("m1", ALPHA), b2g("m2", BETA)], slots_per_day=3)
    gaps = idle_gaps_by_party(p, {"m1": Placement(0, "G1"), "m2": Placement(2, "G1")})
    assert gaps[OFFICER] == 1 and gaps[ALPHA] == 0


def test_a_small_instance_is_solved_compactly():
    """Two officers each meeting the same three companies: a schedule with no idle gap exists."""
    meetings = [b2g(f"{o}{c}", f"company:{c}", f"officer:{o}") for o in "xy" for c in "abc"]
    result = solved(problem(meetings, slots_per_day=4))
    assert len(result.placements) == 6 and result.proven_optimal
    assert result.idle_gaps == 0 and result.compactness_proven_optimal and result.idle_gaps_lower_bound == 0


@st.composite
def instances(draw):
    slots_per_day = draw(st.integers(1, 4))
    days = draw(st.integers(1, 2))
    companies = [f"company:{i}" for i in range(draw(st.integers(2, 6)))]
    officers = [f"officer:{i}" for i in range(draw(st.integers(1, 3)))]
    everyone = companies + officers
    total = slots_per_day * days
    meetings, pairs = [], set()
    for index in range(draw(st.integers(0, 14))):
        first = draw(st.sampled_from(companies))
        second = draw(st.sampled_from([p for p in everyone if p != first]))
        if tuple(sorted((first, second))) in pairs:
            continue
        pairs.add(tuple(sorted((first, second))))
        meetings.append(MeetingToPlace(id=f"m{index}", parties=(first, second),
                                       kind=B2G if second.startswith("officer") else B2B,
                                       weight=meeting_weight(draw(st.integers(0, 2)), draw(st.booleans())),
                                       part_of_day=draw(st.sampled_from(list(PartOfDay)))))
    unavailable = {p: frozenset(draw(st.sets(st.integers(0, total - 1), max_size=total))) for p in everyone
                   if draw(st.booleans())}
    caps = {p: draw(st.integers(1, 3)) for p in officers if draw(st.booleans())}
    return problem(meetings, slots_per_day=slots_per_day, days=days, b2b_tables=draw(st.integers(1, 2)),
                   officer_tables=draw(st.booleans()), unavailable=unavailable, daily_caps=caps)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_schedule_it_returns_is_feasible_and_within_its_bound(p):
    result = schedule(p, time_limit=0.5)
    assert violations(p, result.placements) == []
    assert result.objective == sum(m.weight for m in p.meetings if m.id in result.placements)
    assert result.objective <= result.upper_bound
    assert set(result.placements) | {u.meeting_id for u in result.unplaced} == {m.id for m in p.meetings}
