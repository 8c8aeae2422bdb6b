"""Matchmaking's app on a migrated database of its own, its read model fed through the real Kafka
topics by its own consumer, and helpers to sign in as its participants."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.matchmaking import read_model
from services.matchmaking.adapters.tables import outbox, processed_events
from services.matchmaking.bootstrap import CONSUMER_GROUP, bootstrap
from services.matchmaking.manage import migrate
from services.matchmaking.web.app import create_app
from services.registration.events import contracts as registration_contracts
from shared.auth import PARTICIPANT, TokenIssuer, load_private_key
from shared.config import WebSettings, load_settings
from shared.consumer import IdempotentConsumer
from shared.kafka import TopicSpec, ensure_topics, new_producer
from shared.localinfra.ports import wait_until
from shared.outbox import OutboxRelay

EDITION = str(uuid.uuid4())
NOW = datetime.now(timezone.utc)


@pytest.fixture
def env(platform_env):
    migrate(platform_env)
    return platform_env


@pytest.fixture
def wiring(env):
    wiring = bootstrap(env)
    ensure_topics(wiring.kafka, [TopicSpec("registration.events", 3), TopicSpec("billing.events", 3)])
    yield wiring
    wiring.engine.dispose()


@pytest.fixture
def client(wiring, env):
    return create_app(wiring, load_settings(WebSettings, env)).test_client()


@pytest.fixture
def producer(wiring):
    producer = new_producer(wiring.kafka, client_id="test-producer")
    yield producer
    producer.close()


@pytest.fixture
def background(wiring, producer):
    """Runs components (consumer, relay...) in threads until the test ends."""
    stop = threading.Event()
    threads = []

    def start(component):
        thread = threading.Thread(target=component.run, args=(stop,), daemon=True)
        thread.start()
        threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=30)


@pytest.fixture
def consumer(wiring, producer, background):
    background(IdempotentConsumer(group=CONSUMER_GROUP, topics=list(read_model.TOPICS), engine=wiring.engine,
                                  processed_table=processed_events, contracts=wiring.contracts,
                                  handlers=read_model.handlers(wiring.contracts), kafka=wiring.kafka,
                                  producer=producer))


@pytest.fixture
def relay(wiring, producer, background):
    background(OutboxRelay(wiring.engine, outbox, producer, wiring.kafka))


class Publisher:
    """Publishes registration's (and billing's) events onto the real topics, as those services would."""

    def __init__(self, wiring, producer):
        self.kafka = wiring.kafka
        self.engine = wiring.engine
        self.producer = producer
        self.registration = registration_contracts()
        self.sent_ids: list[str] = []

    @property
    def count(self) -> int:
        return len(self.sent_ids)

    def send(self, topic: str, envelope) -> None:
        self.producer.send(self.kafka.topic(topic), key=envelope.subject.encode(), value=envelope.to_json()).get(30)
        self.sent_ids.append(envelope.id)

    def wait_until_applied(self, timeout: float = 60) -> None:
        """Until the read model's consumer has applied every event sent so far. Events of different
        subjects travel on different partitions, so the last one sent may be applied first."""
        def applied() -> int:
            with self.engine.connect() as db:
                return db.execute(sa.select(sa.func.count()).select_from(processed_events)
                                  .where(processed_events.c.event_id.in_(self.sent_ids))).scalar()
        wait_until(lambda: applied() == self.count, timeout,
                   message=lambda: f"the read model applied {applied()} of the {self.count} events sent")

    def company(self, name: str, *, sectors=("aerospace",), capabilities="Mission computers and cockpit displays",
                approve=True, delegates=1) -> dict:
        registration_id = str(uuid.uuid4())
        people = [{"delegate_id": str(uuid.uuid4()), "full_name": f"{name} Delegate {i}",
                   "email": f"d{i}.{registration_id[:8]}@example.in", "designation": "Director",
                   "nationality": "IN"} for i in range(delegates)]
        snapshot = {"registration_id": registration_id, "edition_id": EDITION, "reference": f"DPD-{registration_id[:8]}",
                    "organisation": {"legal_name": name, "type": "msme", "country": "IN", "state": "DL", "gstin": None,
                                     "address": "Okhla", "city": "New Delhi", "postal_code": "110020"},
                    "contact": people[0], "delegates": people}
        profile = {"sectors": list(sectors), "capabilities": capabilities, "products": "",
                   "meeting_interests": ["b2g", "b2b"], "participation_interests": []}
        self.send("registration.events", self.registration.create("registration.submitted.v1", registration_id, {
            **snapshot, **profile, "submitted_at": NOW}))
        if approve:
            self.send("registration.events", self.registration.create("registration.approved.v1", registration_id, {
                **snapshot, **profile, "approved_at": NOW, "access_url": "http://127.0.0.1:8001/access"}))
        return snapshot

    def edition(self, name: str = "Defence Partnership Days 2026", venue: str = "Manekshaw Centre, New Delhi") -> None:
        self.send("registration.events", self.registration.create("registration.edition_saved.v1", EDITION, {
            "edition_id": EDITION, "slug": "dpd-2026", "name": name, "venue": venue, "starts_on": NOW.date(),
            "ends_on": NOW.date(), "time_zone": "Asia/Kolkata", "registration_opens_at": NOW,
            "registration_closes_at": NOW}))

    def cancel(self, snapshot: dict) -> None:
        self.send("registration.events", self.registration.create(
            "registration.cancelled.v1", snapshot["registration_id"], {**snapshot, "cancelled_at": NOW,
                                                                         "was_approved": True}))

    def officer(self, name: str, *, sectors=("aerospace",), requirements="Avionics mission computers") -> str:
        officer_id = str(uuid.uuid4())
        self.send("registration.events", self.registration.create("registration.officer_added.v1", officer_id, {
            "officer_id": officer_id, "edition_id": EDITION, "name": name, "rank": "Captain",
            "organisation": "navy", "appointment": "Director, Naval Design", "email": f"{officer_id[:8]}@navy.example.in",
            "sectors": list(sectors), "requirements": requirements}))
        return officer_id


@pytest.fixture
def publish(wiring, producer) -> Publisher:
    return Publisher(wiring, producer)


@pytest.fixture
def people(signing_keys):
    """Bearer headers for a delegate of a registration, an officer, or an organiser."""
    issuer = TokenIssuer(load_private_key(signing_keys[0]), timedelta(hours=1))

    class People:
        def delegate(self, snapshot: dict) -> dict:
            token = issuer.issue(kind=PARTICIPANT, subject=snapshot["delegates"][0]["delegate_id"],
                                 name=snapshot["delegates"][0]["full_name"],
                                 registration_id=snapshot["registration_id"])[0]
            return {"Authorization": f"Bearer {token}"}

        def officer(self, officer_id: str) -> dict:
            token = issuer.issue(kind=PARTICIPANT, subject=officer_id, name="Captain", officer=True)[0]
            return {"Authorization": f"Bearer {token}"}

        def organiser(self, role: str = "matchmaking") -> dict:
            token = issuer.issue(kind="organiser", subject=str(uuid.uuid4()), name="Meera Matchmaker",
                                 roles=frozenset({role}))[0]
            return {"Authorization": f"Bearer {token}"}

    return People()


FRAME = {"time_zone": "Asia/Kolkata", "slot_minutes": 20, "b2g_tables": 4, "b2b_tables": 2,
         "max_open_requests_per_company": 3, "max_meetings_per_officer_per_day": 4, "response_hours": 48,
         "days": [{"date": (NOW + timedelta(days=30)).date().isoformat(), "opens": "09:30", "closes": "11:30",
                   "breaks": [{"starts": "10:30", "ends": "10:50", "label": "Tea"}]}]}
