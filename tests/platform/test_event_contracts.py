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


# Billing's sponsorship events, which matchmaking consumes.
BILLING_SAMPLES = {
    "billing.sponsorship_confirmed.v1": {"edition_id": SNAPSHOT["edition_id"], "registration_id": SNAPSHOT["registration_id"],
                                         "order_id": str(uuid.uuid4()), "tier_id": str(uuid.uuid4()),
                                         "tier_name": "Platinum", "matchmaking_priority": 3, "confirmed_at": NOW},
    "billing.sponsorship_withdrawn.v1": {"edition_id": SNAPSHOT["edition_id"], "registration_id": SNAPSHOT["registration_id"],
                                         "order_id": str(uuid.uuid4()), "tier_id": str(uuid.uuid4()),
                                         "withdrawn_at": NOW, "reason": "refunded"},
}


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_matchmaking_can_read_what_registration_publishes(event_type):
    from services.matchmaking.events import contracts as matchmaking_contracts
    published = registration_contracts().create(event_type, "subject", SAMPLES[event_type])
    consumer = matchmaking_contracts()
    if consumer.knows(event_type):
        consumer.load_data(published)


@pytest.mark.parametrize("event_type", sorted(BILLING_SAMPLES))
def test_matchmaking_can_read_billings_sponsorship_events(event_type):
    from services.billing.events import contracts as billing_contracts
    from services.matchmaking.events import contracts as matchmaking_contracts
    published = billing_contracts().create(event_type, "subject", BILLING_SAMPLES[event_type])
    matchmaking_contracts().load_data(published)


MEETING_PARTY = {"kind": "company", "id": SNAPSHOT["registration_id"], "name": "Tejas Avionics",
                 "detail": "DPD-ABCDEFGH", "people": [{"name": "Ananya Rao", "email": "ananya@example.in"}]}
MEETING = {"meeting_id": str(uuid.uuid4()), "edition_id": SNAPSHOT["edition_id"], "kind": "b2g",
           "requester": MEETING_PARTY, "receiver": {**MEETING_PARTY, "kind": "officer", "name": "Cdr R. Iyer",
                                                    "detail": "Director, Naval Design"},
           "agenda": "Sonar domes for the P-75I", "part_of_day": "any", "time_zone": "Asia/Kolkata", "sequence": 0,
           "starts_at": None, "ends_at": None, "table": None}
PLACED = {**MEETING, "starts_at": NOW, "ends_at": NOW, "table": "G12", "sequence": 1}
MATCHMAKING_SAMPLES = {
    "matchmaking.meeting_requested.v1": {**MEETING, "requested_by": "Ananya Rao", "respond_by": NOW},
    "matchmaking.meeting_accepted.v1": {**MEETING, "answered_at": NOW},
    "matchmaking.meeting_declined.v1": {**MEETING, "answered_at": NOW, "reason": "Not our area"},
    "matchmaking.meeting_expired.v1": {**MEETING, "expired_at": NOW},
    "matchmaking.meeting_cancelled.v1": {**PLACED, "cancelled_by": "receiver", "reason": None, "cancelled_at": NOW},
    "matchmaking.meeting_scheduled.v1": PLACED,
    "matchmaking.meeting_moved.v1": {**PLACED, "previous_starts_at": NOW, "previous_ends_at": NOW,
                                     "previous_table": "G3"},
}


@pytest.mark.parametrize("event_type", sorted(MATCHMAKING_SAMPLES))
def test_what_matchmaking_publishes_satisfies_its_contracts_and_notifications_copies(event_type):
    from services.matchmaking.events import PUBLISHED
    from services.matchmaking.events import contracts as matchmaking_contracts
    assert set(PUBLISHED) == set(MATCHMAKING_SAMPLES)
    published = matchmaking_contracts().create(event_type, "subject", MATCHMAKING_SAMPLES[event_type])
    consumer = notification_contracts()
    if consumer.knows(event_type):
        consumer.load_data(published)


# Everything billing publishes (the sponsorship events above, and the order events notification emails about).
_ORDER = {"order_id": str(uuid.uuid4()), "order_number": "ORD-7K2M9QXA", "edition_id": SNAPSHOT["edition_id"],
          "registration_id": SNAPSHOT["registration_id"],
          "buyer": {"legal_name": "Tejas Avionics", "gstin": "07AABCT1234F1ZS", "contact_name": "Ananya Rao",
                    "contact_email": "ananya@example.in"},
          "lines": [{"description": "Gold sponsorship", "kind": "sponsorship", "quantity": 1, "payable_paise": 59000000}],
          "currency": "INR", "taxable_paise": 50000000, "tax_paise": 9000000, "payable_paise": 59000000,
          "payment_method": "gateway", "order_url": "http://127.0.0.1:8004/me/orders/x"}
_DOCUMENT = {**_ORDER, "document_number": "DPD/2627/000001", "issued_at": NOW,
             "download_url": "http://127.0.0.1:8004/documents/invoices/x.pdf?expires=1&signature=s",
             "download_expires_at": NOW}
_BOOTH = {"edition_id": SNAPSHOT["edition_id"], "registration_id": SNAPSHOT["registration_id"],
          "order_id": _ORDER["order_id"], "booth_id": str(uuid.uuid4()), "hall": "Hall A", "booth_number": "A-12",
          "area_m2": "9.00", "legal_name": "Tejas Avionics", "at": NOW}
