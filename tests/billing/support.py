"""What billing's tests set up again and again: an edition on sale with its catalogue, approved
buyers (as registration's events would make them), and reading billing's outbox."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa

from services.billing import buyers
from services.billing.domain.states import state_by_key
from tests.support.registrations import gstin as make_gstin

EDITION_ID = "5a0f4c2e-8d1b-4e7a-9c3d-2b6f1e0a9d47"


def approve_buyer(wiring, *, edition_id: str = EDITION_ID, name: str = "Tejas Avionics Private Limited",
                  state: str = "DL", gstin: str | None = "default", country: str = "IN",
                  organisation_type: str = "msme") -> str:
    """An organisation registration approved, as billing's consumer stores it; its registration id."""
    registration_id = str(uuid.uuid4())
    contact_id = uuid.uuid4()
    data = {"registration_id": uuid.UUID(registration_id), "edition_id": uuid.UUID(edition_id),
            "reference": "DPD-" + registration_id[:8].upper(),
            "organisation": {"legal_name": name, "type": organisation_type, "country": country, "state": state,
                             "gstin": make_gstin(_gst_code(state)) if gstin == "default" else gstin,
                             "address": "Plot 12, Industrial Area", "city": "New Delhi", "postal_code": "110020"},
            "contact": {"delegate_id": contact_id, "full_name": "Ananya Rao", "email": f"buyer.{registration_id[:8]}@example.in"}}
    with wiring.engine.begin() as connection:
        buyers.keep_buyer(connection, data, approved=True)
    return registration_id


def _gst_code(state: str) -> str:
    return state_by_key(state).gst_code


def open_sales(client, finance_token: str, edition_id: str = EDITION_ID) -> dict[str, str]:
    """The edition on sale with two tiers, four booths in Hall A and lanyards; their ids by name."""
    headers = {"Authorization": f"Bearer {finance_token}"}
    response = client.put(f"/api/v1/editions/{edition_id}", json={"name": "Defence Partnership Days 2026",
                                                                  "venue_state": "DL"}, headers=headers)
    assert response.status_code == 200, response.json
    items = [
        {"kind": "sponsorship", "name": "Gold", "unit_price_paise": 5_00_000_00, "quantity": 2,
         "matchmaking_priority": 10, "includes_booth": True, "description": "Keynote mention, a booth"},
        {"kind": "sponsorship", "name": "Silver", "unit_price_paise": 2_00_000_00, "quantity": 5,
         "matchmaking_priority": 5},
        *({"kind": "booth", "name": f"A-{n}", "unit_price_paise": 1_50_000_00, "quantity": 1,
           "booth": {"hall": "Hall A", "booth_number": f"A-{n}", "x_m": str(4 * (n - 1)), "y_m": "0",
                     "width_m": "3", "depth_m": "3"}} for n in range(1, 5)),
        {"kind": "branding", "name": "Lanyards", "unit_price_paise": 200_00, "quantity": 1000},
    ]
    ids = {}
    for item in items:
        response = client.post(f"/api/v1/editions/{edition_id}/items", json=item, headers=headers)
        assert response.status_code == 201, response.json
        ids[item["name"]] = response.json["id"]
    return ids


def outbox_events(wiring, event_type: str | None = None) -> list[dict]:
    """Billing's recorded events (oldest first): their envelopes."""
    query = "SELECT envelope, message_key FROM outbox_events"
    if event_type:
        query += " WHERE event_type = :type"
    with wiring.engine.connect() as db:
        rows = db.execute(sa.text(query + " ORDER BY position"), {"type": event_type}).all()
    return [{**row.envelope, "key": row.message_key} for row in rows]


def scalar(wiring, sql: str, **params):
    with wiring.engine.connect() as db:
        return db.execute(sa.text(sql), params).scalar()


def expire_hold_now(wiring, order_id: str) -> None:
    """As if the hold's time had passed."""
    with wiring.engine.begin() as db:
        db.execute(sa.text("UPDATE orders SET hold_expires_at = :past WHERE id = :id"),
                   {"past": datetime(2020, 1, 1, tzinfo=timezone.utc), "id": order_id})
