"""Billing's pages: participants shop (catalogue and floor plan), pay and download their
invoices; finance manages the catalogue and follows orders, payments, invoices and refunds."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound

from services.billing import catalogue, ordering, payments, refunds
from services.billing.adapters import queries
from services.billing.adapters.documents import document_pdf, rate_label
from services.billing.adapters.gateways import GatewayUnavailable, RefusedCallback
from services.billing.adapters.tables import audit_log, outbox, processed_events
from services.billing.domain.catalogue import ItemKind, check_item, metres
from services.billing.domain.money import format_inr, rupees_text
from services.billing.domain.orders import PaymentMethod, RequestedLine
from services.billing.domain.states import STATES_BY_KEY
from services.billing.web.api import IDEMPOTENCY_KEY_LONGEST, my_registration_id, return_urls, wiring
from services.billing.web.floor_plan import floor_plan_svg, halls
from services.billing.web.schemas import (
    BankTransferIn, EditionIn, ItemIn, LineIn, Percent, RefundIn, ResolveFlagIn, Rupees)
from shared.access import csrf_exempt, current_principal, organiser, participant, public
from shared.audit import record_audit
from shared.backbone_dashboard import backbone_figures
from shared.errors import InvalidFields, StateConflict
from shared.spreadsheets import csv_download
from shared.web import current_correlation_id
from shared.web_ui.charts import horizontal_bar_chart

pages = Blueprint("billing_pages", __name__, template_folder="../templates")
FINANCE = "finance"
DOCUMENT_KINDS = {"invoices": "invoice", "credit-notes": "credit_note"}
STATES = sorted(((state.key, f"{state.name} ({state.gst_code})") for state in STATES_BY_KEY.values()),
                key=lambda pair: pair[1])


def _page(template: str, status: int = 200, **context):
    return render_template(f"billing/{template}", viewer=current_principal(), **context), status


def _form_errors(error) -> dict:
    messages = error.messages if isinstance(error, ValidationError) else error.errors
    flat = {}
    for name, text in messages.items():
        if isinstance(text, dict):  # nested schema: booth.hall
            for inner, inner_text in text.items():
                flat[f"{name}.{inner}"] = inner_text if isinstance(inner_text, list) else [str(inner_text)]
        else:
            flat[name] = text if isinstance(text, list) else [str(text)]
    return flat


# ---------------------------------------------------------------- participants

@pages.get("/me/shop")
@participant
def shop():
    return _shop_page()


def _shop_page(status: int = 200, errors=None, form=None):
    buyer = queries.buyer_of(wiring().engine, my_registration_id())
    if buyer is None or not buyer.approved:
        return _page("message.html", status, title="Not open to you yet",
                     message="Your organisation can buy sponsorships, booths and branding once its registration "
                             "is approved. If it was approved a moment ago, reload this page in a minute.")
    offers = queries.catalogue(wiring().engine, buyer.edition_id, active_only=True)
    if not offers:
        return _page("message.html", status, title="Nothing on sale yet",
                     message="The organisers have not opened sponsorships and booths for your edition yet.")
    picked = (form or {}).get("booth") or request.args.get("booth", "")
    plans = [(hall, floor_plan_svg(hall, booths, show_holders=False,
                                   link=lambda b: url_for(".shop", booth=b.id) + "#order" if b.status == "available"
                                   else None))
             for hall, booths in halls(offers)]
    booth_choices = [(b.id, f"{b.booth_number}, {b.hall} ({metres(b.area_m2)} m²): {format_inr(b.unit_price_paise)} + GST")
                     for b in offers if b.kind == ItemKind.BOOTH and b.status == "available"]
    return _page("shop.html", status, buyer=buyer, offers=offers, plans=plans, picked_booth=picked,
                 booth_choices=booth_choices, request_id=str(uuid.uuid4()),
                 errors=errors or {}, form=form or {}, bank_transfers=bool(wiring().settings.bank_transfer_details))


@pages.post("/me/orders")
@participant
def place_order():
    form = request.form
    lines, errors = _requested_lines(form)
    if errors:
        return _shop_page(422, errors, form.to_dict())
    try:
        method = PaymentMethod(form.get("payment_method", PaymentMethod.GATEWAY.value))
        placed = ordering.place_order(wiring(), registration_id=my_registration_id(), lines=lines,
                                      included_booth_id=form.get("included_booth") or None, payment_method=method,
                                      placed_by=current_principal().subject,
                                      client_request_id=form.get("request_id") or None,
                                      correlation_id=current_correlation_id())
    except InvalidFields as error:
        return _shop_page(422, _form_errors(error), form.to_dict())
    except (StateConflict, ValueError) as refusal:
        flash(str(refusal) if isinstance(refusal, StateConflict) else "Choose how to pay.", "error")
        return redirect(url_for(".shop"))
    flash(f"Order {placed.number} is held for you: pay to confirm it.", "success")
    return redirect(url_for(".my_order", order_id=placed.order_id))


def _requested_lines(form) -> tuple[list[RequestedLine], dict[str, list[str]]]:
    """The shop form's choices as order lines, each checked as the API checks one (LineIn), and
    the form's own fields; the problems by the name the shop page shows them under."""
    picked = [(name, form[name], "1") for name in ("sponsorship", "booth") if form.get(name)]
    picked += [(name, name.removeprefix("branding."), value.strip()) for name, value in form.items()
               if name.startswith("branding.") and value.strip() not in ("", "0")]
    lines, errors = [], {}
    for field_name, item_id, quantity in picked:
        try:
            line = LineIn().load({"item_id": item_id, "quantity": quantity})
        except ValidationError as error:
            if "item_id" in error.messages:  # not one the page offered
                errors["lines"] = ["Choose from what is on sale for your edition."]
            else:
                errors[field_name] = error.messages["quantity"]
        else:
            lines.append(RequestedLine(str(line["item_id"]), line["quantity"]))
    if form.get("included_booth"):
        try:
            uuid.UUID(form["included_booth"])
        except ValueError:
            errors["included_booth_id"] = ["Pick one of this edition's booths."]
    if len(form.get("request_id", "")) > IDEMPOTENCY_KEY_LONGEST:
        errors["lines"] = ["This form has expired: reload the page and order again."]
    return lines, errors


