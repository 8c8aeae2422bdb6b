"""Many buyers racing over real HTTP against real PostgreSQL never oversell: exactly one gets
the last booth, exactly as many as there are get a limited item."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from tests.billing.integration.conftest import as_buyer
from tests.billing.support import approve_buyer, scalar

RACERS = 40


def race(server, tokens, buyers, lines) -> list[int]:
    sessions = [as_buyer(tokens, buyer) for buyer in buyers]
    start = Barrier(len(sessions))

    def attempt(session) -> int:
        start.wait()
        return session.post(f"{server}/api/v1/me/orders", json={"lines": lines}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(attempt, sessions))


def test_forty_buyers_race_for_the_last_booth_and_exactly_one_wins(server, wiring, tokens, catalogue):
    buyers = [approve_buyer(wiring, name=f"Racer {n} Pvt Ltd") for n in range(RACERS)]

    answers = race(server, tokens, buyers, [{"item_id": catalogue["A-1"]}])

    assert sorted(answers) == [201] + [409] * (RACERS - 1)
    assert scalar(wiring, "SELECT held + sold FROM catalogue_items WHERE id = :id", id=catalogue["A-1"]) == 1
    assert scalar(wiring, "SELECT count(*) FROM order_lines WHERE item_id = :id", id=catalogue["A-1"]) == 1


def test_buyers_racing_for_a_limited_tier_get_exactly_as_many_places_as_there_are(server, wiring, tokens, catalogue):
    buyers = [approve_buyer(wiring, name=f"Sponsor {n} Ltd") for n in range(12)]

    answers = race(server, tokens, buyers, [{"item_id": catalogue["Silver"]}])

    assert answers.count(201) == 5 and answers.count(409) == 7
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["Silver"]) == 5
