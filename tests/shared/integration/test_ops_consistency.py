"""`python -m ops consistency` reads registration's, matchmaking's, notification's and billing's own
databases and names what one of them is missing of what another announced; exit 1 when anything is."""
from __future__ import annotations

import contextlib
import importlib
import io
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ops.__main__ import main
from services.billing.adapters import tables as billing
from services.matchmaking.adapters import tables as matchmaking
from services.notification.adapters import tables as notification
from services.registration.adapters import tables as registration

NOW = datetime.now(timezone.utc)
SERVICES_CHECKED = ("registration", "matchmaking", "notification", "billing")
INVOICE_ISSUED = "billing.invoice_issued.v1"
CREDIT_NOTE_ISSUED = "billing.credit_note_issued.v1"


def ops(*argv: str, env: dict) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stderr(out):
        code = main(list(argv), env, out)
    return code, out.getvalue()


class Databases:
    """Rows written straight into each service's database, as its consumers would have left them."""

    def __init__(self, env: dict):
        self.engines = {s: sa.create_engine(env[f"{s.upper()}_DATABASE_URL"], poolclass=sa.pool.NullPool)
                        for s in SERVICES_CHECKED}
        self.edition_id = str(uuid.uuid4())
        with self.engines["registration"].begin() as db:
            db.execute(registration.editions.insert().values(
                id=self.edition_id, slug="dpd-2026", name="DPD 2026", venue="Manekshaw Centre", time_zone="Asia/Kolkata",
                starts_on=date.today(), ends_on=date.today(), registration_opens_at=NOW - timedelta(days=1),
                registration_closes_at=NOW + timedelta(days=1)))
        self.insert("billing", billing.editions, id=self.edition_id, name="DPD 2026", venue_state="07")
        self.documents = 0

    def insert(self, service: str, table: sa.Table, **values) -> None:
        with self.engines[service].begin() as db:
            db.execute(table.insert().values(**values))

    def execute(self, service: str, statement) -> None:
        with self.engines[service].begin() as db:
            db.execute(statement)

    def company(self, name: str, *, status="approved", in_matchmaking=True, contact=True,
                buyer=True) -> tuple[str, str]:
        registration_id, delegate_id = str(uuid.uuid4()), str(uuid.uuid4())
        reference = f"DPD-{registration_id[:6].upper()}"
        self.insert("registration", registration.registrations, id=registration_id, edition_id=self.edition_id,
                    reference=reference, status=status, submitted_at=NOW, legal_name=name, organisation_type="msme",
                    country="IN", address="Okhla", city="New Delhi", postal_code="110020", sectors=["aerospace"],
                    capabilities="Avionics", products="", meeting_interests=["b2g"], participation_interests=[])
        self.insert("registration", registration.delegates, id=delegate_id, registration_id=registration_id,
                    position=0, full_name=f"{name} Contact", designation="Director", email=f"{delegate_id[:8]}@firm.in",
                    phone="+919876543210", nationality="IN")
        if in_matchmaking:
            self.insert("matchmaking", matchmaking.organisations, registration_id=registration_id,
                        edition_id=self.edition_id, reference=reference, legal_name=name, organisation_type="msme",
                        status=status)
        if contact:
            self.insert("notification", notification.contacts, person_id=delegate_id, registration_id=registration_id,
                        email=f"{delegate_id[:8]}@firm.in", full_name=f"{name} Contact")
        if buyer:
            self.insert("billing", billing.buyers, registration_id=registration_id, edition_id=self.edition_id,
                        reference=reference, approved=status == "approved", legal_name=name, organisation_type="msme",
                        country="IN", state="07", address="Okhla", city="New Delhi", postal_code="110020",
                        contact_person_id=delegate_id, contact_name=f"{name} Contact",
                        contact_email=f"{delegate_id[:8]}@firm.in", updated_at=NOW)
        return registration_id, reference

    def paid_order(self, company: str, *, invoiced=True, emailed=True, sponsor_priority: int | None = None,
                   matchmaking_priority: int | None = None) -> dict:
        """A paid order of `company` (a sponsorship with that priority, else a booth), its tax invoice
        announced, and notification's email from that announcement; matchmaking's copy of the
        sponsorship with `matchmaking_priority` (None: matchmaking never heard of it)."""
        order_id, payment_id, item_id = (str(uuid.uuid4()) for _ in range(3))
        kind = "booth" if sponsor_priority is None else "sponsorship"
        self.insert("billing", billing.catalogue_items, id=item_id, edition_id=self.edition_id, kind=kind,
                    name=f"{kind} {item_id[:8]}", unit_price_paise=100_000_00, gst_rate_bp=1800, sac_code="998596",
                    quantity=1, sold=1, matchmaking_priority=sponsor_priority)
        number = f"ORD-{order_id[:8].upper()}"
        self.insert("billing", billing.orders, id=order_id, number=number, edition_id=self.edition_id,
                    registration_id=company, status="paid", payment_method="gateway", placed_by="x", placed_at=NOW,
                    hold_expires_at=NOW + timedelta(minutes=15), paid_at=NOW, paid_by_payment_id=payment_id,
                    place_of_supply="07", intra_state=True, taxable_paise=100_000_00, tax_paise=18_000_00,
                    payable_paise=118_000_00)
        self.insert("billing", billing.order_lines, order_id=order_id, line_no=1, item_id=item_id, kind=kind,
                    description=f"{kind} {item_id[:8]}", sac_code="998596", quantity=1, unit_price_paise=100_000_00,
                    gst_rate_bp=1800, taxable_paise=100_000_00, cgst_paise=9_000_00, sgst_paise=9_000_00,
                    igst_paise=0, reverse_charge=False)
        self.insert("billing", billing.payments, id=payment_id, order_id=order_id, method="gateway",
                    gateway="razorpay", gateway_payment_id=f"pay_{payment_id[:14]}", status="captured",
                    amount_paise=118_000_00, currency="INR", captured_at=NOW)
        order = {"id": order_id, "number": number, "registration_id": company, "payment_id": payment_id,
                 "invoice_id": None, "invoice_number": None}
        if invoiced:
            order["invoice_id"], order["invoice_number"] = str(uuid.uuid4()), self._document_number("INV")
            self.insert("billing", billing.invoices, id=order["invoice_id"], kind="tax_invoice",
                        number=order["invoice_number"], order_id=order_id, registration_id=company, issued_at=NOW,
                        taxable_paise=100_000_00, tax_paise=18_000_00, payable_paise=118_000_00, document={})
            self._announce_document(order, INVOICE_ISSUED, order["invoice_number"], "invoice_issued", emailed=emailed)
        if matchmaking_priority is not None:
            self.insert("matchmaking", matchmaking.sponsorships, order_id=order_id, edition_id=self.edition_id,
                        registration_id=company, tier_id=item_id, tier_name="Gold",
                        matchmaking_priority=matchmaking_priority, confirmed_at=NOW)
        return order

    def refund(self, order: dict, *, credited=True, emailed=True) -> str:
        """A processed refund of the payment that paid `order`, its credit note announced and emailed."""
        refund_id = str(uuid.uuid4())
        self.insert("billing", billing.refunds, id=refund_id, order_id=order["id"], payment_id=order["payment_id"],
                    amount_paise=10_000_00, status="processed", reason="a smaller booth", cancel_order=False,
                    requested_by="finance", requested_at=NOW, processed_at=NOW)
        if credited:
            number = self._document_number("CN")
            self.insert("billing", billing.credit_notes, id=str(uuid.uuid4()), number=number,
                        invoice_id=order["invoice_id"], refund_id=refund_id, order_id=order["id"],
                        registration_id=order["registration_id"], issued_at=NOW, taxable_paise=8_474_58,
                        tax_paise=1_525_42, refunded_paise=10_000_00, lines=[], document={})
            self._announce_document(order, CREDIT_NOTE_ISSUED, number, "credit_note_issued", emailed=emailed)
        return refund_id

    def contact_email(self, company: str) -> str:
        with self.engines["billing"].connect() as db:
            return db.execute(sa.select(billing.buyers.c.contact_email).where(
                billing.buyers.c.registration_id == company)).scalar_one()

    def _document_number(self, series: str) -> str:
        self.documents += 1
        return f"{series}-{self.edition_id[:4]}{self.documents:05d}"

    def _announce_document(self, order: dict, event_type: str, number: str, template: str, *, emailed: bool) -> None:
        """The event billing announced the document with (published), and notification's email from it."""
        contact = self.contact_email(order["registration_id"])
        event_id = str(uuid.uuid4())
        self.insert("billing", billing.outbox, event_id=event_id, topic="billing.events", message_key=order["id"],
                    event_type=event_type, correlation_id="c", published_at=NOW,
                    envelope={"id": event_id, "data": {"document_number": number,
                                                       "buyer": {"contact_email": contact}}})
        if emailed:
            self.insert("notification", notification.outbound_emails, id=str(uuid.uuid4()), event_id=event_id,
                        event_type=event_type, recipient_email=contact, template=template, subject=number,
                        text_body="", html_body="", correlation_id="c")

    def officer(self, name: str, *, in_matchmaking=True) -> str:
        officer_id = str(uuid.uuid4())
        self.insert("registration", registration.officers, id=officer_id, edition_id=self.edition_id, name=name,
                    rank="Commander", organisation="navy", appointment="Director", email=f"{officer_id[:8]}@navy.in",
                    sectors=["aerospace"], requirements="")
        if in_matchmaking:
            self.insert("matchmaking", matchmaking.officers, officer_id=officer_id, edition_id=self.edition_id,
                        name=name, rank="Commander", organisation="navy", appointment="Director",
                        email=f"{officer_id[:8]}@navy.in")
        return officer_id

    def meeting(self, company: str, officer: str, *, invited: tuple[str, ...] = ("company", "officer")) -> str:
        """A published meeting, the event that placed it (published), and notification's emails from it."""
        meeting_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
        starts = NOW + timedelta(days=30)
        self.insert("matchmaking", matchmaking.meeting_requests, id=meeting_id, edition_id=self.edition_id, kind="b2g",
                    requester=f"company:{company}", receiver=f"officer:{officer}", requested_by_id="x",
                    requested_by_name="x", agenda="Avionics", part_of_day="any", status="accepted",
                    respond_by=starts, pair_low=f"company:{company}", pair_high=f"officer:{officer}")
        self.insert("matchmaking", matchmaking.meetings, request_id=meeting_id, edition_id=self.edition_id,
                    starts_at=starts, ends_at=starts + timedelta(minutes=20), table_label="G1", sequence=0)
        emails = {"company": "ceo@firm.in", "officer": "cdr@navy.in"}
        sides = {"requester": {"name": "Firm", "people": [{"name": "CEO", "email": emails["company"]}]},
                 "receiver": {"name": "Cdr Officer", "people": [{"name": "Cdr", "email": emails["officer"]}]}}
        self.insert("matchmaking", matchmaking.outbox, event_id=event_id, topic="matchmaking.events",
                    message_key=meeting_id, event_type="matchmaking.meeting_scheduled.v1",
                    envelope={"id": event_id, "data": sides}, correlation_id="c", published_at=NOW)
        for side in invited:
            self.insert("notification", notification.outbound_emails, id=str(uuid.uuid4()), event_id=event_id,
                        event_type="matchmaking.meeting_scheduled.v1", recipient_email=emails[side],
                        template="meeting_scheduled", subject="Meeting", text_body="", html_body="",
                        correlation_id="c")
        return meeting_id