@pages.get("/me/orders")
@participant
def my_orders():
    return _page("my_orders.html", orders=queries.order_list(wiring().engine, registration_id=my_registration_id()))


def _my_order(order_id) -> queries.OrderDetail:
    detail = queries.order_detail(wiring().engine, str(order_id))
    if detail is None or detail.order.registration_id != my_registration_id():
        raise NotFound("No such order.")
    return detail


@pages.get("/me/orders/<uuid:order_id>")
@participant
def my_order(order_id):
    detail = _my_order(order_id)
    return _page("my_order.html", detail=detail, now=datetime.now(timezone.utc),
                 bank_details=wiring().settings.bank_transfer_details)


@pages.post("/me/orders/<uuid:order_id>/pay")
@participant
def pay(order_id):
    """To the gateway's hosted checkout: a form the buyer's browser posts there."""
    try:
        form = ordering.start_checkout(wiring(), order_id=str(order_id), registration_id=my_registration_id(),
                                       **return_urls(str(order_id)))
    except StateConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".my_order", order_id=order_id))
    except GatewayUnavailable:
        flash("The payment gateway is not answering right now; try again in a minute. Your items stay held.", "error")
        return redirect(url_for(".my_order", order_id=order_id))
    return _page("checkout.html", checkout=form, order=_my_order(order_id).order)


@pages.post("/me/orders/<uuid:order_id>/cancel")
@participant
def cancel_my_order(order_id):
    try:
        ordering.cancel_by_buyer(wiring(), order_id=str(order_id), registration_id=my_registration_id(),
                                 correlation_id=current_correlation_id())
        flash("The order is cancelled and its items are back on sale.", "success")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".my_order", order_id=order_id))


@pages.get("/me/invoices")
@participant
def my_documents():
    return _page("my_documents.html", documents=queries.documents(wiring().engine, registration_id=my_registration_id()))


@pages.get("/me/<kind>/<uuid:document_id>.<extension>")
@participant
def my_document(kind, document_id, extension):
    document = _stored_document(kind, str(document_id))
    if document.registration_id != my_registration_id():
        raise NotFound("No such document.")
    return _document_response(document.document, extension)


