"""GST tax invoices: numbered without gaps, with what rule 46 asks for, downloadable by their buyer,
by a signed link from the email, and never changed once issued."""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from services.billing import payments
from services.billing.adapters import repository
from services.billing.bootstrap import bootstrap
from services.billing.web.app import create_app
from shared.auth import ORGANISER, Principal
from shared.config import WebSettings, load_settings
from tests.billing.support import approve_buyer, open_sales, outbox_events, scalar

FINANCE = Principal(kind=ORGANISER, subject="fin-1", name="Farah Finance", issued_at=None, roles=frozenset({"finance"}))


def bank_order(client, tokens, buyer, lines, **extra) -> dict:
    response = client.post("/api/v1/me/orders", json={"lines": lines, "payment_method": "bank_transfer", **extra},
                           headers={"Authorization": f"Bearer {tokens.participant(buyer)}"})
    assert response.status_code == 201, response.json
    return response.json


def pay_by_transfer(wiring, order) -> None:
    payments.record_bank_transfer(wiring, order_id=order["id"], reference=f"UTR{order['number']}",
                                  amount_paise=order["payable_paise"], actor=FINANCE, correlation_id="test")


def test_concurrent_payments_get_consecutive_invoice_numbers_with_no_gaps(client, wiring, tokens, catalogue):
    orders = [bank_order(client, tokens, approve_buyer(wiring, name=f"Buyer {n}"),
                         [{"item_id": catalogue["Lanyards"], "quantity": n + 1}]) for n in range(12)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda order: pay_by_transfer(wiring, order), orders))

    with wiring.engine.connect() as db:
        numbers = sorted(db.exec_driver_sql("SELECT number FROM invoices WHERE kind = 'tax_invoice'").scalars())
    year = numbers[0].split("/")[1]
    assert numbers == [f"DPD/{year}/{n:06d}" for n in range(1, 13)]
    assert all(len(number) <= 16 for number in numbers)


def test_a_number_taken_in_a_transaction_that_rolls_back_is_issued_next_and_each_year_starts_at_one(wiring):
    with wiring.engine.connect() as db:
        with db.begin():
            assert repository.next_document_number(db, "DPD", "2627") == 1
        transaction = db.begin()
        assert repository.next_document_number(db, "DPD", "2627") == 2
        transaction.rollback()
        with db.begin():
            assert repository.next_document_number(db, "DPD", "2627") == 2, "no gap"
            assert repository.next_document_number(db, "DPD", "2728") == 1, "a new financial year, a new series"
            assert repository.next_document_number(db, "DPDC", "2627") == 1, "credit notes count on their own"


def test_the_invoice_pdf_carries_what_rule_46_asks_for(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring, name="Varuna Marine Systems Ltd", state="MH")
    order = bank_order(client, tokens, buyer, [{"item_id": catalogue["Gold"]}, {"item_id": catalogue["Lanyards"],
                                                                               "quantity": 3}],
                       included_booth_id=catalogue["A-2"])
    pay_by_transfer(wiring, order)
    headers = {"Authorization": f"Bearer {tokens.participant(buyer)}"}
    [document] = [d for d in client.get("/api/v1/me/invoices", headers=headers).json["documents"]
                  if d["kind"] == "tax_invoice"]

    pdf = client.get(document["pdf"], headers=headers)

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("Tax invoice", document["number"], "07AAACD1234E1ZB", "Centre for Joint Warfare Studies",
                     "Varuna Marine Systems Ltd", "27AABCT1234F1Z", "Place of supply: Maharashtra (27)",
                     "Tax payable on reverse charge: No", "998397", "998366", "998596", "IGST", "18%",
                     "₹5,00,000.00", "included in Gold", "Total payable", "Amount in words: Rupees Five Lakh",
                     "rounded to the nearest paisa"):
        assert expected in text, expected
    page = client.get(document["pdf"].replace(".pdf", ".html"), headers=headers)
    assert page.status_code == 200 and document["number"] in page.get_data(as_text=True)
    other = approve_buyer(wiring, name="Someone Else Ltd")
    assert client.get(document["pdf"], headers={"Authorization": f"Bearer {tokens.participant(other)}"}).status_code == 404


def test_the_emailed_link_downloads_without_sign_in_and_only_as_signed(client, wiring, tokens, catalogue):
    order = bank_order(client, tokens, approve_buyer(wiring), [{"item_id": catalogue["A-1"]}])
    pay_by_transfer(wiring, order)
    [issued] = outbox_events(wiring, "billing.invoice_issued.v1")
    link = urlsplit(issued["data"]["download_url"])
    path = f"{link.path}?{link.query}"

    assert client.get(path).status_code == 200
    assert client.get(path.replace("signature=", "signature=x")).status_code == 403
    assert client.get(path.replace(".pdf", ".html")).status_code == 200
    [proforma] = outbox_events(wiring, "billing.proforma_issued.v1")
    assert client.get(path.replace(link.path.split("/")[-1].split(".")[0],
                                   proforma["data"]["download_url"].split("/")[-1].split(".")[0])).status_code == 403


def test_an_issued_invoice_cannot_be_changed_or_deleted(client, wiring, tokens, catalogue):
    order = bank_order(client, tokens, approve_buyer(wiring), [{"item_id": catalogue["Silver"]}])
    pay_by_transfer(wiring, order)
    for statement in ("UPDATE invoices SET payable_paise = 1", "DELETE FROM invoices"):
        with pytest.raises(sa.exc.IntegrityError, match="cannot be changed"):
            with wiring.engine.begin() as db:
                db.exec_driver_sql(statement)
    assert scalar(wiring, "SELECT count(*) FROM invoices") == 2


def test_sponsorship_from_a_society_is_invoiced_under_reverse_charge(env, tokens):
    society = bootstrap({**env, "BILLING_SUPPLIER_LEGAL_FORM": "society"})
    try:
        client = create_app(society, load_settings(WebSettings, env)).test_client()
        items = open_sales(client, tokens.organiser("finance"))
        buyer = approve_buyer(society)
        order = bank_order(client, tokens, buyer, [{"item_id": items["Silver"]}, {"item_id": items["A-4"]}])
        assert order["payable_paise"] == 2_00_000_00 + 1_77_000_00, "the sponsor pays the sponsorship's GST itself"
        pay_by_transfer(society, order)
        [issued] = outbox_events(society, "billing.invoice_issued.v1")
        assert issued["data"]["reverse_charge"] is True
        with society.engine.connect() as db:
            document = db.exec_driver_sql("SELECT document FROM invoices WHERE kind = 'tax_invoice'").scalar()
        assert document["reverse_charge"].startswith("Yes, on the lines marked RC")
        assert document["totals"]["reverse_charge_tax_paise"] == 36_000_00
    finally:
        society.engine.dispose()