BILLING_PUBLISHED_SAMPLES = {
    **BILLING_SAMPLES,
    "billing.order_placed.v1": {**_ORDER, "placed_at": NOW, "hold_expires_at": NOW},
    "billing.hold_expiring.v1": {**_ORDER, "hold_expires_at": NOW},
    "billing.hold_expired.v1": {**_ORDER, "expired_at": NOW},
    "billing.proforma_issued.v1": {**_DOCUMENT, "pay_by": NOW, "bank_details": "A/c 000123456789, IFSC SBIN0000691"},
    "billing.order_paid.v1": {**_ORDER, "paid_at": NOW, "amount_paise": 59000000, "payment_reference": "pay_X"},
    "billing.invoice_issued.v1": {**_DOCUMENT, "reverse_charge": False},
    "billing.order_cancelled.v1": {**_ORDER, "cancelled_at": NOW, "reason": "withdrawn", "was_paid": True},
    "billing.refund_processed.v1": {**_ORDER, "refund_id": str(uuid.uuid4()), "amount_paise": 59000000,
                                    "processed_at": NOW},
    "billing.credit_note_issued.v1": {**_DOCUMENT, "invoice_number": "DPD/2627/000001", "refunded_paise": 59000000},
    "billing.booth_allocated.v1": _BOOTH,
    "billing.booth_released.v1": _BOOTH,
}


def test_every_type_billing_publishes_has_a_sample_here():
    from services.billing.events import contracts as billing_contracts
    assert set(billing_contracts().types) == set(BILLING_PUBLISHED_SAMPLES)


@pytest.mark.parametrize("event_type", sorted(BILLING_PUBLISHED_SAMPLES))
def test_billings_consumers_can_read_what_billing_publishes(event_type):
    from services.billing.events import contracts as billing_contracts
    from services.matchmaking.events import contracts as matchmaking_contracts
    published = billing_contracts().create(event_type, "subject", BILLING_PUBLISHED_SAMPLES[event_type])
    for consumer in (notification_contracts(), matchmaking_contracts()):
        if consumer.knows(event_type):
            consumer.load_data(published)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_billing_can_read_what_registration_publishes(event_type):
    from services.billing.contracts import consumed as billing_consumed
    published = registration_contracts().create(event_type, "subject", SAMPLES[event_type])
    consumer = billing_consumed()
    if consumer.knows(event_type):
        consumer.load_data(published)


# Billing's order events and benefits, which notification consumes (emails to buyers, announcement segments).
BILLING_ORDER = {"order_id": str(uuid.uuid4()), "order_number": "DPD-ORD-000123", "edition_id": SNAPSHOT["edition_id"],
                 "registration_id": SNAPSHOT["registration_id"],
                 "buyer": {"legal_name": "Tejas Avionics", "gstin": None, "contact_name": "Ananya Rao",
                           "contact_email": "ananya@example.in"},
                 "lines": [{"description": "Booth H1-14", "kind": "booth", "quantity": 1, "payable_paise": 17700000}],
                 "currency": "INR", "taxable_paise": 15000000, "tax_paise": 2700000, "payable_paise": 17700000,
                 "payment_method": "gateway", "order_url": "http://127.0.0.1:8004/me/orders/x"}
BILLING_DOCUMENT = {**BILLING_ORDER, "document_number": "INV/26-27/0042", "issued_at": NOW,
                    "download_url": "http://127.0.0.1:8004/documents/invoices/x.pdf?sig=y", "download_expires_at": NOW}
BILLING_SAMPLES_FOR_NOTIFICATION = {
    "billing.order_placed.v1": {**BILLING_ORDER, "placed_at": NOW, "hold_expires_at": NOW},
    "billing.hold_expiring.v1": {**BILLING_ORDER, "hold_expires_at": NOW},
    "billing.proforma_issued.v1": {**BILLING_DOCUMENT, "pay_by": NOW, "bank_details": "A/c 000123456789"},
    "billing.order_paid.v1": {**BILLING_ORDER, "paid_at": NOW, "amount_paise": 17700000, "payment_reference": "pay_1"},
    "billing.invoice_issued.v1": {**BILLING_DOCUMENT, "reverse_charge": False},
    "billing.credit_note_issued.v1": {**BILLING_DOCUMENT, "document_number": "CN/26-27/0007",
                                      "invoice_number": "INV/26-27/0042", "refunded_paise": 17700000},
    **BILLING_SAMPLES,
    "billing.booth_allocated.v1": {"edition_id": SNAPSHOT["edition_id"], "registration_id": SNAPSHOT["registration_id"],
                                   "order_id": str(uuid.uuid4()), "booth_id": str(uuid.uuid4()), "hall": "H1",
                                   "booth_number": "14", "area_m2": "9.00", "legal_name": "Tejas Avionics", "at": NOW},
}
BILLING_SAMPLES_FOR_NOTIFICATION["billing.booth_released.v1"] = BILLING_SAMPLES_FOR_NOTIFICATION["billing.booth_allocated.v1"]


def test_notification_has_a_billing_sample_for_every_billing_event_it_consumes():
    from services.billing.events import contracts as billing_contracts
    consumed = {t for t in notification_contracts().types if t.startswith("billing.")}
    assert consumed <= set(billing_contracts().types), "notification consumes a type billing does not publish"
    assert consumed == set(BILLING_SAMPLES_FOR_NOTIFICATION)


@pytest.mark.parametrize("event_type", sorted(BILLING_SAMPLES_FOR_NOTIFICATION))
def test_notification_can_read_what_billing_publishes(event_type):
    from services.billing.events import contracts as billing_contracts
    published = billing_contracts().create(event_type, "subject", BILLING_SAMPLES_FOR_NOTIFICATION[event_type])
    notification_contracts().load_data(published)


def test_notification_consumes_every_meeting_event_matchmaking_publishes():
    from services.matchmaking.events import PUBLISHED
    assert set(PUBLISHED) <= set(notification_contracts().types)
