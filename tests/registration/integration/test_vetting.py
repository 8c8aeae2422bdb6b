"""The vetting desk against the real database: capacity, waitlist, decisions and their events."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from services.registration import service
from services.registration.adapters.queries import flags, registration_detail
from services.registration.domain.editions import CategoryRule
from services.registration.domain.vetting import Decision
from shared.auth import ORGANISER, Principal
from tests.support.editions import open_edition
from tests.support.journeys import verify_from_outbox
from tests.support.registrations import gstin, registration_payload

VETTER = Principal(kind=ORGANISER, subject="vetter-1", name="Vijay Vetting", issued_at=None,
                   roles=frozenset({"vetting"}))


@pytest.fixture
def small_edition(env):
    """MSMEs: two places. Startups: no limit."""
    open_edition(env, slug="dpd-small", categories={"msme": CategoryRule(capacity=2, max_delegates=3)})
    return "dpd-small"


def submitted(client, wiring, email: str, edition: str = "dpd-small", **changes) -> str:
    payload = registration_payload(email, edition=edition)
    payload["organisation"].update(changes)
    response = client.post("/api/v1/registrations", json=payload)
    assert response.status_code == 201, response.json
    verify_from_outbox(client, wiring.engine, response.json["id"])
    return response.json["id"]


def decide(wiring, registration_id: str, decision: Decision, message: str | None = None):
    return service.decide(wiring.engine, wiring.contracts, registration_id=registration_id, decision=decision,
                          message=message, actor=VETTER, access_url="http://127.0.0.1:8001/access",
                          correlation_id="test")


def status_of(wiring, registration_id: str) -> str:
    with wiring.engine.connect() as db:
        return db.execute(sa.text("SELECT status FROM registrations WHERE id = :id"), {"id": registration_id}).scalar()


def events_for(wiring, registration_id: str) -> list[str]:
    with wiring.engine.connect() as db:
        return list(db.execute(sa.text("SELECT event_type FROM outbox_events WHERE message_key = :id "
                                       "ORDER BY position"), {"id": registration_id}).scalars())


def test_a_full_category_waitlists_and_a_cancellation_promotes_the_longest_waiting(client, wiring, small_edition):
    first, second, third, fourth = (submitted(client, wiring, f"msme{i}@example.in") for i in range(4))
    assert decide(wiring, first, Decision.APPROVE).status == "approved"
    assert decide(wiring, second, Decision.APPROVE).status == "approved"
    full = decide(wiring, third, Decision.APPROVE)
    assert full.status == "waitlisted" and "full" in full.note
    decide(wiring, fourth, Decision.WAITLIST)

    promoted = service.cancel(wiring.engine, wiring.contracts, registration_id=first, actor=VETTER,
                              access_url="http://127.0.0.1:8001/access", correlation_id="test")

    assert promoted == third, "first come, first served"
    assert [status_of(wiring, r) for r in (first, second, third, fourth)] == [
        "cancelled", "approved", "approved", "waitlisted"]
    assert events_for(wiring, third)[-2:] == ["registration.waitlisted.v1", "registration.approved.v1"]
    assert events_for(wiring, first)[-1] == "registration.cancelled.v1"


def test_two_organisers_racing_for_the_last_place_approve_exactly_one(client, wiring, small_edition):
    decide(wiring, submitted(client, wiring, "holder@example.in"), Decision.APPROVE)
    racers = [submitted(client, wiring, f"racer{i}@example.in") for i in range(6)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda r: decide(wiring, r, Decision.APPROVE).status.value, racers))

    assert sorted(outcomes) == ["approved"] + ["waitlisted"] * 5


def test_a_rejection_carries_its_reason_to_the_registrant_and_is_final(client, wiring, small_edition):
    registration_id = submitted(client, wiring, "no@example.in")
    decide(wiring, registration_id, Decision.REJECT, "Not engaged in defence manufacturing.")
    with wiring.engine.connect() as db:
        event = db.execute(sa.text("SELECT envelope FROM outbox_events WHERE event_type = 'registration.rejected.v1'")
                           ).scalar()
        audit = db.execute(sa.text("SELECT after FROM audit_log WHERE action = 'registration.rejected'")).scalar()
    assert event["data"]["message"] == "Not engaged in defence manufacturing."
    assert audit == {"status": "rejected", "message": "Not engaged in defence manufacturing."}
    with pytest.raises(service.StateConflict):
        decide(wiring, registration_id, Decision.APPROVE)


def test_an_unconfirmed_registration_cannot_be_decided(client, wiring, small_edition):
    unconfirmed = client.post("/api/v1/registrations", json=registration_payload("later@example.in",
                                                                                 edition="dpd-small")).json["id"]
    with pytest.raises(service.StateConflict, match="awaiting verification"):
        decide(wiring, unconfirmed, Decision.APPROVE)


def test_bulk_approval_reports_each_one_and_is_not_stopped_by_one_refusal(client, wiring, small_edition, tokens):
    ok = submitted(client, wiring, "bulk1@example.in")
    already = submitted(client, wiring, "bulk2@example.in")
    decide(wiring, already, Decision.REJECT, "Duplicate of another registration")
    over = submitted(client, wiring, "bulk3@example.in")
    extra = submitted(client, wiring, "bulk4@example.in")

    response = client.post("/api/v1/registrations/bulk-approve", json={"registration_ids": [ok, already, over, extra]},
                           headers={"Authorization": f"Bearer {tokens.organiser('vetting')}"})

    results = {r["id"]: r for r in response.json["results"]}
    assert results[ok]["status"] == "approved"
    assert "cannot be approved" in results[already]["error"]
    assert results[over]["status"] == "approved"
    assert results[extra]["status"] == "waitlisted", "the category had two places"


def test_likely_duplicates_and_foreign_nationals_are_flagged_before_a_decision(client, wiring, small_edition):
    original = submitted(client, wiring, "ops@bharat-drones.example.in", legal_name="Bharat Drones Private Limited")
    payload = registration_payload("ops@bharat-drones.example.in", edition="dpd-small")
    payload["organisation"].update(legal_name="Bharat Drone Pvt Ltd")
    payload["delegates"].append({"full_name": "Pierre Martin", "designation": "Partner", "email": "pm@example.fr",
                                 "phone": "+33 1 42 68 53 00", "nationality": "FR",
                                 "id_document": {"type": "passport", "number": "19AB12345"}})
    lookalike = client.post("/api/v1/registrations", json=payload).json["id"]
    submitted(client, wiring, "other@example.in", legal_name="Someone Else Entirely Ltd", gstin=gstin(pan="AAACZ9999Z"))

    found = flags(wiring.engine, *registration_detail(wiring.engine, lookalike))

    reference = registration_detail(wiring.engine, original)[0].reference
    assert f"Same GSTIN as {reference} (Bharat Drones Private Limited)." in found
    assert f"ops@bharat-drones.example.in is also a delegate of {reference}." in found
    assert f"Name much like {reference} (Bharat Drones Private Limited)." in found
    assert "Pierre Martin is a national of FR: needs additional clearance." in found
    assert not any("Someone Else" in f for f in found)


def test_an_admin_creates_an_edition_on_its_page_with_local_times_and_category_rules(client, wiring, tokens):
    client.set_cookie("dpd_session", tokens.organiser("admin"))
    client.get("/admin/editions")
    form = {"csrf_token": client.get_cookie("dpd_csrf").value, "slug": "dpd-2027", "name": "Defence Partnership Days 2027",
            "venue": "Manekshaw Centre, New Delhi", "starts_on": "2027-11-25", "ends_on": "2027-11-26",
            "time_zone": "Asia/Kolkata", "registration_opens_at": "2027-09-01T09:00",
            "registration_closes_at": "2027-11-15T18:00", "capacity.startup": "40", "max_delegates.startup": "2"}

    assert client.post("/admin/editions", data=form).status_code == 302
    edition = service.find_edition(wiring.engine, "dpd-2027")
    assert edition.registration_opens_at.isoformat() == "2027-09-01T03:30:00+00:00", "09:00 in New Delhi"
    assert edition.rule_for("startup") == CategoryRule(capacity=40, max_delegates=2)
    backwards = client.post("/admin/editions", data={**form, "ends_on": "2027-11-20"})
    assert backwards.status_code == 422 and "cannot end before it starts" in backwards.data.decode()
