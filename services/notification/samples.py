"""Sample data for every email, shaped as each event's contract loads it: organisers preview the
templates with it in the back-office, and the unit tests render every template from it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.notification import contracts as c
from services.notification.domain.messages import Recipient

AT = datetime(2026, 11, 20, 5, 30, tzinfo=timezone.utc)  # 20 Nov 2026, 11:00 IST
EDITION_ID = "5d0c2f1e-8f53-4c1e-9a43-2f6a3f1b7c10"
REGISTRATION_ID = "0b7f6d2a-1c3e-4f5a-8b9c-0d1e2f3a4b5c"
ANANYA = {"delegate_id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "full_name": "Ananya Rao",
          "email": "ananya.rao@tejas-avionics.example.in", "designation": "Director, Business Development",
          "language": None}
VIKRAM = {"delegate_id": "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "full_name": "Vikram Singh",
          "email": "vikram.singh@tejas-avionics.example.in", "designation": "Chief Engineer", "language": None}
REGISTRATION = {"registration_id": REGISTRATION_ID, "edition_id": EDITION_ID, "reference": "DPD-7K3M9QAB",
                "organisation": {"legal_name": "Tejas Avionics Private Limited", "type": "msme"},
                "contact": ANANYA, "delegates": [ANANYA, VIKRAM]}
ACCESS_URL = "https://dpd.example.in/registration/access"

COMPANY = {"kind": "company", "name": "Tejas Avionics Private Limited", "detail": "DPD-7K3M9QAB",
           "people": [{"name": "Ananya Rao", "email": ANANYA["email"]}]}
OFFICER = {"kind": "officer", "name": "Cdr R. Iyer", "detail": "Director, Naval Design Bureau",
           "people": [{"name": "Cdr R. Iyer", "email": "r.iyer@navy.example.in"}]}
MEETING = {"meeting_id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "edition_id": EDITION_ID, "kind": "b2g",
           "requester": COMPANY, "receiver": OFFICER,
           "agenda": "Ruggedised mission computers for the P-75I submarines' combat management system",
           "time_zone": "Asia/Kolkata", "sequence": 0, "starts_at": None, "ends_at": None, "table": None}
SLOT = {"starts_at": datetime(2026, 11, 28, 4, 30, tzinfo=timezone.utc),
        "ends_at": datetime(2026, 11, 28, 4, 50, tzinfo=timezone.utc), "table": "G12"}
PLACED = {**MEETING, **SLOT, "sequence": 1}

ORDER = {"order_id": "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a", "order_number": "DPD-ORD-000123",
         "registration_id": REGISTRATION_ID,
         "buyer": {"legal_name": "Tejas Avionics Private Limited", "contact_name": "Ananya Rao",
                   "contact_email": ANANYA["email"]},
         "lines": [{"description": "Exhibition booth H1-14 (3 m x 3 m)", "quantity": 1, "payable_paise": 17700000},
                   {"description": "Silver sponsorship", "quantity": 1, "payable_paise": 59000000}],
         "taxable_paise": 65000000, "tax_paise": 11700000, "payable_paise": 76700000, "payment_method": "gateway",
         "order_url": "https://dpd.example.in/billing/me/orders/4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a"}
DOCUMENT = {"download_url": "https://dpd.example.in/billing/documents/invoices/x.pdf?expires=1&sig=abc",
            "download_expires_at": AT + timedelta(days=30)}

EVENTS: dict[str, dict] = {
    c.EMAIL_VERIFICATION_REQUESTED: {
        "registration_id": REGISTRATION_ID, "reference": "DPD-7K3M9QAB",
        "organisation_name": "Tejas Avionics Private Limited", "email": ANANYA["email"], "full_name": "Ananya Rao",
        "registered_by": None, "url": "https://dpd.example.in/registration/verify/s3cret",
        "expires_at": AT + timedelta(days=3)},
    c.REGISTRATION_SUBMITTED: {**REGISTRATION, "submitted_at": AT},
    c.REGISTRATION_APPROVED: {**REGISTRATION, "access_url": ACCESS_URL},
    c.REGISTRATION_REJECTED: {**REGISTRATION, "access_url": ACCESS_URL,
                              "message": "The event is open to firms in the defence sector; we could not find "
                                         "defence work in your profile."},
    c.REGISTRATION_WAITLISTED: REGISTRATION,
    c.REGISTRATION_CHANGES_REQUESTED: {**REGISTRATION, "access_url": ACCESS_URL,
                                       "message": "Please add your Udyam registration number."},
    c.REGISTRATION_CANCELLED: {**REGISTRATION, "was_approved": True},
    c.ACCESS_LINK_ISSUED: {"person_id": ANANYA["delegate_id"], "email": ANANYA["email"], "full_name": "Ananya Rao",
                           "url": "https://dpd.example.in/registration/access/s3cret", "expires_at": AT},
    c.BADGE_ISSUED: {"person_id": ANANYA["delegate_id"], "email": ANANYA["email"], "full_name": "Ananya Rao",
                     "role_label": "Delegate", "png_url": "https://dpd.example.in/registration/badges/DPD1-X.png",
                     "pdf_url": "https://dpd.example.in/registration/badges/DPD1-X.pdf"},
    c.MEETING_REQUESTED: {**MEETING, "requested_by": "Ananya Rao", "respond_by": AT + timedelta(days=3)},
    c.MEETING_ACCEPTED: MEETING,
    c.MEETING_DECLINED: {**MEETING, "reason": "Sonar domes are handled by another directorate."},
    c.MEETING_EXPIRED: {**MEETING, "expired_at": AT},
    c.MEETING_SCHEDULED: PLACED,
    c.MEETING_MOVED: {**PLACED, "sequence": 2, "starts_at": SLOT["starts_at"] + timedelta(hours=2),
                      "ends_at": SLOT["ends_at"] + timedelta(hours=2), "table": "G7",
                      "previous_starts_at": SLOT["starts_at"], "previous_ends_at": SLOT["ends_at"],
                      "previous_table": "G12"},
    c.MEETING_CANCELLED: {**PLACED, "sequence": 3, "cancelled_by": "organiser",
                          "reason": "The officer is called away on duty."},
    c.ORDER_PLACED: {**ORDER, "hold_expires_at": AT + timedelta(minutes=30)},
    c.HOLD_EXPIRING: {**ORDER, "hold_expires_at": AT + timedelta(minutes=10)},
    c.PROFORMA_ISSUED: {**ORDER, **DOCUMENT, "payment_method": "bank_transfer", "document_number": "PF/26-27/0042",
                        "pay_by": AT + timedelta(days=7),
                        "bank_details": "Centre for Joint Warfare Studies, A/c 000123456789, IFSC SBIN0000691"},
    c.ORDER_PAID: {**ORDER, "paid_at": AT, "amount_paise": 76700000, "payment_reference": "pay_Nx81KqZ2"},
    c.INVOICE_ISSUED: {**ORDER, **DOCUMENT, "document_number": "INV/26-27/0042"},
    c.CREDIT_NOTE_ISSUED: {**ORDER, **DOCUMENT, "document_number": "CN/26-27/0007", "invoice_number": "INV/26-27/0042",
                           "refunded_paise": 17700000},
}

RECIPIENT = Recipient(email=ANANYA["email"], full_name="Ananya Rao", person_id=ANANYA["delegate_id"])
MORE_REQUESTS = [  # what else an officer's digest lists besides EVENTS' request
    {**EVENTS[c.MEETING_REQUESTED], "requester": {**COMPANY, "name": "Bharat Composites Ltd", "detail": "DPD-Q2W8E4RT"},
     "agenda": "Radar-transparent composite sonar domes", "requested_by": "Meera Nair"},
    {**EVENTS[c.MEETING_REQUESTED], "requester": {**COMPANY, "name": "Sagar Robotics", "detail": "DPD-Z7X5C3VB"},
     "agenda": "Unmanned underwater vehicles for mine countermeasures", "requested_by": "Arjun Menon"},
]
ANNOUNCEMENT = {"subject": "Venue access on 28 November",
                "body": "Gates of the Manekshaw Centre open at 08:00.\n\nBring your e-badge and a photo ID."}