@pages.post("/gateway/<name>/return/<uuid:order_id>")
@public
@csrf_exempt
def gateway_return(name, order_id):
    """The gateway sends the buyer back here (a cross-site form post, signed by the gateway)."""
    if name != wiring().gateway.name:
        raise NotFound("No such payment gateway.")
    try:
        outcome = payments.receive_checkout_return(wiring(), str(order_id), request.form,
                                                   correlation_id=current_correlation_id())
        flash(outcome.message, "success" if outcome.paid else "warning")
    except (RefusedCallback, StateConflict) as refusal:
        flash(f"We could not confirm this payment ({refusal}). If money left your account, the organisers "
              "will see it and contact you.", "error")
    return redirect(url_for(".my_order", order_id=order_id), code=303)


# ---------------------------------------------------------------- documents

def _stored_document(kind: str, document_id: str):
    if kind not in DOCUMENT_KINDS:
        raise NotFound("No such document.")
    row = (queries.invoice if kind == "invoices" else queries.credit_note)(wiring().engine, document_id)
    if row is None:
        raise NotFound("No such document.")
    return row


def _document_response(document: dict, extension: str):
    filename = document["number"].replace("/", "-")
    if extension == "pdf":
        response = Response(document_pdf(document), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    if extension == "html":
        return render_template("billing/document.html", document=document)
    raise NotFound("Documents come as .pdf or .html.")


@pages.get("/documents/<kind>/<uuid:document_id>.<extension>")
@public
def signed_document(kind, document_id, extension):
    """The link in an email: works without signing in, for this document only, until it expires."""
    if not wiring().links.is_valid(kind, str(document_id), request.args.get("expires"), request.args.get("signature")):
        abort(403, "This download link is not valid or has expired: sign in to download your documents.")
    return _document_response(_stored_document(kind, str(document_id)).document, extension)


@pages.get("/admin/<kind>/<uuid:document_id>.<extension>")
@organiser(FINANCE, read_only=True)
def finance_document(kind, document_id, extension):
    return _document_response(_stored_document(kind, str(document_id)).document, extension)


# ---------------------------------------------------------------- finance: overview and catalogue

@pages.get("/admin/")
@organiser("vetting", "matchmaking", FINANCE, read_only=True)
def dashboard():
    engine = wiring().engine
    tiers = queries.revenue_by_tier(engine)
    chart = horizontal_bar_chart("Sponsorship sold by tier (taxable value, ₹)", [row.name for row in tiers],
                                 [row.taxable_paise // 100 for row in tiers])
    return _page("dashboard.html", show_nav=True, figures=queries.dashboard_figures(engine), chart=chart,
                 backbone=backbone_figures(engine, outbox, processed_events))


def _chosen_edition(editions, wanted: str | None) -> str | None:
    """The edition asked for, if billing sells for it; else the latest one."""
    if wanted and any(edition.id == wanted for edition in editions):
        return wanted
    return editions[-1].id if editions else None


@pages.get("/admin/catalogue")
@organiser(FINANCE, read_only=True)
def catalogue_page():
    return _catalogue_page()


def _catalogue_page(status: int = 200, errors=None, form=None, form_kind: str | None = None):
    engine = wiring().engine
    editions = queries.all_editions(engine)
    edition_id = _chosen_edition(editions, (form or {}).get("edition_id") or request.args.get("edition"))
    offers = queries.catalogue(engine, edition_id, with_holders=True) if edition_id else []
    return _page("catalogue.html", status, show_nav=True, editions=editions, edition_id=edition_id, offers=offers,
                 edition_options=[(edition.id, edition.name) for edition in editions],
                 pending_editions=queries.editions_with_buyers_only(engine), states=STATES, errors=errors or {},
                 form=form or {}, form_kind=form_kind, kinds=ItemKind)


@pages.post("/admin/editions")
@organiser(FINANCE)
def save_edition():
    form = request.form.to_dict()
    try:
        data = EditionIn().load({"name": form.get("name", ""), "venue_state": form.get("venue_state", "DL")})
        edition_id = str(_uuid(form.get("edition_id", ""), "edition_id"))
        catalogue.save_edition(wiring().engine, edition_id=edition_id, name=data["name"],
                               venue_state=data["venue_state"], actor=current_principal(),
                               correlation_id=current_correlation_id())
    except (ValidationError, InvalidFields) as error:
        return _catalogue_page(422, _form_errors(error), form, form_kind="edition")
    flash(f"{data['name']} is open for sale: add its tiers, booths and branding.", "success")
    return redirect(url_for(".catalogue_page", edition=edition_id))


def _uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise InvalidFields({field: ["Paste the edition's id as registration shows it (a UUID)."]}) from None


def _item_from_form(form) -> tuple:
    """The item form (rupees, percent) in the API's terms, loaded by ItemIn."""
    errors, values = {}, {}
    for name, field in (("unit_price", Rupees()), ("gst_rate", Percent())):
        try:
            values[name] = field.deserialize(form.get(name, ""))
        except ValidationError as error:
            errors[name] = error.messages
    payload = {"kind": form.get("kind", ""), "name": form.get("name", ""), "description": form.get("description", ""),
               "unit_price_paise": values.get("unit_price", 0), "gst_rate_bp": values.get("gst_rate", 1800),
               "sac_code": form.get("sac_code", "").strip(), "quantity": form.get("quantity") or "1",
               "active": form.get("active", "on") == "on", "includes_booth": form.get("includes_booth") == "on"}
    if form.get("kind") == ItemKind.SPONSORSHIP:
        payload["matchmaking_priority"] = form.get("matchmaking_priority") or "0"
    if form.get("kind") == ItemKind.BOOTH:
        payload["booth"] = {key: form.get(f"booth.{key}", "") for key in
                            ("hall", "booth_number", "x_m", "y_m", "width_m", "depth_m")}
    try:
        loaded = ItemIn().load(payload)
        check_item(loaded[0])  # the domain's rules too, so one round trip shows every mistake
    except ValidationError as error:
        errors |= _form_errors(error)
        loaded = None
    except InvalidFields as error:
        errors |= {name: messages for name, messages in error.errors.items()
                   if not (name == "unit_price_paise" and "unit_price" in errors)}
    if errors:
        raise InvalidFields(errors)
    return loaded


@pages.post("/admin/catalogue/<uuid:edition_id>/items")
@organiser(FINANCE)
def add_item(edition_id):
    form = request.form.to_dict()
    try:
        item, _active = _item_from_form(form)
        catalogue.add_item(wiring().engine, str(edition_id), item, actor=current_principal(),
                           correlation_id=current_correlation_id())
    except InvalidFields as error:
        return _catalogue_page(422, _form_errors(error), {**form, "edition_id": str(edition_id)},
                               form_kind=form.get("kind"))
    except StateConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".catalogue_page", edition=edition_id))
    flash(f"{item.name} is on sale.", "success")
    return redirect(url_for(".catalogue_page", edition=edition_id))


@pages.get("/admin/catalogue/items/<uuid:item_id>")
@organiser(FINANCE, read_only=True)
def item_page(item_id):
    row = queries.item(wiring().engine, str(item_id))
    if row is None:
        raise NotFound("No such catalogue item.")
    return _page("item.html", show_nav=True, item=row, errors={}, form=_form_of(row))


def _form_of(row) -> dict:
    form = {"kind": row.kind, "name": row.name, "description": row.description,
            "unit_price": rupees_text(row.unit_price_paise), "gst_rate": rate_label(row.gst_rate_bp).rstrip("%"),
            "sac_code": row.sac_code, "quantity": row.quantity, "active": "on" if row.active else "",
            "matchmaking_priority": row.matchmaking_priority if row.matchmaking_priority is not None else "",
            "includes_booth": "on" if row.includes_booth else ""}
    if row.kind == ItemKind.BOOTH:
        form |= {f"booth.{key}": getattr(row, key) for key in ("hall", "booth_number", "x_m", "y_m", "width_m",
                                                               "depth_m")}
    return form


@pages.post("/admin/catalogue/items/<uuid:item_id>")
@organiser(FINANCE)
def change_item(item_id):
    row = queries.item(wiring().engine, str(item_id))
    if row is None:
        raise NotFound("No such catalogue item.")
    form = {**request.form.to_dict(), "kind": row.kind, "active": request.form.get("active", "")}
    try:
        item, active = _item_from_form(form)
        catalogue.change_item(wiring().engine, str(item_id), item, active=active, actor=current_principal(),
                              correlation_id=current_correlation_id())
    except InvalidFields as error:
        return _page("item.html", 422, show_nav=True, item=row, errors=_form_errors(error), form=form)
    except StateConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".item_page", item_id=item_id))
    flash(f"{item.name} is saved; orders already placed keep their prices.", "success")
    return redirect(url_for(".catalogue_page", edition=row.edition_id))


