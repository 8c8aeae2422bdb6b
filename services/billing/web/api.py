"""Billing's JSON API: the catalogue for finance, orders for participants, money for finance,
and the payment gateway's webhook."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from services.billing import catalogue, ordering, payments, refunds
from services.billing.adapters import queries
from services.billing.adapters.gateways import RefusedCallback
from services.billing.bootstrap import Billing
from services.billing.adapters.razorpay import EVENT_ID_HEADER, SIGNATURE_HEADER
from services.billing.web.schemas import (
    BankTransferIn, CallbackOutcomeOut, CatalogueOut, CheckoutOut, DocumentsOut, EditionIn, EditionOut, EditionsOut,
    FlagsOut, FlagsQuery, GatewayEventIn, ItemIn, ItemSavedOut, OrderForFinanceOut, OrderIn, OrderOut, OrdersOut,
    OrdersQuery, ReconciliationOut, RefundIn, RefundOut, ResolveFlagIn)
from shared.access import current_principal, organiser, participant, public
from shared.errors import InvalidFields, StateConflict
from shared.openapi import ErrorOut, Header, documented
from shared.web import current_correlation_id, error_response, load_json

log = logging.getLogger(__name__)

api = Blueprint("billing_api", __name__, url_prefix="/api/v1")


def wiring() -> Billing:
    return current_app.extensions["billing"]


def my_registration_id() -> str:
    """The participant's organisation; officers on the roster buy nothing."""
    me = current_principal()
    if me.officer or not me.registration_id:
        raise StateConflict("Officers on the roster do not buy; ask your organisation's delegates.")
    return me.registration_id


IDEMPOTENCY_KEY_LONGEST = 60
IDEMPOTENCY_KEY = Header("A key of the caller's choosing: a retry with the same key places the order once "
                         "(answered 200 with the order placed first).", max_length=IDEMPOTENCY_KEY_LONGEST)


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_LONGEST:
        raise InvalidFields({"Idempotency-Key": [f"Must be at most {IDEMPOTENCY_KEY_LONGEST} characters."]})
    return key or None


# ---------------------------------------------------------------- catalogue (finance)

@api.get("/editions")
@organiser("finance", read_only=True)
@documented("The editions billing sells for", responses={200: EditionsOut})
def list_editions():
    return jsonify(editions=[{"id": row.id, "name": row.name, "venue_state": row.venue_state}
                             for row in queries.all_editions(wiring().engine)])


@api.put("/editions/<uuid:edition_id>")
@organiser("finance")
@documented("Open an edition for sale (its id is registration's), or rename it", body=EditionIn,
            responses={200: EditionOut})
def save_edition(edition_id):
    data = load_json(EditionIn())
    catalogue.save_edition(wiring().engine, edition_id=str(edition_id), name=data["name"],
                           venue_state=data["venue_state"], actor=current_principal(),
                           correlation_id=current_correlation_id())
    return jsonify(id=str(edition_id), name=data["name"], venue_state=data["venue_state"].upper())


def offer_view(offer: queries.Offer) -> dict:
    view = {"id": offer.id, "kind": offer.kind, "name": offer.name, "description": offer.description,
            "unit_price_paise": offer.unit_price_paise, "gst_rate_bp": offer.gst_rate_bp, "sac_code": offer.sac_code,
            "quantity": offer.quantity, "available": offer.available, "status": offer.status, "active": offer.active}
    if offer.kind == "sponsorship":
        view |= {"matchmaking_priority": offer.matchmaking_priority, "includes_booth": offer.includes_booth}
    if offer.kind == "booth":
        view["booth"] = {"hall": offer.hall, "booth_number": offer.booth_number, "x_m": str(offer.x_m),
                         "y_m": str(offer.y_m), "width_m": str(offer.width_m), "depth_m": str(offer.depth_m),
                         "area_m2": str(offer.area_m2)}
    return view


@api.get("/editions/<uuid:edition_id>/catalogue")
@organiser("finance", read_only=True)
@documented("An edition's catalogue, withdrawn items and booth holders included", responses={200: CatalogueOut})
def edition_catalogue(edition_id):
    return jsonify(items=[offer_view(offer) | ({"holder": offer.holder} if offer.holder else {})
                          for offer in queries.catalogue(wiring().engine, str(edition_id), with_holders=True)])


