"""Events as their producers publish them (each made and checked by the producer's own
contracts), put on the real topics, for notification's integration tests."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from services.billing import events as billing
from services.billing.bootstrap import TOPICS as BILLING_TOPICS
from services.matchmaking import events as matchmaking
from services.matchmaking.bootstrap import TOPICS as MATCHMAKING_TOPICS
from services.registration import events as registration
from services.registration.bootstrap import TOPICS as REGISTRATION_TOPICS
from shared.config import KafkaSettings
from shared.events import CORRELATION_HEADER, Envelope
from shared.kafka import ensure_topics, new_producer

NOW = datetime(2026, 11, 20, 5, 30, tzinfo=timezone.utc)
SLOT_START = datetime(2026, 11, 28, 4, 30, tzinfo=timezone.utc)  # 10:00 IST


def create_producer_topics(kafka: KafkaSettings) -> None:
    ensure_topics(kafka, [*REGISTRATION_TOPICS, *MATCHMAKING_TOPICS, *BILLING_TOPICS])


class Bus:
    """Publishes envelopes where their producer would, and remembers nothing."""

    def __init__(self, kafka: KafkaSettings):
        self._kafka = kafka
        self._producer = new_producer(kafka, client_id="notification-tests")

    def publish(self, topic: str, envelope: Envelope, key: str | None = None) -> Envelope:
        """On `topic`, keyed by the envelope's subject as producers do (or by `key`)."""
        self._producer.send(self._kafka.topic(topic), key=(key or envelope.subject).encode(), value=envelope.to_json(),
                            headers=[(CORRELATION_HEADER, f"test-{envelope.id}".encode())]).get(timeout=30)
        return envelope

    def close(self) -> None:
        self._producer.close(timeout=10)


def delegate(email: str, name: str = "Ananya Rao") -> dict:
    return {"delegate_id": str(uuid.uuid4()), "full_name": name, "email": email, "designation": "Director",
            "nationality": "IN"}


def registration_event(event_type: str, delegates: list[dict], *, edition_id: str, registration_id: str | None = None,
                       **extra) -> Envelope:
    registration_id = registration_id or str(uuid.uuid4())
    snapshot = {"registration_id": registration_id, "edition_id": edition_id, "reference": "DPD-7K3M9QAB",
                "organisation": {"legal_name": "Tejas Avionics Private Limited", "type": "msme", "country": "IN",
                                 "state": "DL", "gstin": None, "address": "Okhla", "city": "New Delhi",
                                 "postal_code": "110020"},
                "contact": delegates[0], "delegates": delegates}
    profile = {"sectors": ["aerospace"], "capabilities": "Avionics", "products": "MC-7",
               "meeting_interests": ["b2g"], "participation_interests": []}
    data = {registration.REGISTRATION_SUBMITTED: {**snapshot, **profile, "submitted_at": NOW},
            registration.REGISTRATION_APPROVED: {**snapshot, **profile, "approved_at": NOW,
                                                 "access_url": "http://127.0.0.1:8001/access"},
            registration.REGISTRATION_WAITLISTED: {**snapshot, "decided_at": NOW}}[event_type]
    return registration.contracts().create(event_type, registration_id, data | extra)


def edition_saved(edition_id: str, name: str) -> Envelope:
    return registration.contracts().create(registration.EDITION_SAVED, edition_id, {
        "edition_id": edition_id, "slug": name.lower().replace(" ", "-"), "name": name,
        "venue": "Manekshaw Centre, New Delhi", "starts_on": SLOT_START.date(), "ends_on": SLOT_START.date(),
        "time_zone": "Asia/Kolkata", "registration_opens_at": NOW, "registration_closes_at": NOW})


def officer_added(email: str, name: str, *, edition_id: str) -> Envelope:
    officer_id = str(uuid.uuid4())
    return registration.contracts().create(registration.OFFICER_ADDED, officer_id, {
        "officer_id": officer_id, "edition_id": edition_id, "name": name, "rank": "Commander", "organisation": "navy",
        "appointment": "Director, Naval Design", "email": email, "sectors": ["naval_systems"], "requirements": "Sonar"})


def email_verification(email: str, name: str = "Ananya Rao") -> Envelope:
    registration_id = str(uuid.uuid4())
    return registration.contracts().create(registration.EMAIL_VERIFICATION_REQUESTED, registration_id, {
        "registration_id": registration_id, "reference": "DPD-7K3M9QAB", "organisation_name": "Tejas Avionics",
        "email": email, "full_name": name, "registered_by": None, "url": "http://127.0.0.1:8001/verify/s3cret",
        "expires_at": NOW + timedelta(days=3)})


def personal_data_erased(person_id: str) -> Envelope:
    return registration.contracts().create(registration.PERSONAL_DATA_ERASED, person_id, {
        "person_id": person_id, "kind": "delegate", "registration_id": None})


def meeting(requester_email: str, officer_email: str, *, meeting_id: str | None = None, agenda: str = "Sonar domes",
            company: str = "Tejas Avionics Private Limited") -> dict:
    return {"meeting_id": meeting_id or str(uuid.uuid4()), "edition_id": str(uuid.uuid4()), "kind": "b2g",
            "requester": {"kind": "company", "id": str(uuid.uuid4()), "name": company, "detail": "DPD-7K3M9QAB",
                          "people": [{"name": "Ananya Rao", "email": requester_email}]},
            "receiver": {"kind": "officer", "id": str(uuid.uuid4()), "name": "Cdr R. Iyer",
                         "detail": "Director, Naval Design", "people": [{"name": "Cdr R. Iyer", "email": officer_email}]},
            "agenda": agenda, "part_of_day": "any", "time_zone": "Asia/Kolkata", "sequence": 0,
            "starts_at": None, "ends_at": None, "table": None}


def meeting_event(event_type: str, the_meeting: dict, **changes) -> Envelope:
    extra = {matchmaking.MEETING_REQUESTED: {"requested_by": "Ananya Rao", "respond_by": NOW + timedelta(days=3)},
             matchmaking.MEETING_SCHEDULED: {},
             matchmaking.MEETING_MOVED: {"previous_starts_at": SLOT_START, "previous_ends_at":
                                         SLOT_START + timedelta(minutes=20), "previous_table": "G12"},
             matchmaking.MEETING_CANCELLED: {"cancelled_by": "organiser", "reason": "Called away",
                                             "cancelled_at": NOW}}[event_type]
    data = {**the_meeting, **extra, **changes}
    return matchmaking.contracts().create(event_type, str(data["meeting_id"]), data)


def placed(the_meeting: dict, *, sequence: int, starts_at: datetime = SLOT_START, table: str = "G12") -> dict:
    return {**the_meeting, "sequence": sequence, "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=20),
            "table": table}


def benefit_event(event_type: str, registration_id: str, *, edition_id: str) -> Envelope:
    common = {"edition_id": edition_id, "registration_id": registration_id, "order_id": str(uuid.uuid4())}
    data = {billing.SPONSORSHIP_CONFIRMED: {**common, "tier_id": str(uuid.uuid4()), "tier_name": "Gold",
                                            "matchmaking_priority": 2, "confirmed_at": NOW},
            billing.BOOTH_ALLOCATED: {**common, "booth_id": str(uuid.uuid4()), "hall": "H1", "booth_number": "14",
                                      "area_m2": "9.00", "legal_name": "Tejas Avionics", "at": NOW}}[event_type]
    return billing.contracts().create(event_type, registration_id, data)