@pages.get("/admin/floor-plan")
@organiser(FINANCE, read_only=True)
def floor_plan():
    editions = queries.all_editions(wiring().engine)
    edition_id = _chosen_edition(editions, request.args.get("edition"))
    offers = queries.catalogue(wiring().engine, edition_id, with_holders=True) if edition_id else []
    plans = [(hall, floor_plan_svg(hall, booths, show_holders=True,
                                   link=lambda b: url_for(".order_page", order_id=b.holder_order_id)
                                   if b.holder_order_id else url_for(".item_page", item_id=b.id)), booths)
             for hall, booths in halls(offers)]
    return _page("floor_plan.html", show_nav=True, edition_options=[(e.id, e.name) for e in editions],
                 edition_id=edition_id, plans=plans)


# ---------------------------------------------------------------- finance: orders, payments, refunds

@pages.get("/admin/orders")
@organiser(FINANCE, read_only=True)
def orders_page():
    status = request.args.get("status") or None
    return _page("orders.html", show_nav=True, rows=queries.order_list(wiring().engine, status=status,
                                                                        search=request.args.get("q")),
                 status_filter=status or "", q=request.args.get("q", ""))


@pages.get("/admin/orders/<uuid:order_id>")
@organiser(FINANCE, read_only=True)
def order_page(order_id):
    return _order_page(order_id)