@api.post("/editions/<uuid:edition_id>/items")
@organiser("finance")
@documented("Add a sponsorship tier, booth or branding item to an edition's catalogue", body=ItemIn,
            responses={201: ItemSavedOut, 409: ErrorOut})
def add_item(edition_id):
    item, _active = load_json(ItemIn())
    item_id = catalogue.add_item(wiring().engine, str(edition_id), item, actor=current_principal(),
                                 correlation_id=current_correlation_id())
    return jsonify(id=item_id), 201


@api.put("/items/<uuid:item_id>")
@organiser("finance")
@documented("Change a catalogue item (orders already placed keep their prices)", body=ItemIn,
            responses={200: ItemSavedOut, 409: ErrorOut})
def change_item(item_id):
    item, active = load_json(ItemIn())
    catalogue.change_item(wiring().engine, str(item_id), item, active=active, actor=current_principal(),
                          correlation_id=current_correlation_id())
    return jsonify(id=str(item_id))


# ---------------------------------------------------------------- orders (participants)

@api.get("/me/catalogue")
@participant
@documented("What the caller's organisation can order now", responses={200: CatalogueOut, 409: ErrorOut})
def my_catalogue():
    buyer = queries.buyer_of(wiring().engine, my_registration_id())
    if buyer is None or not buyer.approved:
        return jsonify(items=[], message="Your organisation can order once its registration is approved.")
    return jsonify(items=[offer_view(offer) for offer in queries.catalogue(wiring().engine, buyer.edition_id,
                                                                            active_only=True)])


@api.post("/me/orders")
@participant
@documented("Place an order: its items are held until it is paid or the hold expires", body=OrderIn,
            responses={201: OrderOut, 200: OrderOut, 409: ErrorOut},
            headers={201: {"Location": "The order."}, 200: {"Location": "The order."}},
            request_headers={"Idempotency-Key": IDEMPOTENCY_KEY})
def place_order():
    data = load_json(OrderIn())
    placed = ordering.place_order(wiring(), registration_id=my_registration_id(), lines=data["lines"],
                                  included_booth_id=data["included_booth_id"], payment_method=data["payment_method"],
                                  placed_by=current_principal().subject, client_request_id=idempotency_key(),
                                  correlation_id=current_correlation_id())
    response = jsonify(order_view(queries.order_detail(wiring().engine, placed.order_id)))
    response.status_code = 200 if placed.replayed else 201
    response.headers["Location"] = url_for(".my_order", order_id=placed.order_id)
    return response


@api.get("/me/orders")
@participant
@documented("The caller's organisation's orders, newest first", responses={200: OrdersOut, 409: ErrorOut})
def my_orders():
    return jsonify(orders=[_order_summary(row) for row in
                           queries.order_list(wiring().engine, registration_id=my_registration_id())])


def _my_order(order_id) -> queries.OrderDetail:
    detail = queries.order_detail(wiring().engine, str(order_id))
    if detail is None or detail.order.registration_id != my_registration_id():
        raise NotFound("No such order.")
    return detail


@api.get("/me/orders/<uuid:order_id>")
@participant
@documented("One of the caller's organisation's orders", responses={200: OrderOut, 409: ErrorOut})
def my_order(order_id):
    return jsonify(order_view(_my_order(order_id)))


@api.post("/me/orders/<uuid:order_id>/cancel")
@participant
@documented("Cancel an unpaid order of the caller's organisation (its items are released)",
            responses={200: OrderOut, 409: ErrorOut})
def cancel_my_order(order_id):
    ordering.cancel_by_buyer(wiring(), order_id=str(order_id), registration_id=my_registration_id(),
                             correlation_id=current_correlation_id())
    return jsonify(order_view(_my_order(order_id)))


@api.post("/me/orders/<uuid:order_id>/checkout")
@participant
@documented("The payment gateway's checkout form for an unpaid order (503 when the gateway does not answer)",
            responses={200: CheckoutOut, 409: ErrorOut})
def checkout(order_id):
    """The gateway's hosted checkout form for this order: post `fields` to `action_url`."""
    form = ordering.start_checkout(wiring(), order_id=str(order_id), registration_id=my_registration_id(),
                                   **return_urls(str(order_id)))
    return jsonify(action_url=form.action_url, fields=form.fields)


def return_urls(order_id: str) -> dict[str, str]:
    base = wiring().settings.public_url
    return {"return_url": f"{base}/gateway/{wiring().gateway.name}/return/{order_id}",
            "cancel_url": f"{base}/me/orders/{order_id}"}


