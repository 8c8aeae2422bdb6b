"""The ceiling of registration's stack: a bare Flask + SQLAlchemy route storing what a registration stores.

`POST /registrations` parses the JSON body and, in one transaction, inserts the rows
registration's `submit_registration` inserts for one registration: a `registrations` row,
one `delegates` row per delegate, and per delegate an `email_verifications` row and an
`outbox_events` row (an envelope of the same shape and about the same size as the real one). It uses
registration's own tables (`services.registration.adapters.tables`) on a database migrated
by registration's own migrations, and the same engine settings (`shared.db.create_engine`).

Everything else is left out on purpose: no marshmallow schema, no validation of any field
(email, phone, GSTIN...), no domain model, no edition lookup per request (the edition id
is read once at start-up), no access rules, rate limit, correlation id, CSRF, event
contract check, encryption of identity numbers (the number is stored as sent), and no
NOTIFY for a relay (none runs). Served by gunicorn with `bench/bare_gunicorn.conf.py`, the
same settings as every service's web process. Only `bench/registration_surge.py` uses it.

Environment: BARE_DATABASE_URL, BARE_EDITION (slug of an existing edition), and the
gunicorn ones (BARE_BIND, BARE_WEB_WORKERS, BARE_WEB_THREADS).
"""
from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import Flask, jsonify, request

from services.registration.adapters.tables import delegates, editions, email_verifications, outbox, registrations
from shared.db import create_engine
from shared.revocation import IDENTITY_EVENTS_TOPIC

IDENTITY_TOPIC = IDENTITY_EVENTS_TOPIC  # where registration records this event
VERIFICATION_HOURS = 72


def create_app() -> Flask:
    engine = create_engine(os.environ["BARE_DATABASE_URL"])
    with engine.connect() as connection:
        edition_id = connection.execute(
            sa.select(editions.c.id).where(editions.c.slug == os.environ["BARE_EDITION"])).scalar_one()
    app = Flask(__name__)

    @app.get("/healthz")
    def alive():
        return jsonify(status="alive")

    @app.post("/registrations")
    def register():
        data = request.get_json()
        org = data["organisation"]
        registration_id = str(uuid.uuid4())
        reference = "DPD-" + secrets.token_hex(6).upper()  # 48 bits: no collision in a few 100,000 rows
        now = datetime.now(timezone.utc)
        expires_at = now + timedelta(hours=VERIFICATION_HOURS)
        people = [dict(id=str(uuid.uuid4()), registration_id=registration_id, position=position,
                       full_name=d["full_name"], designation=d["designation"], email=d["email"], phone=d["phone"],
                       nationality=d.get("nationality", "IN"), id_document_type=d["id_document"]["type"],
                       id_document_ciphertext=d["id_document"]["number"],
                       id_document_last4=d["id_document"]["number"][-4:])
                  for position, d in enumerate(data["delegates"])]
        verifications, events = [], []
        for person in people:  # as registration does: each delegate confirms their own address
            secret = secrets.token_urlsafe(32)
            envelope = {
                "specversion": "1.0", "id": str(uuid.uuid4()), "source": "dpd/registration",
                "type": "identity.email_verification_requested.v1", "time": now.isoformat(),
                "subject": registration_id, "datacontenttype": "application/json",
                "data": {"registration_id": registration_id, "reference": reference,
                         "organisation_name": org["legal_name"], "email": person["email"],
                         "full_name": person["full_name"], "registered_by": None,
                         "url": f"{request.host_url}verify/{secret}", "expires_at": expires_at.isoformat()}}
            verifications.append(dict(token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                                      registration_id=registration_id, delegate_id=person["id"],
                                      expires_at=expires_at))
            events.append(dict(event_id=envelope["id"], topic=IDENTITY_TOPIC, message_key=registration_id,
                               event_type=envelope["type"], envelope=envelope, correlation_id=str(uuid.uuid4())))
        # Statements with parameters, the cheapest way SQLAlchemy Core inserts (registration does the same).
        with engine.begin() as connection:
            connection.execute(registrations.insert(), dict(
                id=registration_id, edition_id=edition_id, reference=reference, status="awaiting_verification",
                submitted_at=now, legal_name=org["legal_name"], organisation_type=org["type"],
                country=org.get("country", "IN"), state=org.get("state"), gstin=org.get("gstin"),
                address=org["address"], city=org["city"], postal_code=org["postal_code"], website=org.get("website"),
                sectors=org["sectors"], capabilities=org["capabilities"], products=org.get("products", ""),
                udyam_number=org.get("udyam_number"), dpiit_number=org.get("dpiit_number"),
                meeting_interests=data.get("meeting_interests", []),
                participation_interests=data.get("participation_interests", [])))
            connection.execute(delegates.insert(), people)
            connection.execute(email_verifications.insert(), verifications)
            connection.execute(outbox.insert(), events)
        response = jsonify(id=registration_id, reference=reference, status="awaiting_verification")
        response.status_code = 201
        return response

    return app
