"""Paying an order and the documents it brings: pro-forma invoices, GST tax invoices (rule 46)
and credit notes (rule 53), each an immutable snapshot numbered in its own gapless series.

Everything here runs inside the caller's transaction: the number, the document and its
events commit together or not at all. PDFs and pages are rendered later from the snapshot.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.billing import announcements, events
from services.billing.adapters import repository
from services.billing.adapters.tables import credit_notes, invoices, orders, payments
from services.billing.bootstrap import Billing
from services.billing.domain.credit import CreditableLine, credit_lines
from services.billing.domain.money import amount_in_words
from services.billing.domain.numbering import INDIA, document_number, financial_year
from services.billing.domain.orders import OrderStatus
from services.billing.domain.states import STATES_BY_GST_CODE, state_by_key, state_of_gstin
from shared.db import after_commit
from shared.metrics import record_payment

ROUNDING_NOTE = ("Each tax amount is computed per line and rounded to the nearest paisa (halves up); "
                 "totals are the sums of the lines.")
SIGNATORY_NOTE = "This is a computer-generated document and needs no physical signature."


def _series_number(connection: Connection, prefix: str, now: datetime) -> str:
    year = financial_year(now)
    return document_number(prefix, year, repository.next_document_number(connection, prefix, year))


def _supplier_view(wiring: Billing) -> dict[str, Any]:
    supplier = wiring.settings.supplier
    return {"legal_name": supplier.legal_name, "gstin": supplier.gstin, "address": supplier.address,
            "state": supplier.state.label}


def _buyer_view(buyer: sa.Row) -> dict[str, Any]:
    state = None
    if buyer.gstin:
        state = state_of_gstin(buyer.gstin).label
    elif buyer.state:
        state = state_by_key(buyer.state).label
    return {"legal_name": buyer.legal_name, "gstin": buyer.gstin, "address": buyer.address, "city": buyer.city,
            "postal_code": buyer.postal_code, "state": state, "country": buyer.country,
            "registration_reference": buyer.reference}


def _line_view(line: sa.Row) -> dict[str, Any]:
    tax = line.cgst_paise + line.sgst_paise + line.igst_paise
    return {"line_no": line.line_no, "description": line.description, "sac_code": line.sac_code,
            "quantity": line.quantity, "unit_price_paise": line.unit_price_paise, "gst_rate_bp": line.gst_rate_bp,
            "taxable_paise": line.taxable_paise, "cgst_paise": line.cgst_paise, "sgst_paise": line.sgst_paise,
            "igst_paise": line.igst_paise, "tax_paise": tax, "reverse_charge": line.reverse_charge,
            "amount_paise": line.taxable_paise + tax}


def _totals_view(lines: list[dict[str, Any]], payable_paise: int) -> dict[str, Any]:
    total = {key: sum(line[key] for line in lines)
             for key in ("taxable_paise", "cgst_paise", "sgst_paise", "igst_paise", "tax_paise")}
    total["reverse_charge_tax_paise"] = sum(line["tax_paise"] for line in lines if line["reverse_charge"])
    total["payable_paise"] = payable_paise
    return total


def _reverse_charge_statement(lines: list[dict[str, Any]]) -> str:
    marked = [line for line in lines if line["reverse_charge"]]
    if not marked:
        return "No"
    if len(marked) == len(lines):
        return "Yes: the recipient pays the GST shown"
    return "Yes, on the lines marked RC: the recipient pays their GST"


def _document(wiring: Billing, facts: announcements.OrderFacts, *, title: str, number: str,
              now: datetime) -> dict[str, Any]:
    order = facts.order
    lines = [_line_view(line) for line in facts.lines]
    return {
        "title": title, "number": number, "issued_at": now.isoformat(),
        "issued_on": now.astimezone(INDIA).date().isoformat(), "order_number": order.number,
        "supplier": _supplier_view(wiring), "buyer": _buyer_view(facts.buyer),
        "place_of_supply": STATES_BY_GST_CODE[order.place_of_supply].label, "intra_state": order.intra_state,
        "reverse_charge": _reverse_charge_statement(lines), "lines": lines,
        "totals": _totals_view(lines, order.payable_paise), "amount_in_words": amount_in_words(order.payable_paise),
        "rounding": ROUNDING_NOTE, "signatory": SIGNATORY_NOTE,
    }


def issue_proforma(connection: Connection, wiring: Billing, order_id: str, *, now: datetime,
                   correlation_id: str) -> str:
    """A pro-forma invoice: what to pay and where, for a buyer paying by bank transfer. Not a tax invoice."""
    facts = announcements.order_facts(connection, order_id)
    order = facts.order
    number = _series_number(connection, wiring.settings.proforma_prefix, now)
    document = _document(wiring, facts, title="Pro-forma invoice", number=number, now=now)
    document |= {"pay_by": order.hold_expires_at.isoformat(), "bank_details": wiring.settings.bank_transfer_details,
                 "note": f"Not a tax invoice. Quote {order.number} as the transfer's reference; the tax invoice "
                         "follows when the transfer is received."}
    invoice_id = _insert_invoice(connection, order, "proforma", number, document, now)
    url, expires_at = announcements.document_link(wiring, "invoices", invoice_id, now)
    announcements.announce_order(connection, wiring, events.PROFORMA_ISSUED, facts, document_number=number,
                                 issued_at=now, download_url=url, download_expires_at=expires_at,
                                 pay_by=order.hold_expires_at, bank_details=wiring.settings.bank_transfer_details,
                                 correlation_id=correlation_id)
    return invoice_id


def _insert_invoice(connection: Connection, order: sa.Row, kind: str, number: str, document: dict,
                    now: datetime) -> str:
    invoice_id = str(uuid.uuid4())
    totals = document["totals"]
    connection.execute(invoices.insert().values(
        id=invoice_id, kind=kind, number=number, order_id=order.id, registration_id=order.registration_id,
        issued_at=now, taxable_paise=totals["taxable_paise"], tax_paise=totals["tax_paise"],
        payable_paise=totals["payable_paise"], document=document))
    return invoice_id


def pay_order(connection: Connection, wiring: Billing, order: sa.Row, payment: sa.Row, *, items_held: bool,
              now: datetime, correlation_id: str) -> str:
    """`payment` pays `order` (locked by the caller): its items are sold, the tax invoice is
    issued, and the buyer, matchmaking and the venue hear of it. Returns the invoice's id."""
    lines = repository.lines_of(connection, order.id)
    if items_held:
        repository.sell_held(connection, lines)
    after_commit(connection, lambda: record_payment("captured", payment.amount_paise))
    connection.execute(orders.update().where(orders.c.id == order.id).values(
        status=OrderStatus.PAID.value, paid_at=now, paid_by_payment_id=payment.id, closed_at=None, close_reason=None))
    facts = announcements.OrderFacts(order, repository.buyer(connection, order.registration_id), lines)
    number = _series_number(connection, wiring.settings.invoice_prefix, now)
    document = _document(wiring, facts, title="Tax invoice", number=number, now=now)
    reference = payment.reference or payment.gateway_payment_id
    document["payment"] = {"method": payment.method, "reference": reference,
                           "received_on": now.astimezone(INDIA).date().isoformat()}
    invoice_id = _insert_invoice(connection, order, "tax_invoice", number, document, now)
    announcements.announce_order(connection, wiring, events.ORDER_PAID, facts, paid_at=now,
                                 amount_paise=payment.amount_paise, payment_reference=reference,
                                 correlation_id=correlation_id)
    url, expires_at = announcements.document_link(wiring, "invoices", invoice_id, now)
    announcements.announce_order(connection, wiring, events.INVOICE_ISSUED, facts, document_number=number,
                                 issued_at=now, download_url=url, download_expires_at=expires_at,
                                 reverse_charge=document["reverse_charge"] != "No", correlation_id=correlation_id)
    announcements.announce_benefits(connection, wiring, facts, granted=True, at=now, reason="paid",
                                    correlation_id=correlation_id)
    return invoice_id