@api.get("/me/invoices")
@participant
@documented("The caller's organisation's invoices, pro-formas and credit notes, newest first",
            responses={200: DocumentsOut, 409: ErrorOut})
def my_documents():
    return jsonify(documents=[_document_summary(row) for row in
                              queries.documents(wiring().engine, registration_id=my_registration_id())])


def _document_summary(row) -> dict:
    kind = "credit-notes" if row.kind == "credit_note" else "invoices"
    return {"id": row.id, "kind": row.kind, "number": row.number, "issued_at": row.issued_at.isoformat(),
            "amount_paise": row.amount_paise, "pdf": url_for("billing_pages.my_document", kind=kind,
                                                             document_id=row.id, extension="pdf")}


def _order_summary(row) -> dict:
    return {"id": row.id, "number": row.number, "status": row.status, "buyer": row.legal_name,
            "payable_paise": row.payable_paise, "placed_at": row.placed_at.isoformat(),
            "hold_expires_at": row.hold_expires_at.isoformat(),
            "paid_at": row.paid_at.isoformat() if row.paid_at else None}


def order_view(detail: queries.OrderDetail) -> dict:
    order = detail.order
    return {
        "id": order.id, "number": order.number, "status": order.status, "payment_method": order.payment_method,
        "buyer": {"registration_id": order.registration_id, "legal_name": detail.buyer.legal_name,
                  "gstin": detail.buyer.gstin},
        "placed_at": order.placed_at.isoformat(), "hold_expires_at": order.hold_expires_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "place_of_supply": order.place_of_supply, "intra_state": order.intra_state,
        "taxable_paise": order.taxable_paise, "tax_paise": order.tax_paise, "payable_paise": order.payable_paise,
        "refunded_paise": order.refunded_paise,
        "lines": [{"line_no": line.line_no, "item_id": line.item_id, "kind": line.kind,
                   "description": line.description, "sac_code": line.sac_code, "quantity": line.quantity,
                   "unit_price_paise": line.unit_price_paise, "gst_rate_bp": line.gst_rate_bp,
                   "taxable_paise": line.taxable_paise, "cgst_paise": line.cgst_paise, "sgst_paise": line.sgst_paise,
                   "igst_paise": line.igst_paise, "reverse_charge": line.reverse_charge} for line in detail.lines],
        "payments": [{"id": p.id, "method": p.method, "status": p.status, "amount_paise": p.amount_paise,
                      "currency": p.currency, "reference": p.reference} for p in detail.payments],
        "refunds": [{"id": r.id, "status": r.status, "amount_paise": r.amount_paise, "reason": r.reason,
                     "cancel_order": r.cancel_order} for r in detail.refunds],
        "invoices": [{"id": i.id, "kind": i.kind, "number": i.number, "payable_paise": i.payable_paise}
                     for i in detail.invoices],
        "credit_notes": [{"id": c.id, "number": c.number, "refunded_paise": c.refunded_paise}
                         for c in detail.credit_notes],
    }


# ---------------------------------------------------------------- money (finance)

@api.get("/orders")
@organiser("finance", read_only=True)
@documented("Every buyer's orders, newest first (at most 500)", query=OrdersQuery, responses={200: OrdersOut})
def list_orders():
    wanted = OrdersQuery().load(request.args)
    return jsonify(orders=[_order_summary(row) for row in queries.order_list(
        wiring().engine, status=wanted.get("status") or None, search=wanted.get("q") or None)])


def _order(order_id) -> queries.OrderDetail:
    detail = queries.order_detail(wiring().engine, str(order_id))
    if detail is None:
        raise NotFound("No such order.")
    return detail


@api.get("/orders/<uuid:order_id>")
@organiser("finance", read_only=True)
@documented("An order with its payments, refunds, documents and open questions", responses={200: OrderForFinanceOut})
def order(order_id):
    detail = _order(order_id)
    return jsonify(order_view(detail) | {"flags": [{"id": f.id, "kind": f.kind, "message": f.message,
                                                    "resolved": f.resolved_at is not None} for f in detail.flags]})


