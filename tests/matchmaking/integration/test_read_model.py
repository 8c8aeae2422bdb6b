"""The read model comes only from registration's and billing's topics, and a replay of those
topics rebuilds it exactly."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from services.billing.events import contracts as billing_contracts
from services.matchmaking import read_model
from services.matchmaking.adapters.tables import delegates, editions, officers, organisations, sponsorships
from tests.matchmaking.integration.conftest import EDITION
from tests.platform.test_event_contracts import BILLING_SAMPLES


def snapshot(wiring) -> dict:
    with wiring.engine.connect() as db:
        return {table.name: sorted(tuple(str(v) for k, v in row._mapping.items() if k != "updated_at")
                                   for row in db.execute(sa.select(table)))
                for table in (editions, organisations, delegates, officers, sponsorships)}


def test_a_replay_of_the_topics_rebuilds_the_read_model(wiring, publish, consumer):
    publish.edition(name="DPD 2026 (draft)")
    publish.edition()  # edited: the newer announcement wins
    approved = publish.company("Tejas Avionics", delegates=2)
    publish.company("Waiting Works", approve=False)
    gone = publish.company("Gone Industries")
    publish.cancel(gone)
    officer_id = publish.officer("R. Iyer")
    sponsor = {**BILLING_SAMPLES["billing.sponsorship_confirmed.v1"], "edition_id": EDITION,
               "registration_id": approved["registration_id"], "order_id": str(uuid.uuid4())}
    publish.send("billing.events", billing_contracts().create("billing.sponsorship_confirmed.v1",
                                                              approved["registration_id"], sponsor))
    publish.wait_until_applied()

    before = snapshot(wiring)
    statuses = {row[0]: row[5] for row in before["organisations"]}
    assert statuses[approved["registration_id"]] == "approved"
    assert statuses[gone["registration_id"]] == "cancelled"
    assert len([d for d in before["delegates"] if d[1] == approved["registration_id"]]) == 2
    assert before["officers"][0][0] == officer_id
    assert [row[2] for row in before["editions"]] == ["Defence Partnership Days 2026"]

    with wiring.engine.begin() as db:
        for table in read_model.READ_MODEL_TABLES:
            db.execute(table.delete())
    assert snapshot(wiring)["organisations"] == []

    rebuilt = read_model.rebuild(wiring.engine, wiring.kafka, wiring.contracts)
    assert rebuilt.applied == publish.count and rebuilt.skipped == 0
    assert snapshot(wiring) == before