def tax_invoice_of(connection: Connection, order_id: str) -> sa.Row | None:
    return connection.execute(sa.select(invoices).where(invoices.c.order_id == order_id,
                                                        invoices.c.kind == "tax_invoice")).first()


def _creditable(connection: Connection, invoice: sa.Row) -> list[CreditableLine]:
    """The invoice's lines less what earlier credit notes took from each."""
    taken: dict[int, dict[str, int]] = {}
    for (lines,) in connection.execute(sa.select(credit_notes.c.lines).where(credit_notes.c.invoice_id == invoice.id)):
        for line in lines:
            slot = taken.setdefault(line["line_no"], {"taxable_paise": 0, "cgst_paise": 0, "sgst_paise": 0,
                                                      "igst_paise": 0})
            for key in slot:
                slot[key] += line[key]
    document = invoice.document
    result = []
    for line in document["lines"]:
        used = taken.get(line["line_no"], {})
        result.append(CreditableLine(
            line_no=line["line_no"], description=line["description"], sac_code=line["sac_code"],
            gst_rate_bp=line["gst_rate_bp"], reverse_charge=line["reverse_charge"], intra_state=document["intra_state"],
            **{key: line[key] - used.get(key, 0) for key in ("taxable_paise", "cgst_paise", "sgst_paise",
                                                             "igst_paise")}))
    return result


