"""Scheduler runs from the back-office: proposed with their figures, published as events, and
re-run around what is pinned and published; agendas and calendar files follow."""
from __future__ import annotations

import json

import sqlalchemy as sa
from icalendar import Calendar

from services.matchmaking import scheduling_desk
from services.matchmaking.adapters.tables import outbox
from shared.localinfra.ports import wait_until
from shared.testing.kafka_topics import read_topic
from tests.matchmaking.integration.conftest import EDITION, FRAME


def accepted_meetings(client, people, firms, officer_id) -> list[str]:
    ids = []
    for firm in firms:
        request_id = client.post("/api/v1/requests", json={"receiver": f"officer:{officer_id}",
                                                           "agenda": "Avionics for the naval utility helicopter"},
                                 headers=people.delegate(firm)).json["id"]
        assert client.post(f"/api/v1/requests/{request_id}/accept", json={},
                           headers=people.officer(officer_id)).status_code == 200
        ids.append(request_id)
    return ids


def all_published(wiring) -> int:
    """How many events matchmaking recorded, once the relay has published every one."""
    def counts():
        with wiring.engine.connect() as db:
            return db.execute(sa.select(sa.func.count(), sa.func.count(outbox.c.published_at))).one()
    wait_until(lambda: counts()[0] == counts()[1], 30, message="the relay did not publish every event")
    return counts()[0]


def run(client, wiring, people, **options) -> dict:
    queued = client.post(f"/api/v1/editions/{EDITION}/schedule-runs", json={"time_limit_seconds": 3, **options},
                         headers=people.organiser())
    assert queued.status_code == 202
    assert scheduling_desk.solve_next_run(wiring.engine) == queued.json["id"]
    return client.get(f"/api/v1/schedule-runs/{queued.json['id']}", headers=people.organiser("viewer")).json


def test_runs_are_published_and_rerun_around_pins_and_published_meetings(client, wiring, publish, people,
                                                                         consumer, relay):
    firms = [publish.company(f"Firm {i}") for i in range(4)]
    officer_id = publish.officer("R. Iyer")
    publish.wait_until_applied()
    client.put(f"/api/v1/editions/{EDITION}/frame", json=FRAME, headers=people.organiser())
    first, second, third = accepted_meetings(client, people, firms[:3], officer_id)

    proposal = run(client, wiring, people)
    figures = proposal["figures"]
    assert proposal["status"] == "finished" and figures["placed"] == 3
    assert figures["objective"] == figures["upper_bound"] and figures["gap"] == 0 and figures["idle_gaps"] == 0
    assert client.get(f"/api/v1/editions/{EDITION}/schedule", headers=people.organiser()).json["meetings"] == [], \
        "a proposal changes nothing until it is published"
    published = client.post(f"/api/v1/schedule-runs/{proposal['id']}/publish", json={}, headers=people.organiser())
    assert published.json["scheduled"] == 3
    grid = {m["meeting_id"]: m for m in client.get(f"/api/v1/editions/{EDITION}/schedule",
                                                   headers=people.organiser()).json["meetings"]}
    assert {m["table"] for m in grid.values()} == {"G1"}, "the officer keeps one table"

    # The organiser moves the first meeting to the last slot of the day and pins it there.
    slots = client.get("/api/v1/me/availability", headers=people.officer(officer_id)).json["slots"]
    last = slots[-1]["starts_at"]
    moved = client.post(f"/api/v1/meetings/{first}/place", json={"starts_at": last, "table": "G1"},
                        headers=people.organiser())
    assert moved.status_code == 200, moved.json
    clash = client.post(f"/api/v1/meetings/{second}/place", json={"starts_at": last, "table": "G1"},
                        headers=people.organiser())
    assert clash.status_code == 409 and "breaks the schedule" in clash.json["message"]
    assert client.post(f"/api/v1/schedule-runs/{proposal['id']}/publish", json={},
                       headers=people.organiser()).status_code == 409

    [fourth] = accepted_meetings(client, people, firms[3:], officer_id)
    client.put("/api/v1/me/availability", json={"unavailable": [grid[second]["starts_at"]]},
               headers=people.officer(officer_id))
    kept = run(client, wiring, people)
    assert kept["figures"]["placed"] == 4
    assert client.post(f"/api/v1/schedule-runs/{kept['id']}/publish", json={},
                       headers=people.organiser()).json == {"id": kept["id"], "status": "published", "scheduled": 1,
                                                            "moved": 0, "unchanged": 3}
    after = {m["meeting_id"]: m for m in client.get(f"/api/v1/editions/{EDITION}/schedule",
                                                    headers=people.organiser()).json["meetings"]}
    assert after[first]["starts_at"] == last and after[first]["pinned"]
    assert after[second]["starts_at"] == grid[second]["starts_at"], "published meetings stay without leave to move"

    moves = run(client, wiring, people, allow_moves=True)
    counts = client.post(f"/api/v1/schedule-runs/{moves['id']}/publish", json={}, headers=people.organiser()).json
    final = {m["meeting_id"]: m for m in client.get(f"/api/v1/editions/{EDITION}/schedule",
                                                    headers=people.organiser()).json["meetings"]}
    assert final[first]["starts_at"] == last, "a pin holds even when moves are allowed"
    assert final[second]["starts_at"] != grid[second]["starts_at"], "moved off the slot its officer cannot make"
    assert counts["moved"] >= 1 and len(final) == 4

    records = [json.loads(r.value) for r in read_topic(wiring.kafka, "matchmaking.events",
                                                       at_least=all_published(wiring))]
    of_second = [e for e in records if e["subject"] == second]
    assert [e["type"] for e in of_second][-2:] == ["matchmaking.meeting_scheduled.v1", "matchmaking.meeting_moved.v1"]
    moved_event = of_second[-1]["data"]
    assert moved_event["sequence"] == 1 and moved_event["previous_starts_at"] and moved_event["table"] == "G1"

    agenda = client.get("/api/v1/me/agenda", headers=people.officer(officer_id)).json["meetings"]
    assert len(agenda) == 4 and [m["starts_at"] for m in agenda] == sorted(m["starts_at"] for m in agenda)
    ics = client.get("/api/v1/me/agenda.ics", headers=people.delegate(firms[1]))
    assert ics.mimetype == "text/calendar"
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["uid"]) == f"{second}@matchmaking.dpd" and int(event["sequence"]) == 1
    assert "Table G1" in str(event["location"])
    page = client.get("/me/agenda", headers=people.delegate(firms[1]))
    assert page.status_code == 200 and b"Captain R. Iyer" in page.data
    grid_page = client.get(f"/admin/editions/{EDITION}/grid", headers=people.organiser("viewer"))
    assert grid_page.status_code == 200 and b"Firm 0" in grid_page.data
    mine = client.get("/me", headers=people.delegate(firms[0]))
    assert mine.status_code == 200 and b"Recommended for you" in mine.data and b"Captain R. Iyer" in mine.data
    theirs = client.get("/me", headers=people.officer(officer_id))
    assert theirs.status_code == 200 and b"Firm 3" in theirs.data
    desk = client.get(f"/admin/editions/{EDITION}", headers=people.organiser())
    assert desk.status_code == 200 and b"Upper bound" in desk.data and b"published" in desk.data
    assert client.get("/me/availability", headers=people.officer(officer_id)).status_code == 200
