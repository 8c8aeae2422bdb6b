"""A stand-in for Razorpay on loopback, for `./dpd up` and the tests. It is the other party:
billing talks to it over HTTP exactly as it talks to Razorpay, and shares no code with it.

What it plays, following Razorpay's documented behaviour:
* Orders API: POST /v1/orders, GET /v1/orders/<id> (basic auth with the key id and secret;
  amounts in paise, INR only, at least 100 paise).
* Payments API: GET /v1/payments/<id>; POST /v1/payments/<id>/refund (partial or full; the
  X-Refund-Idempotency header makes a repeat return the same refund).
* Hosted checkout: POST /v1/checkout/embedded shows the order with "Pay" and "Fail"
  buttons; paying sends the browser back to callback_url with razorpay_payment_id,
  razorpay_order_id and razorpay_signature (HMAC-SHA256 of "order_id|payment_id" with the key
  secret), failing with error[...] fields.
* Webhooks to WEBHOOK_URL: payment.authorized, payment.captured, order.paid, payment.failed,
  refund.processed, refund.failed; the raw body signed in X-Razorpay-Signature (HMAC-SHA256
  with the webhook secret), X-Razorpay-Event-Id naming the event; a non-2xx answer is retried
  with backoff.

And what a test needs to provoke: webhooks held back and released later, reversed and
repeated (`hold_webhooks`, `release_webhooks`, or POST /_simulator/webhooks/hold and
/_simulator/webhooks/release), or handed over, signed, for a load test to fire
(`take_held_webhooks`); a payment of another amount or currency (`pay`); the next refund
failing (`fail_next_refund`); any webhook crafted by hand, signed or not (`deliver_now`).

`python -m shared.localinfra.gateway_simulator` runs it from the environment:
RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET, GATEWAY_SIMULATOR_BIND
(host:port) and GATEWAY_SIMULATOR_WEBHOOK_URL.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import queue
import secrets
import signal
import string
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from flask import Flask, abort, jsonify, render_template_string, request
from werkzeug.serving import make_server

log = logging.getLogger(__name__)

ACCOUNT_ID = "acc_DpdLocalSimulat"
_ID_ALPHABET = string.ascii_letters + string.digits


def _new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ID_ALPHABET) for _ in range(14))}"


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class Webhook:
    event_id: str
    event: str
    body: bytes
    signature: str
    attempts: int = 0
    answers: list[int] = field(default_factory=list)  # HTTP status of each delivery attempt (0: no answer)


class GatewaySimulator:
    def __init__(self, *, key_id: str, key_secret: str, webhook_secret: str, webhook_url: str,
                 host: str = "127.0.0.1", port: int = 0, max_attempts: int = 8):
        self.key_id, self.key_secret, self.webhook_secret = key_id, key_secret, webhook_secret
        self.webhook_url = webhook_url
        self._host, self._port = host, port
        self._max_attempts = max_attempts
        self._lock = threading.RLock()
        self.orders: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self._refund_keys: dict[str, str] = {}
        self._fail_next_refund = False
        self._holding = False
        self._held: list[Webhook] = []
        self.sent: list[Webhook] = []  # every webhook handed to delivery, in order
        self._outbox: queue.Queue[Webhook | None] = queue.Queue()
        self._server = None
        self._threads: list[threading.Thread] = []
        self.app = self._make_app()

    # ---------------------------------------------------------------- life

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._server.server_port}"

    def start(self) -> GatewaySimulator:
        self._server = make_server(self._host, self._port, self.app, threaded=True)
        self._threads = [threading.Thread(target=self._server.serve_forever, name="gateway-http", daemon=True),
                         threading.Thread(target=self._deliver_forever, name="gateway-webhooks", daemon=True)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    def __enter__(self) -> GatewaySimulator:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # ---------------------------------------------------------------- what a test can do

    def create_order(self, amount: int, currency: str = "INR", receipt: str | None = None) -> dict:
        with self._lock:
            order = {"id": _new_id("order"), "entity": "order", "amount": amount, "amount_paid": 0,
                     "amount_due": amount, "currency": currency, "receipt": receipt, "offer_id": None,
                     "status": "created", "attempts": 0, "notes": {}, "created_at": int(time.time())}
            self.orders[order["id"]] = order
            return dict(order)

    def pay(self, order_id: str, *, succeed: bool = True, amount: int | None = None,
            currency: str | None = None) -> dict[str, str]:
        """The buyer pays (or fails to) on the checkout page; returns the fields the browser posts
        back to the merchant. `amount`/`currency` other than the order's make a misbehaving payment."""
        with self._lock:
            order = self.orders[order_id]
            order["attempts"] += 1
            payment = {"id": _new_id("pay"), "entity": "payment", "amount": amount or order["amount"],
                       "currency": currency or order["currency"], "status": "created", "order_id": order_id,
                       "invoice_id": None, "international": False, "method": "netbanking", "amount_refunded": 0,
                       "refund_status": None, "captured": False, "description": order.get("receipt"),
                       "bank": "SBIN", "wallet": None, "vpa": None, "email": "buyer@example.in",
                       "contact": "+919800000000", "notes": [], "fee": None, "tax": None, "error_code": None,
                       "error_description": None, "created_at": int(time.time())}
            self.payments[payment["id"]] = payment
            if not succeed:
                payment |= {"status": "failed", "error_code": "BAD_REQUEST_ERROR",
                            "error_description": "Payment failed (simulated by the gateway simulator)"}
                self._emit("payment.failed", {"payment": payment})
                return {"error[code]": "BAD_REQUEST_ERROR", "error[description]": payment["error_description"],
                        "error[source]": "customer", "error[step]": "payment_authentication",
                        "error[reason]": "payment_failed",
                        "error[metadata]": json.dumps({"payment_id": payment["id"], "order_id": order_id})}
            payment["status"] = "authorized"
            self._emit("payment.authorized", {"payment": payment})
            payment |= {"status": "captured", "captured": True}
            order |= {"status": "paid", "amount_paid": payment["amount"], "amount_due": 0}
            self._emit("payment.captured", {"payment": payment})
            self._emit("order.paid", {"payment": payment, "order": order})
            return {"razorpay_payment_id": payment["id"], "razorpay_order_id": order_id,
                    "razorpay_signature": sign(self.key_secret, f"{order_id}|{payment['id']}".encode())}

    def fail_next_refund(self) -> None:
        with self._lock:
            self._fail_next_refund = True

    def hold_webhooks(self) -> None:
        """Keep webhooks back (as a gateway having an outage) until `release_webhooks`."""
        with self._lock:
            self._holding = True

    def take_held_webhooks(self) -> list[Webhook]:
        """What was held, handed over unsent (to a load test that delivers them itself); holding stops."""
        with self._lock:
            held, self._held, self._holding = self._held, [], False
        return held

    def release_webhooks(self, *, reverse: bool = False, duplicate: int = 1) -> list[str]:
        """Send what was held: in order or reversed, each `duplicate` times in a row. Returns the event names sent."""
        held = self.take_held_webhooks()
        batch = list(reversed(held)) if reverse else held
        for webhook in batch:
            for _ in range(duplicate):
                self._queue(Webhook(webhook.event_id, webhook.event, webhook.body, webhook.signature))
        return [webhook.event for webhook in batch]

    def deliver_now(self, body: bytes, *, event_id: str | None = None, signature: str | None = None,
                    timeout: float = 10) -> tuple[int, dict]:
        """POST one webhook body right now and return billing's answer (signed properly unless
        `signature` says otherwise): for crafted, forged and stale callbacks."""
        request_ = urllib.request.Request(self.webhook_url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Razorpay-Event-Id": event_id or _new_id("evt"),
            "X-Razorpay-Signature": signature if signature is not None else sign(self.webhook_secret, body)})
        try:
            with urllib.request.urlopen(request_, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def event_body(self, event: str, entities: dict[str, dict], *, created_at: int | None = None) -> bytes:
        return json.dumps({"entity": "event", "account_id": ACCOUNT_ID, "event": event,
                           "contains": list(entities),
                           "payload": {name: {"entity": entity} for name, entity in entities.items()},
                           "created_at": created_at or int(time.time())}).encode()

    def wait_delivered(self, count: int, timeout: float = 30) -> list[Webhook]:
        """Until `count` webhooks were answered 2xx by the merchant."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                done = [w for w in self.sent if any(200 <= answer < 300 for answer in w.answers)]
            if len(done) >= count:
                return done
            time.sleep(0.05)
        raise TimeoutError(f"{len(done)} of {count} webhooks delivered")

    # ---------------------------------------------------------------- webhooks

    def _emit(self, event: str, entities: dict[str, dict]) -> None:
        body = self.event_body(event, {name: dict(entity) for name, entity in entities.items()})
        webhook = Webhook(_new_id("evt"), event, body, sign(self.webhook_secret, body))
        with self._lock:
            if self._holding:
                self._held.append(webhook)
                return
        self._queue(webhook)

    def _queue(self, webhook: Webhook) -> None:
        with self._lock:
            self.sent.append(webhook)
        self._outbox.put(webhook)

    def _deliver_forever(self) -> None:
        while (webhook := self._outbox.get()) is not None:
            backoff = 0.2
            while webhook.attempts < self._max_attempts:
                webhook.attempts += 1
                status = self._post(webhook)
                webhook.answers.append(status)
                if 200 <= status < 300:
                    break
                time.sleep(backoff)
                backoff = min(backoff * 2, 5)

    def _post(self, webhook: Webhook) -> int:
        request_ = urllib.request.Request(self.webhook_url, data=webhook.body, method="POST", headers={
            "Content-Type": "application/json", "X-Razorpay-Event-Id": webhook.event_id,
            "X-Razorpay-Signature": webhook.signature})
        try:
            with urllib.request.urlopen(request_, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError) as error:
            log.warning("webhook %s not delivered: %s", webhook.event, error)
            return 0

    # ---------------------------------------------------------------- HTTP

    def _make_app(self) -> Flask:
        app = Flask(__name__)
        simulator = self

        def error(status: int, description: str, field_name: str | None = None):
            return jsonify(error={"code": "BAD_REQUEST_ERROR", "description": description, "source": "business",
                                  "step": "payment_initiation", "reason": "input_validation_failed",
                                  "metadata": {}, "field": field_name}), status

        @app.before_request
        def authenticate():
            if not request.path.startswith("/v1/") or request.path.startswith("/v1/checkout/"):
                return None
            expected = "Basic " + base64.b64encode(f"{simulator.key_id}:{simulator.key_secret}".encode()).decode()
            if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
                return error(401, "The api key provided is invalid")
            return None

        @app.post("/v1/orders")
        def create_order():
            body = request.get_json(silent=True) or {}
            amount, currency = body.get("amount"), body.get("currency")
            if not isinstance(amount, int) or amount < 100:
                return error(400, "The amount must be at least INR 1.00", "amount")
            if currency != "INR":
                return error(400, "Currency is not supported", "currency")
            if body.get("receipt") and len(str(body["receipt"])) > 40:
                return error(400, "receipt: the length must be no more than 40.", "receipt")
            order = simulator.create_order(amount, currency, body.get("receipt"))
            with simulator._lock:
                simulator.orders[order["id"]]["notes"] = body.get("notes") or {}
                return jsonify(simulator.orders[order["id"]])

        @app.get("/v1/orders/<order_id>")
        def fetch_order(order_id):
            with simulator._lock:
                if order_id not in simulator.orders:
                    return error(400, "The id provided does not exist", "id")
                return jsonify(simulator.orders[order_id])

        @app.get("/v1/payments/<payment_id>")
        def fetch_payment(payment_id):
            with simulator._lock:
                if payment_id not in simulator.payments:
                    return error(400, "The id provided does not exist", "id")
                return jsonify(simulator.payments[payment_id])

        @app.post("/v1/payments/<payment_id>/refund")
        def refund(payment_id):
            body = request.get_json(silent=True) or {}
            key = request.headers.get("X-Refund-Idempotency")
            with simulator._lock:
                if key and key in simulator._refund_keys:
                    return jsonify(simulator.refunds[simulator._refund_keys[key]])
                payment = simulator.payments.get(payment_id)
                if payment is None or payment["status"] not in ("captured", "refunded"):
                    return error(400, "The payment has not been captured", "id")
                amount = body.get("amount", payment["amount"] - payment["amount_refunded"])
                if not isinstance(amount, int) or amount < 100 or amount > payment["amount"] - payment["amount_refunded"]:
                    return error(400, "The refund amount provided is greater than amount captured", "amount")
                refund_entity = {"id": _new_id("rfnd"), "entity": "refund", "amount": amount,
                                 "currency": payment["currency"], "payment_id": payment_id,
                                 "notes": body.get("notes") or {}, "receipt": body.get("receipt"),
                                 "acquirer_data": {"arn": None}, "created_at": int(time.time()), "batch_id": None,
                                 "status": "pending", "speed_processed": "normal", "speed_requested": "normal"}
                simulator.refunds[refund_entity["id"]] = refund_entity
                if key:
                    simulator._refund_keys[key] = refund_entity["id"]
                answer = dict(refund_entity)
                if simulator._fail_next_refund:
                    simulator._fail_next_refund = False
                    refund_entity |= {"status": "failed", "error_description": "The bank declined the refund"}
                    simulator._emit("refund.failed", {"refund": refund_entity, "payment": payment})
                else:
                    payment["amount_refunded"] += amount
                    payment["refund_status"] = "full" if payment["amount_refunded"] == payment["amount"] else "partial"
                    if payment["refund_status"] == "full":
                        payment["status"] = "refunded"
                    refund_entity["status"] = "processed"
                    simulator._emit("refund.processed", {"refund": refund_entity, "payment": payment})
            return jsonify(answer)

        @app.post("/v1/checkout/embedded")
        def checkout():
            form = request.form
            with simulator._lock:
                order = simulator.orders.get(form.get("order_id", ""))
            if form.get("key_id") != simulator.key_id or order is None:
                abort(400, "Unknown key or order.")
            return render_template_string(_CHECKOUT_PAGE, order=order, form=form, rupees=_rupees(order["amount"]))

        @app.post("/v1/checkout/<order_id>/<outcome>")
        def complete(order_id, outcome):
            if order_id not in simulator.orders or outcome not in ("pay", "fail"):
                abort(404)
            returned = simulator.pay(order_id, succeed=outcome == "pay")
            return render_template_string(_RETURN_PAGE, fields=returned, callback_url=request.form["callback_url"],
                                          paid=outcome == "pay")

        @app.post("/_simulator/webhooks/hold")
        def hold():
            simulator.hold_webhooks()
            return jsonify(holding=True)

        @app.post("/_simulator/webhooks/release")
        def release():
            body = request.get_json(silent=True) or {}
            return jsonify(sent=simulator.release_webhooks(reverse=bool(body.get("reverse")),
                                                           duplicate=int(body.get("duplicate", 1))))

        @app.post("/_simulator/refunds/fail-next")
        def refunds_fail_next():
            simulator.fail_next_refund()
            return jsonify(failing=True)

        @app.get("/_simulator/webhooks")
        def delivered():
            with simulator._lock:
                return jsonify(webhooks=[{"event_id": w.event_id, "event": w.event, "answers": w.answers}
                                         for w in simulator.sent])

        return app


def _rupees(paise: int) -> str:
    """As an Indian checkout shows it: ₹2,36,000.00 (lakhs and crores grouped in pairs)."""
    digits = str(paise // 100)
    head, tail = digits[:-3], digits[-3:]
    while head:
        tail, head = f"{head[-2:]},{tail}", head[:-2]
    return f"₹{tail}.{paise % 100:02d}"


_CHECKOUT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gateway simulator: pay</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}</style></head>
<body><p><em>Local payment gateway simulator: no real money moves.</em></p>
<h1>{{ form.get("name", "Merchant") }}</h1><p>{{ form.get("description", "") }}</p>
<p>Amount: <strong>{{ rupees }}</strong> ({{ order.currency }}) · order {{ order.id }}</p>
{% for outcome, label in (("pay", "Pay " ~ rupees), ("fail", "Make the payment fail")) %}
<form method="post" action="/v1/checkout/{{ order.id }}/{{ outcome }}">
<input type="hidden" name="callback_url" value="{{ form.get('callback_url', '') }}"><button type="submit">{{ label }}</button></form>
{% endfor %}
{% if form.get("cancel_url") %}<p><a href="{{ form.get('cancel_url') }}">Cancel and go back</a></p>{% endif %}
</body></html>"""

_RETURN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gateway simulator: done</title></head>
<body onload="document.forms[0].submit()"><p>{{ "Payment successful." if paid else "Payment failed." }} Returning to the merchant...</p>
<form method="post" action="{{ callback_url }}">{% for name, value in fields.items() %}
<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}<button type="submit">Continue</button></form></body></html>"""


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host, _, port = os.environ.get("GATEWAY_SIMULATOR_BIND", "127.0.0.1:8005").rpartition(":")
    simulator = GatewaySimulator(key_id=os.environ["RAZORPAY_KEY_ID"], key_secret=os.environ["RAZORPAY_KEY_SECRET"],
                                 webhook_secret=os.environ["RAZORPAY_WEBHOOK_SECRET"],
                                 webhook_url=os.environ["GATEWAY_SIMULATOR_WEBHOOK_URL"], host=host, port=int(port))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with simulator:
        print(f"Payment gateway simulator at {simulator.url}, webhooks to {simulator.webhook_url}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
