"""Finance refunds through the gateway: the refund-processed callback issues a credit note in its own
series and, for a cancellation, puts the items back on sale; failures are flagged."""
from __future__ import annotations

import requests

from tests.billing.integration.conftest import as_buyer
from tests.billing.support import approve_buyer, outbox_events, scalar


def paid_order(server, wiring, gateway, tokens, lines, **extra) -> dict:
    session = as_buyer(tokens, approve_buyer(wiring))
    order = session.post(f"{server}/api/v1/me/orders", json={"lines": lines, **extra}, timeout=10).json()
    form = session.post(f"{server}/api/v1/me/orders/{order['id']}/checkout", timeout=10).json()
    returned = gateway.pay(form["fields"]["order_id"])
    requests.post(form["fields"]["callback_url"], data=returned, allow_redirects=False, timeout=10)
    gateway.wait_delivered(3)
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=order["id"]) == "paid"
    return {**order, "payment_id": returned["razorpay_payment_id"]}


def refund(server, finance, order_id, **body):
    return requests.post(f"{server}/api/v1/orders/{order_id}/refunds", json=body, headers=finance, timeout=15)


def credit_notes(wiring, order_id) -> list:
    with wiring.engine.connect() as db:
        return db.exec_driver_sql("SELECT number, refunded_paise, taxable_paise, tax_paise FROM credit_notes "
                                  "WHERE order_id = %s ORDER BY issued_at", (order_id,)).all()


def test_a_full_refund_with_cancellation_credits_the_invoice_and_frees_the_booth_and_the_sponsorship(
        server, wiring, gateway, tokens, catalogue, finance):
    order = paid_order(server, wiring, gateway, tokens, [{"item_id": catalogue["Gold"]}],
                       included_booth_id=catalogue["A-3"])
    refunded = refund(server, finance, order["id"], reason="Exhibitor withdrew", cancel_order=True)

    assert refunded.status_code == 201 and refunded.json()["status"] in ("pending", "processed")
    gateway.wait_delivered(4)
    [note] = credit_notes(wiring, order["id"])
    assert note.number.startswith("DPDC/") and note.refunded_paise == order["payable_paise"]
    assert note.taxable_paise + note.tax_paise == order["payable_paise"]
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=order["id"]) == "cancelled"
    assert scalar(wiring, "SELECT sold FROM catalogue_items WHERE id = :id", id=catalogue["Gold"]) == 0
    assert scalar(wiring, "SELECT sold FROM catalogue_items WHERE id = :id", id=catalogue["A-3"]) == 0
    [released] = outbox_events(wiring, "billing.booth_released.v1")
    assert released["data"]["booth_number"] == "A-3"
    [withdrawn] = outbox_events(wiring, "billing.sponsorship_withdrawn.v1")
    assert withdrawn["data"]["reason"] == "Exhibitor withdrew" and withdrawn["key"] == order["buyer"]["registration_id"]
    assert [e["data"]["was_paid"] for e in outbox_events(wiring, "billing.order_cancelled.v1")] == [True]
    assert len(outbox_events(wiring, "billing.credit_note_issued.v1")) == 1
    assert refund(server, finance, order["id"], reason="again").status_code == 422, "nothing left to refund"


def test_partial_refunds_each_get_a_credit_note_and_never_exceed_the_payment(
        server, wiring, gateway, tokens, catalogue, finance):
    order = paid_order(server, wiring, gateway, tokens, [{"item_id": catalogue["A-1"]},
                                                         {"item_id": catalogue["Lanyards"], "quantity": 100}])
    payable = order["payable_paise"]

    first = refund(server, finance, order["id"], amount_paise=50_000_00, reason="Smaller booth given")
    second = refund(server, finance, order["id"], amount_paise=10_000_00, reason="Lanyards short")
    too_much = refund(server, finance, order["id"], amount_paise=payable, reason="Everything")

    assert (first.status_code, second.status_code) == (201, 201)
    assert too_much.status_code == 422 and "amount_paise" in too_much.json()["fields"]
    gateway.wait_delivered(5)
    notes = credit_notes(wiring, order["id"])
    assert [n.refunded_paise for n in notes] == [50_000_00, 10_000_00]
    assert notes[0].number != notes[1].number
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=order["id"]) == "paid", "no cancellation"
    assert scalar(wiring, "SELECT refunded_paise FROM orders WHERE id = :id", id=order["id"]) == 60_000_00


def test_a_refund_the_gateway_fails_is_flagged_and_can_be_made_again(
        server, wiring, gateway, tokens, catalogue, finance):
    order = paid_order(server, wiring, gateway, tokens, [{"item_id": catalogue["Silver"]}])
    gateway.fail_next_refund()

    failed = refund(server, finance, order["id"], reason="Duplicate booking", cancel_order=True)
    gateway.wait_delivered(4)

    assert failed.status_code == 201
    assert scalar(wiring, "SELECT status FROM refunds") == "failed"
    assert scalar(wiring, "SELECT kind FROM payment_flags") == "refund_failed"
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=order["id"]) == "paid"
    assert credit_notes(wiring, order["id"]) == []
    assert refund(server, finance, order["id"], reason="Duplicate booking", cancel_order=True).status_code == 201
    gateway.wait_delivered(5)
    assert scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=order["id"]) == "cancelled"


def test_a_refund_made_on_the_gateways_dashboard_is_recorded_flagged_and_credited(
        server, wiring, gateway, tokens, catalogue):
    order = paid_order(server, wiring, gateway, tokens, [{"item_id": catalogue["Silver"]}])

    made_elsewhere = requests.post(f"{gateway.url}/v1/payments/{order['payment_id']}/refund", json={"amount": 1_000_00},
                                   auth=(gateway.key_id, gateway.key_secret), timeout=10)
    assert made_elsewhere.status_code == 200
    gateway.wait_delivered(4)

    assert scalar(wiring, "SELECT kind FROM payment_flags") == "refund_outside_platform"
    assert [n.refunded_paise for n in credit_notes(wiring, order["id"])] == [1_000_00]


def test_an_order_paid_by_bank_transfer_is_refunded_by_transfer_with_its_reference(client, wiring, tokens, catalogue,
                                                                                    finance):
    buyer = approve_buyer(wiring)
    order = client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["A-2"]}],
                                                   "payment_method": "bank_transfer"},
                        headers={"Authorization": f"Bearer {tokens.participant(buyer)}"}).json
    client.post(f"/api/v1/orders/{order['id']}/bank-transfers", headers=finance,
                json={"reference": "UTR-IN-0001", "amount_paise": order["payable_paise"]})

    without_reference = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=finance,
                                    json={"reason": "Event date clash", "cancel_order": True})
    done = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=finance,
                       json={"reason": "Event date clash", "cancel_order": True, "reference": "UTR-OUT-0001"})

    assert without_reference.status_code == 422 and "reference" in without_reference.json["fields"]
    assert done.status_code == 201 and done.json["status"] == "processed"
    assert [n.refunded_paise for n in credit_notes(wiring, order["id"])] == [order["payable_paise"]]
    assert scalar(wiring, "SELECT held + sold FROM catalogue_items WHERE id = :id", id=catalogue["A-2"]) == 0
