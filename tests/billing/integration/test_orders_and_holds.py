"""Buyers order against the real database: holds reserve, expire and cancel; bank transfers pay."""
from __future__ import annotations

import pytest

from services.billing import ordering
from tests.billing.support import approve_buyer, expire_hold_now, outbox_events, scalar


def order(client, tokens, registration_id, lines, *, key=None, **extra):
    headers = {"Authorization": f"Bearer {tokens.participant(registration_id)}"}
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/me/orders", json={"lines": lines, **extra}, headers=headers)


def line(item_id, quantity=1):
    return {"item_id": item_id, "quantity": quantity}


def available(client, tokens, registration_id, name) -> int:
    items = client.get("/api/v1/me/catalogue", headers={"Authorization": f"Bearer {tokens.participant(registration_id)}"}).json["items"]
    return next(item["available"] for item in items if item["name"] == name)


def test_an_order_holds_its_items_prices_them_with_gst_and_tells_the_buyer(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring, state="MH")
    placed = order(client, tokens, buyer, [line(catalogue["Silver"]), line(catalogue["Lanyards"], 500)])
    assert placed.status_code == 201, placed.json
    body = placed.json
    assert body["status"] == "held" and body["place_of_supply"] == "27" and not body["intra_state"]
    assert body["taxable_paise"] == 2_00_000_00 + 500 * 200_00
    assert body["tax_paise"] == 18 * body["taxable_paise"] // 100
    assert [l["sac_code"] for l in body["lines"]] == ["998397", "998366"], "sponsorship and branding SACs differ"
    assert available(client, tokens, buyer, "Lanyards") == 500 and available(client, tokens, buyer, "Silver") == 4
    [placed_event] = outbox_events(wiring, "billing.order_placed.v1")
    assert placed_event["key"] == body["id"]
    assert placed_event["data"]["buyer"]["contact_email"].startswith("buyer.")
    assert placed_event["data"]["payable_paise"] == body["payable_paise"]


def test_only_approved_buyers_of_the_edition_may_order(client, wiring, tokens, catalogue):
    stranger = order(client, tokens, "7d9b8c6e-1111-4222-8333-944455566677", [line(catalogue["Silver"])])
    assert stranger.status_code == 409 and "approved" in stranger.json["message"]
    other_edition = approve_buyer(wiring, edition_id="0e6b7f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b")
    assert order(client, tokens, other_edition, [line(catalogue["Silver"])]).status_code in (409, 422)
    assert scalar(wiring, "SELECT count(*) FROM orders") == 0


def test_bad_orders_get_field_messages_and_store_nothing(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring)
    bad = order(client, tokens, buyer, [line(catalogue["Silver"], 2), line("not-a-uuid")])
    assert bad.status_code == 422 and "lines" in bad.json["fields"]
    gold_without_booth = order(client, tokens, buyer, [line(catalogue["Gold"])])
    assert gold_without_booth.status_code == 422 and "included_booth_id" in gold_without_booth.json["fields"]
    wrong_method = order(client, tokens, buyer, [line(catalogue["Silver"])], payment_method="cash")
    assert wrong_method.status_code == 422 and "payment_method" in wrong_method.json["fields"]
    assert scalar(wiring, "SELECT count(*) FROM orders") == 0
    assert scalar(wiring, "SELECT sum(held) FROM catalogue_items") == 0


def test_a_repeated_request_with_one_idempotency_key_places_one_order(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring)
    first = order(client, tokens, buyer, [line(catalogue["A-1"])], key="checkout-42")
    again = order(client, tokens, buyer, [line(catalogue["A-1"])], key="checkout-42")
    assert (first.status_code, again.status_code) == (201, 200) and first.json["id"] == again.json["id"]
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["A-1"]) == 1


def test_a_sold_out_item_is_refused_by_name(client, wiring, tokens, catalogue):
    first, second = approve_buyer(wiring), approve_buyer(wiring, name="Varuna Marine")
    assert order(client, tokens, first, [line(catalogue["A-2"])]).status_code == 201
    refused = order(client, tokens, second, [line(catalogue["A-3"]), line(catalogue["A-2"])])
    assert refused.status_code == 409 and "A-2" in refused.json["message"]
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["A-3"]) == 0, \
        "nothing of the refused order stays held"


def test_an_expired_hold_never_blocks_the_next_buyer_and_is_announced(client, wiring, tokens, catalogue):
    first, second = approve_buyer(wiring), approve_buyer(wiring, name="Varuna Marine")
    held = order(client, tokens, first, [line(catalogue["A-4"])]).json
    expire_hold_now(wiring, held["id"])
    assert available(client, tokens, second, "A-4") == 1, "the page shows it free before any sweep"

    taken = order(client, tokens, second, [line(catalogue["A-4"])])

    assert taken.status_code == 201
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=held["id"]) == "expired"
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["A-4"]) == 1
    assert [e["key"] for e in outbox_events(wiring, "billing.hold_expired.v1")] == [held["id"]]


