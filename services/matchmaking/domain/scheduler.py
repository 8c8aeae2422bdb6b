"""The scheduler: places accepted meetings into (slot, table), as many by weight as possible,
then with as few idle gaps between each person's meetings as possible, then fairly.

How it works, in order, within one time limit:
1. A greedy start: meetings by weight, hardest first, each into the free slot that adds the
   fewest idle gaps to its two parties (bit masks make this a few operations per meeting);
   then a repair pass that moves one blocking meeting aside to let an unplaced one in.
2. An upper bound: a linear relaxation (HiGHS through scipy) where slots are pooled per day
   and part of day; every constraint of the real problem is a sum of its slot-level
   constraints, so no schedule can beat it. The gap to it is what the report shows.
3. OR-Tools CP-SAT, hinted with the greedy schedule. A large instance is improved by
   large-neighbourhood search: CP-SAT re-solves the meetings of a few people around an
   unplaced meeting or a gappy day, everything else fixed, and keeps improvements. A small
   one is solved whole for its weight (so its optimum is proven, and its bound tightens the
   LP's), compacted by the same neighbourhood search, then solved whole again for total idle
   gaps and for the most gaps of any one person, each phase only ever improving the last.
"""
from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from services.matchmaking.domain.frame import PartOfDay
from services.matchmaking.domain.scheduling import (
    B2B, Placement, Problem, Schedule, Unplaced, idle_gaps_by_party)

# Whole-model CP-SAT up to this many (meeting, slot) choices; past it, neighbourhood search.
EXACT_MODEL_LIMIT = 30_000
NEIGHBOURHOOD_MEETINGS = 80
NEIGHBOURHOOD_SECONDS = 0.5