@api.post("/orders/<uuid:order_id>/bank-transfers")
@organiser("finance")
@documented("Record a bank transfer that pays an order", body=BankTransferIn, responses={201: OrderOut, 409: ErrorOut})
def record_bank_transfer(order_id):
    data = load_json(BankTransferIn())
    payments.record_bank_transfer(wiring(), order_id=str(order_id), reference=data["reference"],
                                  amount_paise=data["amount_paise"], actor=current_principal(),
                                  correlation_id=current_correlation_id())
    return jsonify(order_view(_order(order_id))), 201


@api.post("/orders/<uuid:order_id>/refunds")
@organiser("finance")
@documented("Refund part or all of an order's payment (and cancel the order, if asked)", body=RefundIn,
            responses={201: RefundOut, 409: ErrorOut})
def refund(order_id):
    data = load_json(RefundIn())
    row = refunds.request_refund(wiring(), order_id=str(order_id), amount_paise=data["amount_paise"],
                                 reason=data["reason"], cancel_order=data["cancel_order"],
                                 payment_id=str(data["payment_id"]) if data["payment_id"] else None,
                                 bank_reference=data["reference"], actor=current_principal(),
                                 correlation_id=current_correlation_id())
    return jsonify(refund_view(row)), 201


def refund_view(row) -> dict:
    return {"id": row.id, "order_id": row.order_id, "status": row.status, "amount_paise": row.amount_paise,
            "cancel_order": row.cancel_order, "failure": row.failure}


@api.post("/refunds/<uuid:refund_id>/send")
@organiser("finance")
@documented("Send a refund to the gateway again, after it could not be reached",
            responses={200: RefundOut, 409: ErrorOut})
def send_refund(refund_id):
    return jsonify(refund_view(refunds.send_refund(wiring(), str(refund_id), correlation_id=current_correlation_id())))


@api.get("/payment-flags")
@organiser("finance", read_only=True)
@documented("What finance must look at: misdirected money, failed refunds (open ones, or every one)",
            query=FlagsQuery, responses={200: FlagsOut})
def list_flags():
    wanted = FlagsQuery().load(request.args)
    return jsonify(flags=[{"id": f.id, "kind": f.kind, "order_id": f.order_id, "order_number": f.order_number,
                           "message": f.message, "raised_at": f.raised_at.isoformat(),
                           "resolved_at": f.resolved_at.isoformat() if f.resolved_at else None}
                          for f in queries.open_flags(wiring().engine, include_resolved=wanted.get("all") == "1")])


@api.post("/payment-flags/<uuid:flag_id>/resolve")
@organiser("finance")
@documented("Mark a payment flag resolved, saying how", body=ResolveFlagIn, responses={204: None, 409: ErrorOut})
def resolve_flag(flag_id):
    data = load_json(ResolveFlagIn())
    payments.resolve_flag(wiring(), str(flag_id), resolution=data["resolution"], actor=current_principal(),
                          correlation_id=current_correlation_id())
    return "", 204


@api.get("/reconciliation")
@organiser("finance", read_only=True)
@documented("Each order money touched: asked, captured, refunded, invoiced, credited, and what does not add up",
            responses={200: ReconciliationOut})
def reconciliation():
    return jsonify(orders=queries.reconciliation(wiring().engine))


# ---------------------------------------------------------------- the gateway's webhook

@api.post("/gateway/<name>/webhook")
@public
@documented("The payment gateway's signed event (Razorpay's webhook): applied once, however often it comes; "
            "a forged, stale or malformed one is refused with 400", body=GatewayEventIn,
            responses={200: CallbackOutcomeOut},
            request_headers={
                SIGNATURE_HEADER: Header("Hex HMAC-SHA256 of the raw body, keyed with the webhook secret.", required=True),
                EVENT_ID_HEADER: Header("The event's id, the same on every retry (else the body's hash).")})
def gateway_webhook(name):
    """Signed callbacks from the payment gateway. Refused ones (forged, stale, malformed) get a 400
    and a log line; a repeat gets 200 "duplicate"; anything a person must look at is flagged."""
    gateway = wiring().gateway
    if name != gateway.name:
        raise NotFound("No such payment gateway.")
    try:
        callback = gateway.read_callback(request.get_data(), request.headers, now=datetime.now(timezone.utc))
    except RefusedCallback as refusal:
        log.warning("refused a %s callback from %s: %s", name, request.remote_addr, refusal)
        return error_response(400, "callback_refused", f"Callback refused: {refusal}.")
    outcome = payments.receive_callback(wiring(), callback, correlation_id=current_correlation_id())
    return jsonify(event_id=callback.event_id, outcome=outcome)