def _order_page(order_id, status: int = 200, errors=None, form=None):
    detail = queries.order_detail(wiring().engine, str(order_id))
    if detail is None:
        raise NotFound("No such order.")
    payment_choices = [(p.id, f"{p.method.replace('_', ' ')} {p.reference or ''}: {format_inr(p.amount_paise)}")
                       for p in detail.payments if p.status == "captured"]
    return _page("order.html", status, show_nav=True, detail=detail, errors=errors or {}, form=form or {},
                 payment_choices=payment_choices, now=datetime.now(timezone.utc))


def _on_order_page(order_id, form: dict, act):
    """A finance action on an order: `act()` answers; mistakes are shown on the order page with
    the form as typed (a bare amount error is the amount field's), refusals are flashed."""
    try:
        return act()
    except (ValidationError, InvalidFields) as error:
        if isinstance(error, ValidationError) and not isinstance(error.messages, dict):
            error = ValidationError({"amount": error.messages})
        return _order_page(order_id, 422, _form_errors(error), form)
    except StateConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".order_page", order_id=order_id))


@pages.post("/admin/orders/<uuid:order_id>/bank-transfer")
@organiser(FINANCE)
def record_bank_transfer(order_id):
    form = request.form.to_dict()

    def act():
        amount = Rupees().deserialize(form.get("amount", ""))
        data = BankTransferIn().load({"reference": form.get("reference", ""), "amount_paise": amount})
        payments.record_bank_transfer(wiring(), order_id=str(order_id), reference=data["reference"],
                                      amount_paise=data["amount_paise"], actor=current_principal(),
                                      correlation_id=current_correlation_id())
        flash("The transfer is recorded: the order is paid and its tax invoice issued.", "success")
        return redirect(url_for(".order_page", order_id=order_id))

    return _on_order_page(order_id, form, act)


@pages.post("/admin/orders/<uuid:order_id>/refunds")
@organiser(FINANCE)
def refund(order_id):
    form = request.form.to_dict()

    def act():
        amount = Rupees().deserialize(form["amount"]) if form.get("amount", "").strip() else None
        data = RefundIn().load({"amount_paise": amount, "reason": form.get("reason", ""),
                                "cancel_order": form.get("cancel_order") == "on",
                                "payment_id": form.get("payment_id") or None, "reference": form.get("reference") or None})
        row = refunds.request_refund(wiring(), order_id=str(order_id), amount_paise=data["amount_paise"],
                                     reason=data["reason"], cancel_order=data["cancel_order"],
                                     payment_id=str(data["payment_id"]) if data["payment_id"] else None,
                                     bank_reference=data["reference"], actor=current_principal(),
                                     correlation_id=current_correlation_id())
        flash({"processed": "Refunded: the credit note is issued.",
               "pending": "The gateway is refunding; the credit note follows when it confirms.",
               "requested": "The gateway did not answer: the refund is recorded, send it again below."}
              .get(row.status, f"Refund {row.status}."), "success" if row.status != "requested" else "warning")
        return redirect(url_for(".order_page", order_id=order_id))

    return _on_order_page(order_id, form, act)