def _bits(mask: int):
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _State:
    """A schedule being built: who is busy when, table use per slot, meetings per person and day."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.meetings = list(problem.meetings)
        slots = problem.slots
        self.slot_count = len(slots)
        self.day_of = [s.day for s in slots]
        self.days = sorted({s.day for s in slots})
        self.day_mask = defaultdict(int)
        for s in slots:
            self.day_mask[s.day] |= 1 << s.index
        # Slots whose left (right) neighbour is the previous (next) slot of the same day.
        self.has_left = sum(1 << s.index for s in slots if s.index > 0 and slots[s.index - 1].day == s.day
                            and slots[s.index - 1].position == s.position - 1)
        self.has_right = sum(1 << s.index for s in slots if s.index + 1 < len(slots)
                             and slots[s.index + 1].day == s.day and slots[s.index + 1].position == s.position + 1)
        all_slots = (1 << len(slots)) - 1
        part_mask = {PartOfDay.ANY: all_slots,
                     PartOfDay.MORNING: sum(1 << s.index for s in slots if s.part is PartOfDay.MORNING),
                     PartOfDay.AFTERNOON: sum(1 << s.index for s in slots if s.part is PartOfDay.AFTERNOON)}
        self.unavailable = {party: sum(1 << i for i in indexes) for party, indexes in problem.unavailable.items()}
        self.allowed = []
        for meeting in self.meetings:
            mask = part_mask[meeting.part_of_day]
            for party in meeting.parties:
                mask &= ~self.unavailable.get(party, 0)
            self.allowed.append(mask)
        self.by_party: dict[str, list[int]] = defaultdict(list)
        for index, meeting in enumerate(self.meetings):
            for party in meeting.parties:
                self.by_party[party].append(index)
        self.pooled = [problem.own_table(m) is None for m in self.meetings]
        self.pool_of = [B2B if m.kind == B2B else "b2g" for m in self.meetings]
        self.pool_size = {B2B: len(problem.b2b_tables), "b2g": len(problem.shared_b2g_tables())}
        self.fixed = [problem.fixed_placement(m) for m in self.meetings]
        self.must_place = [m.published is not None for m in self.meetings]
        # The mutable part.
        self.slot_of: list[int | None] = [None] * len(self.meetings)
        self.busy: dict[str, int] = defaultdict(int)
        self.pool_use = {B2B: [0] * len(slots), "b2g": [0] * len(slots)}
        self.pool_full = {pool: all_slots if size == 0 else 0 for pool, size in self.pool_size.items()}
        self.day_count: dict[tuple[str, int], int] = defaultdict(int)
        self.capped: dict[str, int] = defaultdict(int)  # party -> mask of its days already at the cap

    # -- moves ---------------------------------------------------------------------------------
    def place(self, index: int, slot: int) -> None:
        meeting = self.meetings[index]
        self.slot_of[index] = slot
        day = self.day_of[slot]
        for party in meeting.parties:
            self.busy[party] |= 1 << slot
            self.day_count[(party, day)] += 1
            cap = self.problem.daily_caps.get(party)
            if cap is not None and self.day_count[(party, day)] >= cap:
                self.capped[party] |= self.day_mask[day]
        if self.pooled[index]:
            pool = self.pool_of[index]
            self.pool_use[pool][slot] += 1
            if self.pool_use[pool][slot] >= self.pool_size[pool]:
                self.pool_full[pool] |= 1 << slot

    def remove(self, index: int) -> None:
        slot = self.slot_of[index]
        meeting = self.meetings[index]
        self.slot_of[index] = None
        day = self.day_of[slot]
        for party in meeting.parties:
            self.busy[party] &= ~(1 << slot)
            self.day_count[(party, day)] -= 1
            self.capped[party] &= ~self.day_mask[day]
        if self.pooled[index]:
            pool = self.pool_of[index]
            self.pool_use[pool][slot] -= 1
            if self.pool_use[pool][slot] < self.pool_size[pool]:
                self.pool_full[pool] &= ~(1 << slot)

    def free_slots(self, index: int) -> int:
        a, b = self.meetings[index].parties
        mask = self.allowed[index] & ~self.busy[a] & ~self.busy[b] & ~self.capped[a] & ~self.capped[b]
        if self.pooled[index]:
            mask &= ~self.pool_full[self.pool_of[index]]
        return mask

    def _gap_classes(self, party: int) -> tuple[int, int]:
        """(slots that would join two of the party's blocks, slots that add no idle gap)."""
        busy = self.busy[party]
        left = (busy << 1) & self.has_left
        right = (busy >> 1) & self.has_right
        active = 0
        for day in self.days:
            if busy & self.day_mask[day]:
                active |= self.day_mask[day]
        return left & right, (left | right | ~active)

    def best_slot(self, index: int, free: int) -> int | None:
        """The free slot adding the fewest idle gaps to both parties; the earliest among equals."""
        if not free:
            return None
        a, b = self.meetings[index].parties
        joins_a, neutral_a = self._gap_classes(a)
        joins_b, neutral_b = self._gap_classes(b)
        neutral_a &= ~joins_a
        neutral_b &= ~joins_b
        adds_a = ~(joins_a | neutral_a)
        adds_b = ~(joins_b | neutral_b)
        for mask in (joins_a & joins_b, (joins_a & neutral_b) | (neutral_a & joins_b),
                     (neutral_a & neutral_b) | (joins_a & adds_b) | (adds_a & joins_b),
                     (neutral_a & adds_b) | (adds_a & neutral_b)):
            candidates = free & mask
            if candidates:
                return (candidates & -candidates).bit_length() - 1
        return (free & -free).bit_length() - 1

    # -- figures -------------------------------------------------------------------------------
    def weight(self) -> int:
        return sum(m.weight for m, s in zip(self.meetings, self.slot_of) if s is not None)

    def gaps_of(self, party: str) -> int:
        busy = self.busy[party]
        gaps = 0
        for day in self.days:
            day_busy = busy & self.day_mask[day]
            if day_busy:
                starts = day_busy & ~((day_busy << 1) & self.has_left)
                gaps += bin(starts).count("1") - 1
        return gaps


def _greedy(state: _State) -> None:
    for index, placement in enumerate(state.fixed):
        if placement is not None:
            state.place(index, placement.slot)
    load = {party: len(indexes) for party, indexes in state.by_party.items()}
    order = sorted((i for i in range(len(state.meetings)) if state.fixed[i] is None),
                   key=lambda i: (-state.meetings[i].weight, not state.must_place[i],
                                  bin(state.allowed[i]).count("1"),
                                  -max(load[p] for p in state.meetings[i].parties)))
    for index in order:
        slot = state.best_slot(index, state.free_slots(index))
        if slot is not None:
            state.place(index, slot)
    _repair(state, order)


def _repair(state: _State, order: list[int]) -> None:
    """Let an unplaced meeting in by moving one meeting that blocks one of its slots elsewhere."""
    seat: dict[tuple[str, int], int] = {}
    for index, slot in enumerate(state.slot_of):
        if slot is not None:
            for party in state.meetings[index].parties:
                seat[(party, slot)] = index
    for index in order:
        if state.slot_of[index] is not None:
            continue
        a, b = state.meetings[index].parties
        for slot in _bits(state.allowed[index]):
            blockers = {seat.get((a, slot)), seat.get((b, slot))} - {None}
            if len(blockers) != 1:
                continue
            blocker = blockers.pop()
            if state.fixed[blocker] is not None:
                continue
            state.remove(blocker)
            if state.free_slots(index) >> slot & 1:
                state.place(index, slot)
                elsewhere = state.best_slot(blocker, state.free_slots(blocker))
                if elsewhere is not None:
                    state.place(blocker, elsewhere)
                    for party in state.meetings[blocker].parties:
                        seat.pop((party, slot), None)
                        seat[(party, elsewhere)] = blocker
                    for party in state.meetings[index].parties:
                        seat[(party, slot)] = index
                    break
                state.remove(index)
            state.place(blocker, slot)


def _compact_by_moves(state: _State, deadline: float) -> None:
    """Move single meetings to the slot that leaves their two parties fewer idle gaps, until no
    move helps (cheap, so it runs before the solver and polishes what neighbourhoods leave)."""
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for index, slot in enumerate(state.slot_of):
            if slot is None or state.fixed[index] is not None:
                continue
            a, b = state.meetings[index].parties
            before = state.gaps_of(a) + state.gaps_of(b)
            if before == 0:
                continue
            state.remove(index)
            target = state.best_slot(index, state.free_slots(index))
            state.place(index, target)
            if state.gaps_of(a) + state.gaps_of(b) < before:
                improved = True
            elif target != slot:
                state.remove(index)
                state.place(index, slot)


def _lp_upper_bound(state: _State) -> float:
    """The linear relaxation over (day, part of day) buckets; see the module's docstring."""
    slots = state.problem.slots
    bucket_of_slot = [(s.day, s.part) for s in slots]
    buckets = sorted(set(bucket_of_slot), key=lambda b: (b[0], b[1].value))
    bucket_index = {b: i for i, b in enumerate(buckets)}
    bucket_mask = [0] * len(buckets)
    for s in slots:
        bucket_mask[bucket_index[bucket_of_slot[s.index]]] |= 1 << s.index
    fixed_weight = 0
    fixed_busy: dict[str, int] = defaultdict(int)
    fixed_day: dict[tuple[str, int], int] = defaultdict(int)
    fixed_pool = defaultdict(int)
    free_meetings = []
    for index, meeting in enumerate(state.meetings):
        placement = state.fixed[index]
        if placement is None:
            free_meetings.append(index)
            continue
        fixed_weight += meeting.weight
        for party in meeting.parties:
            fixed_busy[party] |= 1 << placement.slot
            fixed_day[(party, slots[placement.slot].day)] += 1
        if state.pooled[index]:
            fixed_pool[(state.pool_of[index], bucket_index[bucket_of_slot[placement.slot]])] += 1
    columns, weights, rows, cols, rows_rhs = [], [], [], [], []
    row_of: dict[tuple, int] = {}

    def row(key, rhs) -> int:
        if key not in row_of:
            row_of[key] = len(rows_rhs)
            rows_rhs.append(rhs)
        return row_of[key]

    for index in free_meetings:
        meeting = state.meetings[index]
        a, b = meeting.parties
        usable = state.allowed[index] & ~fixed_busy[a] & ~fixed_busy[b]
        meeting_row = row(("meeting", index), 1)
        for bucket, mask in enumerate(bucket_mask):
            common = usable & mask
            if not common:
                continue
            column = len(columns)
            columns.append(index)
            weights.append(meeting.weight)
            day = buckets[bucket][0]
            entries = [meeting_row]
            for party in meeting.parties:
                own = mask & ~state.unavailable.get(party, 0) & ~fixed_busy[party]
                entries.append(row(("party-bucket", party, bucket), bin(own).count("1")))
                cap = state.problem.daily_caps.get(party)
                day_slots = bin(state.day_mask[day] & ~state.unavailable.get(party, 0)
                                & ~fixed_busy[party]).count("1")
                room = day_slots if cap is None else min(day_slots, max(cap - fixed_day[(party, day)], 0))
                entries.append(row(("party-day", party, day), room))
            if state.pooled[index]:
                pool = state.pool_of[index]
                entries.append(row(("pool", pool, bucket), max(
                    state.pool_size[pool] * bin(mask).count("1") - fixed_pool[(pool, bucket)], 0)))
            for entry in entries:
                rows.append(entry)
                cols.append(column)
    if not columns:
        return float(fixed_weight)
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(rows_rhs), len(columns)))
    result = linprog(-np.asarray(weights, dtype=float), A_ub=matrix, b_ub=np.asarray(rows_rhs, dtype=float),
                     bounds=(0, 1), method="highs")
    if result.status != 0:
        return float(fixed_weight + sum(state.meetings[i].weight for i in free_meetings))
    return fixed_weight - result.fun


