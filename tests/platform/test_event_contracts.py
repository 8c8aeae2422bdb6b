"""What registration publishes satisfies the copies its consumers keep of each contract."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from services.notification.contracts import contracts as notification_contracts
from services.registration.events import contracts as registration_contracts

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)
PERSON = {"delegate_id": str(uuid.uuid4()), "full_name": "Ananya Rao", "email": "ananya@example.in",
          "designation": "Director", "nationality": "IN"}
SNAPSHOT = {"registration_id": str(uuid.uuid4()), "edition_id": str(uuid.uuid4()), "reference": "DPD-ABCDEFGH",
            "organisation": {"legal_name": "Tejas Avionics", "type": "msme", "country": "IN", "state": "DL",
                             "gstin": None, "address": "Okhla", "city": "New Delhi", "postal_code": "110020"},
            "contact": PERSON, "delegates": [PERSON]}
PROFILE = {"sectors": ["aerospace"], "capabilities": "c", "products": "", "meeting_interests": ["b2g"],
           "participation_interests": []}
LINK = {"email": "ananya@example.in", "full_name": "Ananya Rao", "url": "http://127.0.0.1:8001/x/secret",
        "expires_at": NOW}
SAMPLES = {
    "registration.submitted.v1": {**SNAPSHOT, **PROFILE, "submitted_at": NOW},
    "registration.approved.v1": {**SNAPSHOT, **PROFILE, "approved_at": NOW,
                                 "access_url": "http://127.0.0.1:8001/access"},
    "registration.edition_saved.v1": {"edition_id": SNAPSHOT["edition_id"], "slug": "dpd-2026",
                                      "name": "Defence Partnership Days 2026", "venue": "Manekshaw Centre, New Delhi",
                                      "starts_on": NOW.date(), "ends_on": NOW.date(), "time_zone": "Asia/Kolkata",
                                      "registration_opens_at": NOW, "registration_closes_at": NOW},
    "registration.rejected.v1": {**SNAPSHOT, "decided_at": NOW, "message": "Not a defence firm",
                                 "access_url": "http://127.0.0.1:8001/access"},
    "registration.changes_requested.v1": {**SNAPSHOT, "decided_at": NOW, "message": "Add your DPIIT number",
                                          "access_url": "http://127.0.0.1:8001/access"},
    "registration.waitlisted.v1": {**SNAPSHOT, "decided_at": NOW},
    "registration.cancelled.v1": {**SNAPSHOT, "cancelled_at": NOW, "was_approved": True},
    "identity.email_verification_requested.v1": {**LINK, "registration_id": SNAPSHOT["registration_id"],
                                                 "reference": "DPD-ABCDEFGH", "organisation_name": "Tejas Avionics"},
    "identity.access_link_issued.v1": {**LINK, "person_id": PERSON["delegate_id"]},
    "registration.officer_added.v1": {"officer_id": str(uuid.uuid4()), "edition_id": SNAPSHOT["edition_id"],
                                      "name": "Cdr R. Iyer", "rank": "Commander", "organisation": "navy",
                                      "appointment": "Director, Naval Design", "email": "r.iyer@navy.example.in",
                                      "sectors": ["naval_systems"], "requirements": "Sonar domes"},
    "registration.officer_removed.v1": {"officer_id": str(uuid.uuid4()), "edition_id": SNAPSHOT["edition_id"]},
    "identity.access_revoked.v1": {"subject": "someone", "not_before": NOW, "reason": "signed out"},
}


SAMPLES["registration.officer_updated.v1"] = SAMPLES["registration.officer_added.v1"]
SAMPLES["registration.updated.v1"] = {**SNAPSHOT, **PROFILE, "status": "submitted", "changed": ["legal_name"]}
SAMPLES["registration.delegate_added.v1"] = {**SNAPSHOT, "delegate": PERSON}
SAMPLES["registration.delegate_removed.v1"] = {**SNAPSHOT, "delegate": PERSON}
SAMPLES["identity.badge_issued.v1"] = {"person_id": PERSON["delegate_id"], "email": "a@example.in",
                                      "full_name": "Ananya Rao", "role_label": "Delegate",
                                      "png_url": "http://127.0.0.1:8001/badges/DPD1-X.png",
                                      "pdf_url": "http://127.0.0.1:8001/badges/DPD1-X.pdf"}
SAMPLES["registration.person_checked_in.v1"] = {"person_id": PERSON["delegate_id"], "kind": "delegate",
                                                "edition_id": SNAPSHOT["edition_id"], "checked_in_at": NOW}
SAMPLES["registration.personal_data_erased.v1"] = {"person_id": PERSON["delegate_id"], "kind": "delegate",
                                                   "registration_id": SNAPSHOT["registration_id"]}


def test_every_published_type_has_a_sample_here():
    assert set(registration_contracts().types) == set(SAMPLES)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_notification_can_read_what_registration_publishes(event_type):
    published = registration_contracts().create(event_type, "subject", SAMPLES[event_type])
    consumer = notification_contracts()
    if consumer.knows(event_type):
        consumer.load_data(published)