@pages.post("/admin/refunds/<uuid:refund_id>/send")
@organiser(FINANCE)
def send_refund(refund_id):
    try:
        row = refunds.send_refund(wiring(), str(refund_id), correlation_id=current_correlation_id())
        flash("Sent to the gateway." if row.status != "requested" else "The gateway still does not answer.",
              "success" if row.status != "requested" else "warning")
        return redirect(url_for(".order_page", order_id=row.order_id))
    except StateConflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".refunds_page"))


@pages.get("/admin/payments")
@organiser(FINANCE, read_only=True)
def payments_page():
    engine = wiring().engine
    return _page("payments.html", show_nav=True, flags=queries.open_flags(engine),
                 payments=queries.recent_payments(engine), callbacks=queries.recent_callbacks(engine), errors={})


@pages.post("/admin/payment-flags/<uuid:flag_id>/resolve")
@organiser(FINANCE)
def resolve_flag(flag_id):
    try:
        data = ResolveFlagIn().load({"resolution": request.form.get("resolution", "")})
        payments.resolve_flag(wiring(), str(flag_id), resolution=data["resolution"], actor=current_principal(),
                              correlation_id=current_correlation_id())
        flash("Resolved.", "success")
    except ValidationError:
        flash("Say in a few words what was done about it.", "error")
    except StateConflict as refusal:
        flash(str(refusal), "error")
    return redirect(url_for(".payments_page"))


@pages.get("/admin/refunds")
@organiser(FINANCE, read_only=True)
def refunds_page():
    return _page("refunds.html", show_nav=True, rows=queries.refund_list(wiring().engine))


@pages.get("/admin/invoices")
@organiser(FINANCE, read_only=True)
def documents_page():
    return _page("documents.html", show_nav=True, rows=queries.documents(wiring().engine))


@pages.get("/admin/reconciliation")
@organiser(FINANCE, read_only=True)
def reconciliation_page():
    return _page("reconciliation.html", show_nav=True, rows=queries.reconciliation(wiring().engine))


# ---------------------------------------------------------------- finance: CSV exports (audited)

def _audited_export(name: str) -> None:
    with wiring().engine.begin() as connection:
        record_audit(connection, audit_log, actor=current_principal(), action=f"{name}.exported",
                     target_type="export", target_id=name, correlation_id=current_correlation_id())


@pages.get("/admin/orders.csv")
@organiser(FINANCE)
def export_orders():
    _audited_export("orders")
    rows = queries.order_list(wiring().engine, limit=100_000)
    return csv_download("orders.csv", ["number", "buyer", "status", "payment_method", "placed_at", "paid_at",
                                       "taxable_paise", "tax_paise", "payable_paise", "refunded_paise"],
                        ([r.number, r.legal_name, r.status, r.payment_method, r.placed_at.isoformat(),
                          r.paid_at.isoformat() if r.paid_at else "", r.taxable_paise, r.tax_paise, r.payable_paise,
                          r.refunded_paise] for r in rows))


@pages.get("/admin/invoices.csv")
@organiser(FINANCE)
def export_documents():
    _audited_export("invoices")
    rows = queries.documents(wiring().engine, limit=100_000)
    return csv_download("invoices.csv", ["number", "kind", "issued_at", "buyer", "gstin", "taxable_paise",
                                         "tax_paise", "amount_paise"],
                        ([r.number, r.kind, r.issued_at.isoformat(), r.legal_name, r.gstin or "", r.taxable_paise,
                          r.tax_paise, r.amount_paise] for r in rows))


@pages.get("/admin/reconciliation.csv")
@organiser(FINANCE)
def export_reconciliation():
    _audited_export("reconciliation")
    return csv_download("reconciliation.csv", list(queries.RECONCILIATION_COLUMNS),
                        ([row[column] for column in queries.RECONCILIATION_COLUMNS]
                         for row in queries.reconciliation(wiring().engine)))