@pytest.fixture
def databases(platform_env):
    for service in SERVICES_CHECKED:
        importlib.import_module(f"services.{service}.manage").migrate(platform_env)
    made = Databases(platform_env)
    yield made
    for engine in made.engines.values():
        engine.dispose()


def test_a_consistent_platform_passes(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    databases.company("Bharat Forge", status="submitted", in_matchmaking=False, contact=False)
    officer = databases.officer("R. Iyer")
    databases.meeting(firm, officer)
    databases.refund(databases.paid_order(firm, sponsor_priority=3, matchmaking_priority=3))
    erased = databases.paid_order(firm)
    databases.execute("notification", notification.outbound_emails.update().where(
        notification.outbound_emails.c.subject == erased["invoice_number"]).values(
        recipient_email="erased+1@invalid"))  # the contact's personal data was erased since: the email was sent

    code, printed = ops("consistency", env=platform_env)

    assert code == 0, printed
    assert "OK      every approved organisation has its matchmaking profile (1 checked)" in printed
    assert "OK      every scheduled meeting has its invitation to both sides (1 checked)" in printed
    assert "OK      every approved organisation is a billing buyer (1 checked)" in printed
    assert "OK      every paid order has its tax invoice and its email (2 checked)" in printed
    assert "OK      every refund has its credit note and its email (1 checked)" in printed
    assert "OK      every paid sponsorship has its priority in matchmaking (1 checked)" in printed
    assert printed.rstrip().endswith("Everything is consistent.")


def test_what_is_missing_is_named_and_fails_the_command(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    _, lost = databases.company("Lost Optics", in_matchmaking=False, contact=False)
    cancelled, stale = databases.company("Stale Forge")
    databases.execute("registration", registration.registrations.update().where(
        registration.registrations.c.id == cancelled).values(status="cancelled"))
    databases.officer("Unknown Officer", in_matchmaking=False)
    officer = databases.officer("R. Iyer")
    half_invited = databases.meeting(firm, officer, invited=("company",))

    code, printed = ops("consistency", env=platform_env)

    assert code == 1
    assert f"{lost} Lost Optics" in printed and "no matchmaking profile" in printed
    assert f"{stale} Stale Forge" in printed and "is cancelled, but matchmaking still has it as approved" in printed
    assert "Lost Optics Contact" in printed and "is not a notification contact" in printed
    assert "officer Unknown Officer" in printed and "not in matchmaking" in printed
    assert f"meeting {half_invited}: no invitation to Cdr Officer (cdr@navy.in)" in printed
    assert f"{stale} Stale Forge" in printed and "is cancelled, but billing still lets it buy" in printed
    assert "Tejas Avionics" not in printed.split("MISSING every approved organisation has")[1].split("OK")[0]
    assert printed.rstrip().endswith("6 problem(s) found.")


def test_what_billing_is_missing_is_named_and_fails_the_command(databases, platform_env):
    firm, reference = databases.company("Tejas Avionics")
    _, unbilled = databases.company("Unbilled Aero", buyer=False)
    declined, _ = databases.company("Declined Dynamics", status="rejected", in_matchmaking=False, contact=False)
    databases.execute("billing", billing.buyers.update().where(billing.buyers.c.registration_id == declined)
                      .values(approved=True))
    fine = databases.paid_order(firm, sponsor_priority=2, matchmaking_priority=2)
    databases.refund(fine)
    silent = databases.paid_order(firm, emailed=False)
    uninvoiced = databases.paid_order(firm, invoiced=False)
    uncredited = databases.refund(databases.paid_order(firm), credited=False)
    unannounced_note = databases.paid_order(firm)
    databases.refund(unannounced_note, emailed=False)
    unknown_sponsor = databases.paid_order(firm, sponsor_priority=5)
    demoted_sponsor = databases.paid_order(firm, sponsor_priority=5, matchmaking_priority=1)
    contact = databases.contact_email(firm)

    code, printed = ops("consistency", env=platform_env)

    assert code == 1
    buyers, invoices, credit_notes, sponsorships = (
        printed.split(f"MISSING {check}")[1].split("\n", 1)[1].split("\nOK")[0].split("\nMISSING")[0]
        for check in ("every approved organisation is a billing buyer", "every paid order has its tax invoice",
                      "every refund has its credit note", "every paid sponsorship has its priority"))
    assert f"{unbilled} Unbilled Aero (registration " in buyers and ": not a billing buyer" in buyers
    assert "Declined Dynamics" in buyers and "is rejected, but billing still lets it buy" in buyers
    firm_orders = f"of {reference} Tejas Avionics"
    assert f"order {silent['number']} {firm_orders}: tax invoice {silent['invoice_number']}: no email to {contact}" \
        in invoices
    assert f"order {uninvoiced['number']} {firm_orders}: paid, but has no tax invoice" in invoices
    assert f"refund {uncredited} (1000000 paise) processed, but has no credit note" in credit_notes
    assert f"order {unannounced_note['number']} {firm_orders}: credit note CN-" in credit_notes
    assert f": no email to {contact}" in credit_notes
    assert f"order {unknown_sponsor['number']} {firm_orders}: a paid sponsorship matchmaking does not know" \
        in sponsorships
    assert f"order {demoted_sponsor['number']} {firm_orders}: matchmaking gives it priority 1, its tier's is 5" \
        in sponsorships
    assert fine["number"] not in printed, "the consistent order is not reported"
    assert printed.rstrip().endswith("8 problem(s) found.")


def test_a_cancelled_sponsorship_still_live_in_matchmaking_is_named(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    cancelled = databases.paid_order(firm, sponsor_priority=4, matchmaking_priority=4)
    databases.execute("billing", billing.orders.update().where(billing.orders.c.id == cancelled["id"])
                      .values(status="cancelled", closed_at=NOW, close_reason="refunded"))
    withdrawn = databases.paid_order(firm, sponsor_priority=4, matchmaking_priority=4)
    databases.execute("billing", billing.orders.update().where(billing.orders.c.id == withdrawn["id"])
                      .values(status="cancelled", closed_at=NOW, close_reason="refunded"))
    databases.execute("matchmaking", matchmaking.sponsorships.update().where(
        matchmaking.sponsorships.c.order_id == withdrawn["id"]).values(withdrawn_at=NOW))

    code, printed = ops("consistency", env=platform_env)

    assert code == 1
    assert f"order {cancelled['number']} of" in printed
    assert "cancelled, but matchmaking still gives it sponsor priority 4" in printed
    assert withdrawn["number"] not in printed
    assert printed.rstrip().endswith("1 problem(s) found.")


def test_an_announcement_still_in_the_outbox_is_reported_as_in_flight(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    officer = databases.officer("R. Iyer")
    meeting = databases.meeting(firm, officer, invited=())
    databases.execute("matchmaking", matchmaking.outbox.update().values(published_at=None))

    code, printed = ops("consistency", env=platform_env)

    assert code == 1
    assert f"meeting {meeting}: its announcement waits in matchmaking's outbox" in printed
    assert "Events not yet published (a finding may be one of them in flight; run again shortly): matchmaking 1" \
        in printed