@dataclass
class _SubResult:
    improved: bool
    status: int
    best_bound: float | None


class _Neighbourhood:
    """CP-SAT over the meetings in `free` (placed or not), with every other meeting where it is."""

    def __init__(self, state: _State, free: list[int], *, objective: str = "lexicographic",
                 weight_floor: int | None = None, total_gaps_ceiling: int | None = None, keep_placed: bool = False):
        self.state = state
        self.free = free
        self.model = model = cp_model.CpModel()
        free_set = set(free)
        fixed_busy: dict[str, int] = defaultdict(int)
        fixed_day: dict[tuple[str, int], int] = defaultdict(int)
        fixed_pool = {B2B: [0] * state.slot_count, "b2g": [0] * state.slot_count}
        parties = sorted({p for i in free for p in state.meetings[i].parties})
        for party in parties:
            for index in state.by_party[party]:
                slot = state.slot_of[index]
                if index in free_set or slot is None:
                    continue
                fixed_busy[party] |= 1 << slot
                fixed_day[(party, state.day_of[slot])] += 1
        for pool, uses in state.pool_use.items():
            fixed_pool[pool] = list(uses)
        for index in free:
            slot = state.slot_of[index]
            if slot is not None and state.pooled[index]:
                fixed_pool[state.pool_of[index]][slot] -= 1
        self.x: dict[int, dict[int, cp_model.IntVar]] = {}
        at_party_slot: dict[tuple[str, int], list] = defaultdict(list)
        at_party_day: dict[tuple[str, int], list] = defaultdict(list)
        at_pool_slot: dict[tuple[str, int], list] = defaultdict(list)
        placed_terms = []
        for index in free:
            meeting = state.meetings[index]
            a, b = meeting.parties
            candidates = state.allowed[index] & ~fixed_busy[a] & ~fixed_busy[b]
            fixed = state.fixed[index]
            if fixed is not None:
                candidates = 1 << fixed.slot
            variables = {}
            for slot in _bits(candidates):
                var = model.new_bool_var(f"x{index}_{slot}")
                variables[slot] = var
                for party in meeting.parties:
                    at_party_slot[(party, slot)].append(var)
                    at_party_day[(party, state.day_of[slot])].append(var)
                if state.pooled[index]:
                    at_pool_slot[(state.pool_of[index], slot)].append(var)
                placed_terms.append((meeting.weight, var))
            self.x[index] = variables
            if fixed is not None or state.must_place[index] or (keep_placed and state.slot_of[index] is not None):
                model.add_exactly_one(variables.values()) if variables else None
            elif variables:
                model.add_at_most_one(variables.values())
            current = state.slot_of[index]
            for slot, var in variables.items():
                model.add_hint(var, slot == current)
        for variables in at_party_slot.values():
            if len(variables) > 1:
                model.add_at_most_one(variables)
        for (party, day), variables in at_party_day.items():
            cap = state.problem.daily_caps.get(party)
            if cap is not None:
                model.add(sum(variables) <= max(cap - fixed_day[(party, day)], 0))
        for (pool, slot), variables in at_pool_slot.items():
            room = state.pool_size[pool] - fixed_pool[pool][slot]
            if len(variables) > room:
                model.add(sum(variables) <= max(room, 0))
        self.weight_expr = sum(w * v for w, v in placed_terms)
        # Idle gaps of every party touched: a new block starts where a busy slot follows a free one.
        gap_terms = []
        self.gaps_by_party = {}
        for party in parties:
            party_gaps = []
            for day in state.days:
                day_slots = list(_bits(state.day_mask[day]))
                busy_terms = []
                movable = False
                for slot in day_slots:
                    if fixed_busy[party] >> slot & 1:
                        busy_terms.append(1)
                    else:
                        variables = at_party_slot.get((party, slot), [])
                        movable |= bool(variables)
                        busy_terms.append(sum(variables) if variables else 0)
                if not movable:
                    continue
                starts = []
                for position, slot in enumerate(day_slots):
                    previous = busy_terms[position - 1] if position and (state.has_left >> slot & 1) else 0
                    if isinstance(busy_terms[position], int) and busy_terms[position] == 0:
                        continue
                    start = model.new_bool_var(f"s{party}_{slot}")
                    model.add(start >= busy_terms[position] - previous)
                    starts.append(start)
                active = model.new_bool_var(f"a{party}_{day}")
                model.add(active <= sum(busy_terms))
                for start in starts:
                    model.add(active >= start)
                party_gaps.append(sum(starts) - active)
            if party_gaps:
                self.gaps_by_party[party] = sum(party_gaps)
                gap_terms.append(self.gaps_by_party[party])
        self.total_gaps = sum(gap_terms) if gap_terms else 0
        # Published meetings that may move prefer to stay put.
        moved = []
        for index in free:
            published = state.meetings[index].published
            if published is not None and state.fixed[index] is None and published.slot in self.x[index]:
                moved.append(1 - self.x[index][published.slot])
        self.moves = sum(moved) if moved else 0
        if weight_floor is not None:
            model.add(self.weight_expr >= weight_floor)
        if total_gaps_ceiling is not None:
            model.add(self.total_gaps <= total_gaps_ceiling)
        if objective == "weight":
            model.maximize(self.weight_expr)
        elif objective == "gaps":
            model.minimize(self.total_gaps * (len(free) + 1) + self.moves)
        elif objective == "fairness":
            most = model.new_int_var(0, len(state.days) * state.slot_count, "most_gaps")
            for expr in self.gaps_by_party.values():
                model.add(most >= expr)
            model.minimize(most)
            self.most_gaps = most
        else:
            scale = (len(parties) * state.slot_count + len(free) + 1)
            model.maximize(self.weight_expr * scale - self.total_gaps * (len(free) + 1) - self.moves)

    def solve(self, seconds: float, workers: int, seed: int = 0) -> tuple[int, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.05)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        status = solver.solve(self.model)
        return status, solver

    def apply(self, solver: cp_model.CpSolver) -> None:
        state = self.state
        for index in self.free:
            if state.slot_of[index] is not None:
                state.remove(index)
        for index in self.free:
            for slot, var in self.x[index].items():
                if solver.boolean_value(var):
                    state.place(index, slot)
                    break


