"""Billing's worker as deployed (its own process): it learns buyers from registration's events on
the real Kafka, releases expired holds by itself, and publishes billing's events."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from services.billing.adapters.tables import processed_events
from services.registration.events import contracts as registration_contracts
from shared.kafka import TopicSpec, ensure_topics
from shared.localinfra.ports import wait_until
from shared.testing.kafka_topics import produce_raw, read_topic
from tests.billing.support import EDITION_ID, expire_hold_now, scalar
from tests.support.registrations import gstin

NOW = datetime.now(timezone.utc)


def snapshot(name: str) -> dict:
    contact = {"delegate_id": str(uuid.uuid4()), "full_name": "Ananya Rao", "email": f"{uuid.uuid4().hex[:8]}@example.in",
               "designation": "Director", "nationality": "IN"}
    return {"registration_id": str(uuid.uuid4()), "edition_id": EDITION_ID, "reference": "DPD-ABCDEFGH",
            "organisation": {"legal_name": name, "type": "prime_contractor", "country": "IN", "state": "MH",
                             "gstin": gstin("27"), "address": "Andheri East", "city": "Mumbai", "postal_code": "400069"},
            "contact": contact, "delegates": [contact], "sectors": ["naval_systems"], "capabilities": "Sonar domes",
            "products": "", "meeting_interests": ["b2g"], "participation_interests": ["exhibition_booth"]}


def publish(wiring, event_type: str, data: dict) -> str:
    """On registration's topic, keyed as registration keys it; the event's id."""
    subject = data.get("registration_id") or data.get("person_id") or data["edition_id"]
    envelope = registration_contracts().create(event_type, subject, data)
    produce_raw(wiring.kafka, "registration.events", envelope.to_json(), key=subject.encode())
    return envelope.id


def wait_until_applied(wiring, event_ids: list[str]) -> None:
    """Until billing has applied every one of these events: keyed by different subjects, they travel
    on different partitions, so the last one sent may be applied first."""
    def applied() -> int:
        with wiring.engine.connect() as db:
            return db.execute(sa.select(sa.func.count()).select_from(processed_events)
                              .where(processed_events.c.event_id.in_(event_ids))).scalar()
    wait_until(lambda: applied() == len(event_ids), 60,
               message=lambda: f"billing applied {applied()} of the {len(event_ids)} events sent")


@pytest.fixture
def worker(services, env, wiring):
    ensure_topics(wiring.kafka, [TopicSpec("registration.events", 12), TopicSpec("identity.events", 3)])
    return services.worker("billing", extra_env={"RAZORPAY_API_URL": env["RAZORPAY_API_URL"],
                                                 "BILLING_EXPIRY_SWEEP_SECONDS": "0.3"})


def buyer_state(wiring, registration_id):
    with wiring.engine.connect() as db:
        return db.exec_driver_sql("SELECT approved, legal_name, contact_email FROM buyers WHERE registration_id = %s",
                                  (registration_id,)).first()


def test_buyers_come_from_registrations_events_and_lose_the_right_to_buy_with_their_approval(
        worker, client, wiring, tokens, catalogue):
    tejas, varuna = snapshot("Tejas Avionics Ltd"), snapshot("Varuna Marine Ltd")
    for data in (tejas, varuna):
        publish(wiring, "registration.approved.v1", {**data, "approved_at": NOW, "access_url": "http://x/access"})
    edition_id = str(uuid.uuid4())
    publish(wiring, "registration.edition_saved.v1", {
        "edition_id": edition_id, "slug": "dpd-2027", "name": "Defence Partnership Days 2027",
        "venue": "Manekshaw Centre, New Delhi", "starts_on": NOW.date(), "ends_on": NOW.date(),
        "time_zone": "Asia/Kolkata", "registration_opens_at": NOW, "registration_closes_at": NOW})
    wait_until(lambda: buyer_state(wiring, varuna["registration_id"]), 60, message="the approvals never arrived")
    wait_until(lambda: scalar(wiring, "SELECT name FROM editions WHERE id = :id", id=edition_id), 30,
               message="the new edition never reached billing")

    def order(registration_id):
        return client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["Silver"]}]},
                           headers={"Authorization": f"Bearer {tokens.participant(registration_id)}"})

    held = order(varuna["registration_id"])
    assert held.status_code == 201 and held.json["place_of_supply"] == "27"

    renamed = copy.deepcopy(tejas)
    renamed["organisation"]["legal_name"] = "Tejas Avionics (India) Ltd"
    wait_until_applied(wiring, [
        publish(wiring, "registration.updated.v1", {**renamed, "status": "submitted", "changed": ["legal_name"]}),
        publish(wiring, "registration.cancelled.v1", {**varuna, "cancelled_at": NOW, "was_approved": True}),
        publish(wiring, "registration.personal_data_erased.v1", {
            "person_id": varuna["contact"]["delegate_id"], "kind": "delegate",
            "registration_id": varuna["registration_id"]})])

    assert buyer_state(wiring, varuna["registration_id"]).contact_email is None
    assert buyer_state(wiring, tejas["registration_id"]) == (False, "Tejas Avionics (India) Ltd", tejas["contact"]["email"])
    refused = order(tejas["registration_id"])
    assert refused.status_code == 409 and "approved" in refused.json["message"]
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=held.json["id"]) == "cancelled"
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["Silver"]) == 0


def test_the_worker_releases_an_expired_hold_by_itself_and_billings_events_reach_kafka(
        worker, client, wiring, tokens, catalogue):
    buyer = snapshot("Garuda Systems Ltd")
    publish(wiring, "registration.approved.v1", {**buyer, "approved_at": NOW, "access_url": "http://x/access"})
    wait_until(lambda: buyer_state(wiring, buyer["registration_id"]), 60, message="the approval never arrived")
    held = client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["A-1"]}]},
                       headers={"Authorization": f"Bearer {tokens.participant(buyer['registration_id'])}"}).json

    expire_hold_now(wiring, held["id"])

    wait_until(lambda: scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=held["id"]) == "expired", 30,
               message="the worker never released the hold")
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["A-1"]) == 0
    records = read_topic(wiring.kafka, "billing.events", at_least=2)
    mine = [json.loads(r.value) for r in records if r.key.decode() == held["id"]]
    assert [event["type"] for event in mine] == ["billing.order_placed.v1", "billing.hold_expired.v1"]
    assert mine[1]["data"]["order_number"] == held["number"]