def issue_credit_note(connection: Connection, wiring: Billing, *, invoice: sa.Row, refund: sa.Row, reason: str,
                      now: datetime, correlation_id: str) -> str:
    """A credit note for `refund` against `invoice`: the refunded money split back over the
    invoice's lines (see domain/credit.py), in its own numbering series."""
    credited = credit_lines(_creditable(connection, invoice), refund.amount_paise)
    number = _series_number(connection, wiring.settings.credit_note_prefix, now)
    original = invoice.document
    line_views = [{"line_no": c.line_no, "description": c.description, "sac_code": c.sac_code,
                   "gst_rate_bp": c.gst_rate_bp, "reverse_charge": c.reverse_charge, "taxable_paise": c.taxable_paise,
                   "cgst_paise": c.cgst_paise, "sgst_paise": c.sgst_paise, "igst_paise": c.igst_paise,
                   "tax_paise": c.tax_paise, "amount_paise": c.taxable_paise + c.tax_paise} for c in credited]
    document = {
        "title": "Credit note", "number": number, "issued_at": now.isoformat(),
        "issued_on": now.astimezone(INDIA).date().isoformat(), "order_number": original["order_number"],
        "against_invoice": {"number": invoice.number, "issued_on": original["issued_on"]},
        "reason": reason, "supplier": original["supplier"], "buyer": original["buyer"],
        "place_of_supply": original["place_of_supply"], "intra_state": original["intra_state"],
        "reverse_charge": _reverse_charge_statement(line_views), "lines": line_views,
        "totals": _totals_view(line_views, refund.amount_paise), "amount_in_words": amount_in_words(refund.amount_paise),
        "rounding": ROUNDING_NOTE, "signatory": SIGNATORY_NOTE,
    }
    note_id = str(uuid.uuid4())
    connection.execute(credit_notes.insert().values(
        id=note_id, number=number, invoice_id=invoice.id, refund_id=refund.id, order_id=invoice.order_id,
        registration_id=invoice.registration_id, issued_at=now, taxable_paise=document["totals"]["taxable_paise"],
        tax_paise=document["totals"]["tax_paise"], refunded_paise=refund.amount_paise,
        lines=[{key: view[key] for key in ("line_no", "taxable_paise", "cgst_paise", "sgst_paise", "igst_paise")}
               for view in line_views],
        document=document))
    url, expires_at = announcements.document_link(wiring, "credit-notes", note_id, now)
    announcements.announce_order(connection, wiring, events.CREDIT_NOTE_ISSUED, invoice.order_id,
                                 document_number=number, issued_at=now, download_url=url,
                                 download_expires_at=expires_at, invoice_number=invoice.number,
                                 refunded_paise=refund.amount_paise, correlation_id=correlation_id)
    return note_id


def paying_payment(connection: Connection, order: sa.Row) -> sa.Row | None:
    if not order.paid_by_payment_id:
        return None
    return connection.execute(sa.select(payments).where(payments.c.id == order.paid_by_payment_id)).first()