def test_the_sweep_releases_expired_holds_and_reminds_holds_about_to_expire(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring)
    soon = order(client, tokens, buyer, [line(catalogue["Silver"])]).json
    late = order(client, tokens, buyer, [line(catalogue["Lanyards"], 10)]).json
    expire_hold_now(wiring, late["id"])
    with wiring.engine.begin() as db:
        db.exec_driver_sql("UPDATE orders SET hold_expires_at = now() + interval '2 minutes' WHERE id = %s",
                           (soon["id"],))

    assert ordering.remind_expiring_holds(wiring) == 1
    assert ordering.expire_due_holds(wiring) == 1
    assert ordering.remind_expiring_holds(wiring) == 0, "one reminder per hold"

    assert [e["key"] for e in outbox_events(wiring, "billing.hold_expiring.v1")] == [soon["id"]]
    assert scalar(wiring, "SELECT held FROM catalogue_items WHERE id = :id", id=catalogue["Lanyards"]) == 0


def test_the_buyer_cancels_an_unpaid_order_and_its_items_go_back_on_sale(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring)
    held = order(client, tokens, buyer, [line(catalogue["Gold"])], included_booth_id=catalogue["A-1"]).json
    assert [l["unit_price_paise"] for l in held["lines"]] == [5_00_000_00, 0], "the included booth costs nothing"
    headers = {"Authorization": f"Bearer {tokens.participant(buyer)}"}

    cancelled = client.post(f"/api/v1/me/orders/{held['id']}/cancel", headers=headers)

    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert available(client, tokens, buyer, "A-1") == 1 and available(client, tokens, buyer, "Gold") == 2
    assert client.post(f"/api/v1/me/orders/{held['id']}/cancel", headers=headers).status_code == 409
    someone_else = approve_buyer(wiring, name="Other Ltd")
    assert client.get(f"/api/v1/me/orders/{held['id']}",
                      headers={"Authorization": f"Bearer {tokens.participant(someone_else)}"}).status_code == 404


def test_a_bank_transfer_order_gets_a_proforma_and_is_paid_when_finance_records_the_transfer(
        client, wiring, tokens, catalogue, finance):
    buyer = approve_buyer(wiring, state="KA", gstin=None, organisation_type="dpsu_public_sector")
    held = order(client, tokens, buyer, [line(catalogue["Gold"]), line(catalogue["Lanyards"], 100)],
                 included_booth_id=catalogue["A-3"], payment_method="bank_transfer").json
    assert held["status"] == "awaiting_transfer" and held["intra_state"], "unregistered: supplied in Delhi"
    [proforma] = held["invoices"]
    assert proforma["kind"] == "proforma" and proforma["number"].startswith("DPDP/")

    short = client.post(f"/api/v1/orders/{held['id']}/bank-transfers", headers=finance,
                        json={"reference": "UTR0001", "amount_paise": held["payable_paise"] - 1})
    assert short.status_code == 422 and "amount_paise" in short.json["fields"]
    paid = client.post(f"/api/v1/orders/{held['id']}/bank-transfers", headers=finance,
                       json={"reference": "SBIN0001234567", "amount_paise": held["payable_paise"]})

    assert paid.status_code == 201 and paid.json["status"] == "paid"
    assert [i["kind"] for i in paid.json["invoices"]] == ["proforma", "tax_invoice"]
    assert scalar(wiring, "SELECT sold FROM catalogue_items WHERE id = :id", id=catalogue["A-3"]) == 1
    [confirmed] = outbox_events(wiring, "billing.sponsorship_confirmed.v1")
    assert confirmed["key"] == buyer and confirmed["data"]["matchmaking_priority"] == 10
    assert confirmed["data"]["tier_name"] == "Gold" and confirmed["data"]["order_id"] == held["id"]
    [booth] = outbox_events(wiring, "billing.booth_allocated.v1")
    assert booth["data"]["booth_number"] == "A-3" and booth["data"]["area_m2"] == "9.00"
    [issued] = outbox_events(wiring, "billing.invoice_issued.v1")
    assert issued["data"]["document_number"].startswith("DPD/") and "/documents/invoices/" in issued["data"]["download_url"]
    again = client.post(f"/api/v1/orders/{held['id']}/bank-transfers", headers=finance,
                        json={"reference": "SBIN0009999999", "amount_paise": held["payable_paise"]})
    assert again.status_code == 409


@pytest.mark.parametrize("method", ["gateway", "bank_transfer"])
def test_an_order_of_nothing_to_pay_is_refused(client, wiring, tokens, finance, catalogue, method):
    free = client.post("/api/v1/editions/5a0f4c2e-8d1b-4e7a-9c3d-2b6f1e0a9d47/items", headers=finance,
                       json={"kind": "branding", "name": "Free pen", "unit_price_paise": 0, "quantity": 10}).json["id"]
    refused = order(client, tokens, approve_buyer(wiring), [line(free)], payment_method=method)
    assert refused.status_code == 422 and "lines" in refused.json["fields"]