def _local_score(state: _State, free: list[int]) -> tuple[int, int]:
    parties = {p for i in free for p in state.meetings[i].parties}
    weight = sum(state.meetings[i].weight for i in free if state.slot_of[i] is not None)
    return weight, -sum(state.gaps_of(p) for p in parties)


def _improve_by_neighbourhoods(state: _State, deadline: float, workers: int, rng: random.Random,
                                bound: float) -> None:
    """Large-neighbourhood search: re-solve a few people's meetings at a time until the deadline.
    A neighbourhood grows while CP-SAT proves its optimum in time and shrinks when it does not."""
    unplaced_order = sorted((i for i, s in enumerate(state.slot_of) if s is None and state.allowed[i]),
                            key=lambda i: -state.meetings[i].weight)
    cursor = 0
    size = NEIGHBOURHOOD_MEETINGS
    while time.monotonic() < deadline - 0.1:
        unplaced = [i for i in unplaced_order if state.slot_of[i] is None]
        room_for_weight = unplaced and state.weight() < bound - 0.5
        gappy = [p for p in rng.sample(list(state.by_party), min(len(state.by_party), 12)) if state.gaps_of(p)]
        if room_for_weight and (not gappy or rng.random() < 0.5):
            seed_parties = list(state.meetings[unplaced[cursor % len(unplaced)]].parties)
            cursor += 1
        elif gappy:
            seed_parties = [max(gappy, key=state.gaps_of)]
        elif not any(state.gaps_of(p) for p in state.by_party) and not room_for_weight:
            return
        else:
            continue
        for_gaps = not room_for_weight or seed_parties[0] in gappy
        free = _grow(state, seed_parties, rng, size // 2 if for_gaps else size, placed_only=for_gaps)
        before = _local_score(state, free)
        neighbourhood = _Neighbourhood(state, free, objective="gaps" if for_gaps else "lexicographic",
                                       keep_placed=for_gaps)
        status, solver = neighbourhood.solve(min(NEIGHBOURHOOD_SECONDS, deadline - time.monotonic()), workers,
                                             seed=rng.randrange(1 << 20))
        size = min(int(size * 1.2) + 1, 600) if status == cp_model.OPTIMAL else max(int(size * 0.8), 20)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        previous = {i: state.slot_of[i] for i in free}
        neighbourhood.apply(solver)
        if _local_score(state, free) < before:  # never worse: put the neighbourhood back as it was
            for i in free:
                if state.slot_of[i] is not None:
                    state.remove(i)
            for i, slot in previous.items():
                if slot is not None:
                    state.place(i, slot)


def _grow(state: _State, seed_parties: list[str], rng: random.Random, size: int, *,
          placed_only: bool = False) -> list[int]:
    """Meetings of the seed parties, then of their counterparts, up to `size` (only placed ones
    when the neighbourhood is about idle gaps)."""
    chosen: dict[int, None] = {}
    frontier = list(seed_parties)
    seen = set(frontier)
    while frontier and len(chosen) < size:
        party = frontier.pop(0)
        meetings = [i for i in state.by_party[party] if state.fixed[i] is None
                    and not (placed_only and state.slot_of[i] is None)]
        for index in meetings:
            if len(chosen) >= size:
                break
            chosen[index] = None
        counterparts = [p for i in meetings for p in state.meetings[i].parties if p not in seen]
        rng.shuffle(counterparts)
        for other in counterparts:
            seen.add(other)
            frontier.append(other)
    return list(chosen)


@dataclass
class _ExactOutcome:
    weight_bound: float | None = None
    weight_optimal: bool = False
    gaps_lower_bound: int | None = None
    gaps_optimal: bool = False


def _total_gaps(state: _State) -> int:
    return sum(state.gaps_of(p) for p in state.by_party)


def _exact(state: _State, deadline: float, workers: int, rng: random.Random) -> _ExactOutcome:
    """Solve the whole instance lexicographically: weight, then total idle gaps, then the most gaps
    of any one person. Each phase starts from the best schedule so far and only ever improves it.
    Between the first two, neighbourhoods re-solved one after another close most idle gaps: on a
    whole model CP-SAT finds compact days far more slowly than it proves the weight."""
    outcome = _ExactOutcome()
    everything = list(range(len(state.meetings)))
    first = _Neighbourhood(state, everything, objective="weight")
    status, solver = first.solve(max(deadline - time.monotonic(), 0.1) * 0.3, workers)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return outcome
    outcome.weight_bound = solver.best_objective_bound
    outcome.weight_optimal = status == cp_model.OPTIMAL
    if solver.objective_value > state.weight():
        first.apply(solver)
    floor = state.weight()
    _improve_by_neighbourhoods(state, time.monotonic() + max(deadline - time.monotonic(), 0) * 0.85, workers, rng,
                               bound=floor)
    if _total_gaps(state) == 0:  # compact as can be: nothing left to prove or to even out
        outcome.gaps_lower_bound = 0 if outcome.weight_optimal else None
        outcome.gaps_optimal = outcome.weight_optimal
        return outcome
    second = _Neighbourhood(state, everything, objective="gaps", weight_floor=floor)
    status, solver = second.solve(max(deadline - time.monotonic(), 0.1) * 0.8, workers)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return outcome
    scale = len(everything) + 1
    outcome.gaps_lower_bound = max(0, -(-int(solver.best_objective_bound) // scale)) if outcome.weight_optimal else None
    before = _total_gaps(state)
    previous = list(state.slot_of)
    second.apply(solver)
    if _total_gaps(state) > before or state.weight() < floor:
        _restore(state, previous)
    outcome.gaps_optimal = outcome.weight_optimal and (
        status == cp_model.OPTIMAL or _total_gaps(state) <= outcome.gaps_lower_bound)
    total = _total_gaps(state)
    most = max((state.gaps_of(p) for p in state.by_party), default=0)
    third = _Neighbourhood(state, everything, objective="fairness", weight_floor=floor, total_gaps_ceiling=total)
    status, solver = third.solve(max(deadline - time.monotonic(), 0.1), workers)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        previous = list(state.slot_of)
        third.apply(solver)
        if max((state.gaps_of(p) for p in state.by_party), default=0) > most or _total_gaps(state) > total:
            _restore(state, previous)
    return outcome


def _restore(state: _State, slots: list[int | None]) -> None:
    for index, slot in enumerate(state.slot_of):
        if slot is not None:
            state.remove(index)
    for index, slot in enumerate(slots):
        if slot is not None:
            state.place(index, slot)


def _assign_tables(state: _State) -> dict[str, Placement]:
    problem = state.problem
    placements: dict[str, Placement] = {}
    taken: dict[int, set[str]] = defaultdict(set)
    waiting = []
    for index, slot in enumerate(state.slot_of):
        if slot is None:
            continue
        meeting = state.meetings[index]
        fixed = state.fixed[index]
        if fixed is not None:
            placements[meeting.id] = fixed
            taken[slot].add(fixed.table)
            continue
        own = problem.own_table(meeting)
        if own:
            placements[meeting.id] = Placement(slot, own)
            taken[slot].add(own)
        else:
            waiting.append(index)
    # Meetings that stay in their published slot keep their table when it is free.
    waiting.sort(key=lambda i: state.meetings[i].published is None)
    for index in waiting:
        meeting, slot = state.meetings[index], state.slot_of[index]
        pool = problem.pool_tables(meeting)
        published = meeting.published
        if published and published.slot == slot and published.table in pool and published.table not in taken[slot]:
            table = published.table
        else:
            table = next(t for t in pool if t not in taken[slot])
        placements[meeting.id] = Placement(slot, table)
        taken[slot].add(table)
    return placements


def _why_unplaced(state: _State, index: int) -> str:
    meeting = state.meetings[index]
    if not state.allowed[index]:
        part = "" if meeting.part_of_day is PartOfDay.ANY else f" in the {meeting.part_of_day.value}"
        return f"the two sides share no available slot{part}"
    if state.pooled[index] and not state.pool_size[state.pool_of[index]]:
        return ("no table can take it: the frame has no B2B tables" if meeting.kind == B2B else
                "no table can take it: every B2G table is kept by another officer")
    a, b = meeting.parties
    if not state.allowed[index] & ~state.capped[a] & ~state.capped[b]:
        return "the daily meeting cap is reached on every day they could meet"
    return "every slot both sides could use is taken by meetings of higher or equal priority"


def schedule(problem: Problem, *, time_limit: float = 10.0, workers: int = 2, seed: int = 7) -> Schedule:
    """The best schedule found within `time_limit` seconds, with its bound and figures."""
    started = time.monotonic()
    deadline = started + time_limit
    state = _State(problem)
    _greedy(state)
    _compact_by_moves(state, started + time_limit / 3)
    bound = _lp_upper_bound(state)
    choices = sum(bin(mask).count("1") for mask in state.allowed)
    exact = _ExactOutcome()
    method = "greedy"
    if choices <= EXACT_MODEL_LIMIT:
        exact = _exact(state, deadline, workers, random.Random(seed))
        if exact.weight_bound is not None:
            bound = min(bound, exact.weight_bound)
        method = "cp-sat (whole model) + neighbourhood search"
    elif state.weight() < bound - 0.5 or any(state.gaps_of(p) for p in state.by_party):
        _improve_by_neighbourhoods(state, deadline - 0.3, workers, random.Random(seed), bound)
        _compact_by_moves(state, deadline)
        method = "greedy + cp-sat neighbourhood search"
    objective = state.weight()
    upper = int(bound + 1e-6)
    weight_optimal = exact.weight_optimal or objective >= upper
    placements = _assign_tables(state)
    gaps = idle_gaps_by_party(problem, placements)
    unplaced = [Unplaced(m.id, _why_unplaced(state, i)) for i, m in enumerate(state.meetings)
                if state.slot_of[i] is None]
    return Schedule(placements=placements, unplaced=unplaced, objective=objective, upper_bound=max(upper, objective),
                    idle_gaps=sum(gaps.values()), max_idle_gaps=max(gaps.values(), default=0),
                    people_with_meetings=len(gaps), proven_optimal=weight_optimal,
                    compactness_proven_optimal=exact.gaps_optimal, idle_gaps_lower_bound=exact.gaps_lower_bound,
                    seconds=time.monotonic() - started, method=method)
