"""The payment gateway's callbacks over real HTTP, from the gateway simulator to billing's gunicorn:
repeated, reordered, forged, stale, for the wrong amount or an unknown order. Money is never lost
or counted twice, and what a person must look at is flagged to finance."""
from __future__ import annotations

import time

import requests

from shared.localinfra.gateway_simulator import sign
from tests.billing.integration.conftest import as_buyer
from tests.billing.support import approve_buyer, expire_hold_now, outbox_events, scalar
from tests.support.metrics import scrape, value


def held_order(server, session, lines) -> dict:
    response = session.post(f"{server}/api/v1/me/orders", json={"lines": lines}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def checkout(server, session, order_id) -> dict:
    response = session.post(f"{server}/api/v1/me/orders/{order_id}/checkout", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def status_of(wiring, order_id) -> str:
    return scalar(wiring, "SELECT status FROM orders WHERE id = :id", id=order_id)


def flags(wiring) -> list[str]:
    with wiring.engine.connect() as db:
        return [row[0] for row in db.exec_driver_sql("SELECT kind FROM payment_flags ORDER BY raised_at")]


def count(wiring, sql: str, **params) -> int:
    return scalar(wiring, sql, **params)


def test_a_buyer_pays_on_the_gateways_checkout_and_the_order_is_paid_once(server, wiring, gateway, tokens, catalogue):
    buyer = approve_buyer(wiring)
    session = as_buyer(tokens, buyer)
    order = held_order(server, session, [{"item_id": catalogue["Silver"]}])
    form = checkout(server, session, order["id"])
    assert form["fields"]["amount"] == str(order["payable_paise"])
    page = requests.post(form["action_url"], data=form["fields"], timeout=10)
    assert page.status_code == 200 and "Pay ₹2,36,000.00" in page.text

    returned = gateway.pay(form["fields"]["order_id"])
    back = requests.post(form["fields"]["callback_url"], data=returned, allow_redirects=False, timeout=10)

    assert back.status_code == 303 and back.headers["Location"].endswith(f"/me/orders/{order['id']}")
    assert status_of(wiring, order["id"]) == "paid", "the return itself confirms the payment"
    gateway.wait_delivered(3)
    assert session.get(f"{server}/api/v1/me/orders/{order['id']}", timeout=10).json()["status"] == "paid"
    assert count(wiring, "SELECT count(*) FROM invoices WHERE kind = 'tax_invoice'") == 1
    assert len(outbox_events(wiring, "billing.order_paid.v1")) == 1
    assert len(outbox_events(wiring, "billing.sponsorship_confirmed.v1")) == 1
    assert count(wiring, "SELECT count(*) FROM gateway_callbacks") == 3
    assert flags(wiring) == []


def test_repeated_and_reordered_callbacks_apply_once_and_a_late_failure_never_unpays(
        server, wiring, gateway, tokens, catalogue):
    buyer = approve_buyer(wiring, state="MH")
    session = as_buyer(tokens, buyer)
    order = held_order(server, session, [{"item_id": catalogue["A-2"]}, {"item_id": catalogue["Lanyards"], "quantity": 50}])
    gateway_order = checkout(server, session, order["id"])["fields"]["order_id"]
    gateway.hold_webhooks()
    gateway.pay(gateway_order, succeed=False)  # a first attempt fails
    returned = gateway.pay(gateway_order)  # the retry succeeds; the buyer closes the tab before coming back

    sent = gateway.release_webhooks(reverse=True, duplicate=3)

    assert sent == ["order.paid", "payment.captured", "payment.authorized", "payment.failed"]
    gateway.wait_delivered(len(sent) * 3)
    assert all(answer == 200 for webhook in gateway.sent for answer in webhook.answers)
    assert status_of(wiring, order["id"]) == "paid"
    captured = gateway.payments[returned["razorpay_payment_id"]]
    late_failure = gateway.event_body("payment.failed", {"payment": {**captured, "status": "failed",
                                                                     "error_description": "timed out"}})
    assert gateway.deliver_now(late_failure)[0] == 200
    assert status_of(wiring, order["id"]) == "paid"
    assert scalar(wiring, "SELECT status FROM payments WHERE gateway_payment_id = :id",
                  id=returned["razorpay_payment_id"]) == "captured"
    assert count(wiring, "SELECT count(*) FROM payments") == 2, "the failed attempt is kept too"
    assert count(wiring, "SELECT count(*) FROM invoices WHERE kind = 'tax_invoice'") == 1
    assert count(wiring, "SELECT count(*) FROM gateway_callbacks") == 5
    assert len(outbox_events(wiring, "billing.invoice_issued.v1")) == 1
    assert len(outbox_events(wiring, "billing.booth_allocated.v1")) == 1
    assert count(wiring, "SELECT sold FROM catalogue_items WHERE id = :id", id=catalogue["Lanyards"]) == 50
    metrics = scrape(f"{server}/metrics")  # what the alert on failed payments and the dashboard read
    assert value(metrics, "dpd_payments_total", outcome="captured") == 1
    assert value(metrics, "dpd_payment_amount_paise_total", outcome="captured") == order["payable_paise"]
    assert value(metrics, "dpd_payments_total", outcome="failed") == 1, "the failed first attempt, counted once"


def test_forged_tampered_and_stale_callbacks_are_refused_and_change_nothing(server, wiring, gateway, tokens, catalogue):
    session = as_buyer(tokens, approve_buyer(wiring))
    order = held_order(server, session, [{"item_id": catalogue["Silver"]}])
    gateway_order = checkout(server, session, order["id"])["fields"]["order_id"]
    payment = {"id": "pay_Forged0000001", "entity": "payment", "amount": order["payable_paise"], "currency": "INR",
               "status": "captured", "order_id": gateway_order, "created_at": int(time.time())}
    genuine = gateway.event_body("payment.captured", {"payment": payment})
    stale = gateway.event_body("payment.captured", {"payment": payment}, created_at=int(time.time()) - 8 * 86400)

    forged = gateway.deliver_now(genuine, signature="0" * 64)
    tampered = gateway.deliver_now(genuine.replace(b'"pay_Forged0000001"', b'"pay_Forged0000002"'),
                                   signature=sign(gateway.webhook_secret, genuine))
    unsigned = gateway.deliver_now(genuine, signature="")
    too_old = gateway.deliver_now(stale)

    assert [answer[0] for answer in (forged, tampered, unsigned, too_old)] == [400] * 4
    assert "signature" in forged[1]["message"] and "too old" in too_old[1]["message"]
    assert status_of(wiring, order["id"]) == "held"
    assert count(wiring, "SELECT count(*) FROM gateway_callbacks") == 0
    assert count(wiring, "SELECT count(*) FROM payments") == 0
    assert gateway.deliver_now(genuine)[0] == 200, "the same callback, genuinely signed, is taken"
    assert status_of(wiring, order["id"]) == "paid"


def test_payments_of_the_wrong_amount_or_currency_are_kept_flagged_and_do_not_pay(
        server, wiring, gateway, tokens, catalogue):
    session = as_buyer(tokens, approve_buyer(wiring))
    order = held_order(server, session, [{"item_id": catalogue["A-3"]}])
    gateway_order = checkout(server, session, order["id"])["fields"]["order_id"]

    gateway.pay(gateway_order, amount=order["payable_paise"] - 100)
    gateway.pay(gateway_order, currency="USD")
    gateway.wait_delivered(6)

    assert status_of(wiring, order["id"]) == "held"
    assert sorted(flags(wiring)) == ["amount_mismatch", "amount_mismatch", "currency_mismatch", "currency_mismatch"], \
        "payment.captured and order.paid each report the capture; finance sees both"
    assert count(wiring, "SELECT count(*) FROM payments WHERE status = 'captured'") == 2, "the money is on record"
    assert count(wiring, "SELECT count(*) FROM invoices") == 0


def test_a_callback_for_an_order_billing_never_made_is_acknowledged_and_flagged(server, wiring, gateway):
    payment = {"id": "pay_Stranger00001", "entity": "payment", "amount": 5000_00, "currency": "INR",
               "status": "captured", "order_id": "order_NotOurs000001"}
    status, body = gateway.deliver_now(gateway.event_body("payment.captured", {"payment": payment}))
    assert (status, body["outcome"]) == (200, "flagged")
    assert flags(wiring) == ["unknown_order"]
    assert gateway.deliver_now(gateway.event_body("payment.captured", {"payment": payment}),
                               event_id="evt_same")[1]["outcome"] == "flagged"
    assert gateway.deliver_now(gateway.event_body("payment.captured", {"payment": payment}),
                               event_id="evt_same")[1]["outcome"] == "duplicate"


def test_a_payment_after_the_hold_expired_pays_while_the_items_are_free_and_is_flagged_once_they_are_not(
        server, wiring, gateway, tokens, catalogue):
    late, later, quick = (as_buyer(tokens, approve_buyer(wiring, name=name)) for name in ("Late Ltd", "Later Ltd", "Quick Ltd"))
    free_order = held_order(server, late, [{"item_id": catalogue["Silver"]}])
    taken_order = held_order(server, later, [{"item_id": catalogue["A-4"]}])
    free_gateway_order = checkout(server, late, free_order["id"])["fields"]["order_id"]
    taken_gateway_order = checkout(server, later, taken_order["id"])["fields"]["order_id"]
    for order in (free_order, taken_order):
        expire_hold_now(wiring, order["id"])
    held_order(server, quick, [{"item_id": catalogue["A-4"]}])  # takes the booth, expiring the old hold

    gateway.pay(free_gateway_order)
    gateway.pay(taken_gateway_order)
    gateway.wait_delivered(6)

    assert status_of(wiring, free_order["id"]) == "paid"
    assert status_of(wiring, taken_order["id"]) == "expired"
    assert set(flags(wiring)) == {"paid_after_release"}
    assert scalar(wiring, "SELECT held + sold FROM catalogue_items WHERE id = :id", id=catalogue["A-4"]) == 1


def test_a_second_payment_for_a_paid_order_is_flagged_for_a_refund(server, wiring, gateway, tokens, catalogue):
    session = as_buyer(tokens, approve_buyer(wiring))
    order = held_order(server, session, [{"item_id": catalogue["Silver"]}])
    gateway_order = checkout(server, session, order["id"])["fields"]["order_id"]
    gateway.pay(gateway_order)
    gateway.pay(gateway_order)
    gateway.wait_delivered(6)
    assert status_of(wiring, order["id"]) == "paid"
    assert set(flags(wiring)) == {"double_payment"}
    assert count(wiring, "SELECT count(*) FROM invoices") == 1


def test_a_forged_return_from_checkout_pays_nothing_and_a_failed_one_says_so(
        server, wiring, gateway, tokens, catalogue):
    session = as_buyer(tokens, approve_buyer(wiring))
    order = held_order(server, session, [{"item_id": catalogue["Silver"]}])
    form = checkout(server, session, order["id"])
    gateway.hold_webhooks()
    returned = gateway.pay(form["fields"]["order_id"])
    failed = gateway.pay(form["fields"]["order_id"], succeed=False)

    forged = requests.post(form["fields"]["callback_url"], data={**returned, "razorpay_signature": "ab" * 32},
                           allow_redirects=False, timeout=10)
    came_back_failed = requests.post(form["fields"]["callback_url"], data=failed, allow_redirects=False, timeout=10)

    assert forged.status_code == 303
    assert status_of(wiring, order["id"]) == "held"
    assert count(wiring, "SELECT count(*) FROM payments") == 0
    assert came_back_failed.status_code == 303 and status_of(wiring, order["id"]) == "held"
