"""The request workflow through HTTP, with its events on the real Kafka topic: ask, duplicate
refused, caps with clear messages, accept or decline, cancel, expire."""
from __future__ import annotations

import json

import sqlalchemy as sa

from services.matchmaking import meetings
from services.matchmaking.adapters.tables import meeting_requests
from shared.testing.kafka_topics import read_topic
from tests.matchmaking.integration.conftest import EDITION, FRAME


def setup_edition(client, wiring, publish, people, companies: int = 1):
    firms = [publish.company(f"Firm {i}") for i in range(companies)]
    officer_id = publish.officer("R. Iyer")
    publish.wait_until_applied()
    assert client.put(f"/api/v1/editions/{EDITION}/frame", json=FRAME, headers=people.organiser()).status_code == 200
    return firms, officer_id


def ask(client, people, firm, receiver, agenda="Mission computers for the Tejas Mk2", **extra):
    return client.post("/api/v1/requests", json={"receiver": receiver, "agenda": agenda, **extra},
                       headers=people.delegate(firm))


def test_a_request_is_asked_answered_and_announced_to_both_sides(client, wiring, publish, people, consumer, relay):
    (firm, other), officer_id = setup_edition(client, wiring, publish, people, companies=2)
    officer = f"officer:{officer_id}"
    asked = ask(client, people, firm, officer, part_of_day="morning")
    assert asked.status_code == 201, asked.json
    request_id = asked.json["id"]

    again = ask(client, people, firm, officer)
    assert again.status_code == 409 and "already an open request" in again.json["message"]
    mine = client.get("/api/v1/me/requests", headers=people.officer(officer_id)).json
    assert [r["requester_name"] for r in mine["received"]] == ["Firm 0"]

    refused = client.post(f"/api/v1/requests/{request_id}/accept", json={}, headers=people.delegate(other))
    assert refused.status_code == 409, "only the receiver answers"
    accepted = client.post(f"/api/v1/requests/{request_id}/accept", json={"starred": True},
                           headers=people.officer(officer_id))
    assert accepted.json["status"] == "accepted"
    assert client.post(f"/api/v1/requests/{request_id}/decline", json={},
                       headers=people.officer(officer_id)).status_code == 409

    b2b = ask(client, people, other, f"company:{firm['registration_id']}", agenda="Joint bid for the radar upgrade")
    declined = client.post(f"/api/v1/requests/{b2b.json['id']}/decline", json={"reason": "Not our field"},
                           headers=people.delegate(firm))
    assert declined.json["status"] == "declined"
    assert client.post(f"/api/v1/requests/{request_id}/cancel", json={"reason": "Travel cancelled"},
                       headers=people.delegate(firm)).json["status"] == "cancelled"

    records = [json.loads(r.value) for r in read_topic(wiring.kafka, "matchmaking.events", at_least=5)]
    of_first = [e for e in records if e["subject"] == request_id]
    assert [e["type"] for e in of_first] == ["matchmaking.meeting_requested.v1", "matchmaking.meeting_accepted.v1",
                                              "matchmaking.meeting_cancelled.v1"]
    requested = of_first[0]["data"]
    assert requested["requester"]["people"][0]["email"] == firm["delegates"][0]["email"]
    assert requested["receiver"]["people"][0]["email"].endswith("@navy.example.in")
    assert requested["time_zone"] == "Asia/Kolkata" and requested["part_of_day"] == "morning"
    assert of_first[2]["data"]["cancelled_by"] == "requester" and of_first[2]["data"]["reason"] == "Travel cancelled"
    assert any(e["type"] == "matchmaking.meeting_declined.v1" and e["data"]["reason"] == "Not our field"
               for e in records)


def test_bad_input_and_caps_get_clear_answers(client, wiring, publish, people, consumer):
    firms, officer_id = setup_edition(client, wiring, publish, people, companies=5)
    firm = firms[0]
    short = ask(client, people, firm, f"officer:{officer_id}", agenda="hi")
    assert short.status_code == 422 and "agenda" in short.json["fields"]
    nobody = ask(client, people, firm, "company:not-a-key")
    assert nobody.status_code == 422 and "receiver" in nobody.json["fields"]
    itself = ask(client, people, firm, f"company:{firm['registration_id']}")
    assert itself.status_code == 422 and "own organisation" in itself.json["fields"]["receiver"][0]
    for other in firms[1:4]:
        assert ask(client, people, firm, f"company:{other['registration_id']}").status_code == 201
    capped = ask(client, people, firm, f"company:{firms[4]['registration_id']}")
    assert capped.status_code == 409 and "3 open requests, the most allowed (3)" in capped.json["message"]
    with wiring.engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(meeting_requests)).scalar() == 3


def test_an_officer_cannot_accept_more_than_their_days_hold(client, wiring, publish, people, consumer):
    firms, officer_id = setup_edition(client, wiring, publish, people, companies=5)
    ids = [ask(client, people, f, f"officer:{officer_id}").json["id"] for f in firms]
    answers = [client.post(f"/api/v1/requests/{i}/accept", json={}, headers=people.officer(officer_id)) for i in ids]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 409], "4 meetings a day, one day"
    assert "as many as your days can hold (4)" in answers[-1].json["message"]


def test_unanswered_requests_expire_by_themselves(client, wiring, publish, people, consumer):
    (firm,), officer_id = setup_edition(client, wiring, publish, people)
    request_id = ask(client, people, firm, f"officer:{officer_id}").json["id"]
    assert meetings.expire_due_requests(wiring.engine, wiring.contracts) == 0, "not due yet"
    with wiring.engine.begin() as db:
        db.execute(meeting_requests.update().values(respond_by=sa.func.now() - sa.text("interval '1 minute'")))
    assert meetings.expire_due_requests(wiring.engine, wiring.contracts) == 1
    mine = client.get("/api/v1/me/requests", headers=people.delegate(firm)).json["sent"]
    assert mine[0]["status"] == "expired"
    late = client.post(f"/api/v1/requests/{request_id}/accept", json={}, headers=people.officer(officer_id))
    assert late.status_code == 409 and "expired" in late.json["message"]
    assert ask(client, people, firm, f"officer:{officer_id}").status_code == 201, "an expired request frees the pair"


def test_a_withdrawn_registration_calls_its_meetings_off(client, wiring, publish, people, consumer):
    (firm,), officer_id = setup_edition(client, wiring, publish, people)
    request_id = ask(client, people, firm, f"officer:{officer_id}").json["id"]
    publish.cancel(firm)
    publish.wait_until_applied()

    with wiring.engine.connect() as db:
        status = db.execute(sa.select(meeting_requests.c.status, meeting_requests.c.cancelled_by)
                            .where(meeting_requests.c.id == request_id)).one()
    assert (status.status, status.cancelled_by) == ("cancelled", "platform")
