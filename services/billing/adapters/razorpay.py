"""Razorpay, spoken over HTTP at RAZORPAY_API_URL (the real API, or the local gateway simulator).

What this adapter relies on, from Razorpay's documentation:
* Orders API: POST /v1/orders {amount (paise), currency, receipt, notes}, basic auth with
  the key id and key secret; a payment can be attempted several times on one order.
* Hosted checkout: the buyer's browser posts key_id, order_id, callback_url... to
  /v1/checkout/embedded; the gateway posts razorpay_payment_id, razorpay_order_id and
  razorpay_signature back to callback_url, or error[...] fields when the payment failed.
* Checkout signature: hex HMAC-SHA256 of "order_id|payment_id" keyed with the key secret.
* Webhooks: X-Razorpay-Signature is the hex HMAC-SHA256 of the raw body keyed with the
  webhook secret; X-Razorpay-Event-Id names the event (the same on every retry); the body
  is {"event", "payload": {"payment"|"order"|"refund": {"entity": {...}}}, "created_at"}.
  Delivery is at least once, in no guaranteed order, retried for 24 hours.
* Refunds: POST /v1/payments/:id/refund {amount, receipt, notes}; the X-Refund-Idempotency
  header makes a repeated request refund once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from services.billing.adapters.gateways import (
    Callback, CallbackKind, CheckoutForm, CheckoutReturn, GatewayOrder, GatewayRefused, GatewayUnavailable,
    PaymentGateway,
    PaymentReport, RefundReport, RefusedCallback)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"
_CLOCK_SKEW = timedelta(minutes=5)


def webhook_signature(body: bytes, webhook_secret: str) -> str:
    return hmac.new(webhook_secret.encode(), body, hashlib.sha256).hexdigest()


def checkout_signature(gateway_order_id: str, payment_id: str, key_secret: str) -> str:
    return hmac.new(key_secret.encode(), f"{gateway_order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


def signatures_match(expected: str, offered: str | None) -> bool:
    """Constant-time, so the time a refusal takes tells a forger nothing."""
    return hmac.compare_digest(expected.encode(), (offered or "").encode())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


class RazorpayGateway(PaymentGateway):
    name = "razorpay"

    def __init__(self, *, api_url: str, key_id: str, key_secret: str, webhook_secret: str,
                 previous_webhook_secrets: tuple[str, ...] = (), timeout_seconds: float = 10.0,
                 webhook_max_age: timedelta = timedelta(days=7)):
        """`previous_webhook_secrets` still verify callbacks while the gateway moves to the new secret."""
        self._api_url = api_url.rstrip("/")
        self._key_id = key_id
        self._key_secret = key_secret
        self._webhook_secrets = (webhook_secret, *previous_webhook_secrets)
        self._timeout = timeout_seconds
        self._max_age = webhook_max_age
        self._authorization = "Basic " + base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()

    @classmethod
    def from_settings(cls, settings) -> RazorpayGateway:
        return cls(api_url=settings.razorpay_api_url, key_id=settings.razorpay_key_id,
                   key_secret=settings.razorpay_key_secret, webhook_secret=settings.razorpay_webhook_secret,
                   previous_webhook_secrets=settings.previous_razorpay_webhook_secrets,
                   timeout_seconds=settings.gateway_timeout_seconds,
                   webhook_max_age=timedelta(hours=settings.webhook_max_age_hours))

    # ---------------------------------------------------------------- API calls

    def _call(self, method: str, path: str, body: dict | None = None, headers: Mapping[str, str] = ()) -> dict:
        request = urllib.request.Request(
            f"{self._api_url}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": self._authorization, "Content-Type": "application/json", **dict(headers)})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = _error_description(error)
            if 400 <= error.code < 500:
                raise GatewayRefused(f"Razorpay refused {method} {path}: {detail}") from None
            raise GatewayUnavailable(f"Razorpay answered {error.code} to {method} {path}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise GatewayUnavailable(f"Razorpay did not answer {method} {path}: {error}") from None

    def create_order(self, *, amount_paise, currency, receipt, notes) -> GatewayOrder:
        created = self._call("POST", "/v1/orders", {"amount": amount_paise, "currency": currency, "receipt": receipt,
                                                    "notes": dict(notes)})
        return _read_answer(lambda: GatewayOrder(gateway_order_id=_gateway_id(created["id"], "order id"),
                                                 amount_paise=_amount(created["amount"]),
                                                 currency=created["currency"]), "POST /v1/orders")

    def fetch_payment(self, payment_id: str) -> PaymentReport:
        path = f"/v1/payments/{payment_id}"
        answer = self._call("GET", path)
        return _read_answer(lambda: _payment_report(answer), f"GET {path}")

    def refund(self, *, payment_id, amount_paise, our_refund_id) -> RefundReport:
        path = f"/v1/payments/{payment_id}/refund"
        created = self._call("POST", path, {"amount": amount_paise, "receipt": our_refund_id,
                                             "notes": {"refund_id": our_refund_id}},
                             headers={"X-Refund-Idempotency": our_refund_id})
        return _read_answer(lambda: _refund_report(created), f"POST {path}")

    # ---------------------------------------------------------------- the buyer's round trip

    def checkout_form(self, order, *, description, buyer_name, buyer_email, return_url, cancel_url) -> CheckoutForm:
        fields = {"key_id": self._key_id, "order_id": order.gateway_order_id, "amount": str(order.amount_paise),
                  "currency": order.currency, "name": "Defence Partnership Days", "description": description,
                  "prefill[name]": buyer_name, "callback_url": return_url, "cancel_url": cancel_url}
        if buyer_email:
            fields["prefill[email]"] = buyer_email
        return CheckoutForm(action_url=f"{self._api_url}/v1/checkout/embedded", fields=fields)

    def read_checkout_return(self, form) -> CheckoutReturn:
        if form.get("error[code]") or form.get("error[description]"):
            metadata = _json_object(form.get("error[metadata]", ""))
            return CheckoutReturn(gateway_order_id=metadata.get("order_id"), payment_id=metadata.get("payment_id"),
                                  error=form.get("error[description]") or form.get("error[code]"))
        order_id, payment_id = form.get("razorpay_order_id"), form.get("razorpay_payment_id")
        if not order_id or not payment_id:
            raise RefusedCallback("the return from checkout names no order and payment")
        if not signatures_match(checkout_signature(order_id, payment_id, self._key_secret),
                                form.get("razorpay_signature")):
            raise RefusedCallback("the checkout signature does not match")
        return CheckoutReturn(gateway_order_id=order_id, payment_id=payment_id)

    # ---------------------------------------------------------------- webhooks

    def read_callback(self, body: bytes, headers, *, now: datetime) -> Callback:
        offered = _header(headers, SIGNATURE_HEADER)
        if not any([signatures_match(webhook_signature(body, secret), offered) for secret in self._webhook_secrets]):
            raise RefusedCallback("the webhook signature does not match")
        parsed = _json_object(body)
        event_type = parsed.get("event")
        created = parsed.get("created_at")
        if not isinstance(event_type, str) or isinstance(created, bool) or not isinstance(created, int):
            raise RefusedCallback("the webhook has no event name or creation time")
        try:
            created_at = datetime.fromtimestamp(created, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise RefusedCallback(f"the webhook's creation time {str(created)[:40]} is not a time") from None
        if created_at < now - self._max_age:
            raise RefusedCallback(f"the webhook was created at {created_at.isoformat()}: too old to trust")
        if created_at > now + _CLOCK_SKEW:
            raise RefusedCallback(f"the webhook claims to be created at {created_at.isoformat()}, in the future")
        # The event id is not covered by the signature: a repeat under a new id is still harmless,
        # because applying a payment or refund is idempotent by the gateway's own ids.
        event_id = _header(headers, EVENT_ID_HEADER) or hashlib.sha256(body).hexdigest()
        payload = parsed.get("payload") if isinstance(parsed.get("payload"), dict) else {}
        try:
            payment = _payment_report(payload["payment"]["entity"]) if "payment" in payload else None
            refund = _refund_report(payload["refund"]["entity"]) if "refund" in payload else None
        except (KeyError, TypeError, ValueError) as error:
            raise RefusedCallback(f"the webhook's payload is not shaped as {event_type} is: {error}") from None
        kind = CallbackKind(event_type) if event_type in CallbackKind._value2member_map_ else CallbackKind.OTHER
        if kind is CallbackKind.ORDER_PAID and payment is not None:
            payment = PaymentReport(payment.payment_id, payment.gateway_order_id, "captured", payment.amount_paise,
                                    payment.currency)
        needs = {CallbackKind.REFUND_PROCESSED: refund, CallbackKind.REFUND_FAILED: refund}.get(kind, payment)
        if kind is not CallbackKind.OTHER and needs is None:
            raise RefusedCallback(f"a {event_type} webhook without its entity")
        return Callback(event_id=event_id[:100], event_type=event_type[:40], kind=kind, created_at=created_at,
                        payment=payment, refund=refund, body=parsed)


def _read_answer(read, what: str):
    """`read()` of an API answer; an answer not shaped as Razorpay's counts as the gateway failing."""
    try:
        return read()
    except (KeyError, TypeError, ValueError) as error:
        raise GatewayUnavailable(f"Razorpay's answer to {what} is not shaped as expected: {error}") from None


def _json_object(raw) -> dict:
    try:
        parsed = json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RefusedCallback("not valid JSON") from None
    if not isinstance(parsed, dict):
        raise RefusedCallback("not a JSON object")
    return parsed


def _error_description(error: urllib.error.HTTPError) -> str:
    try:
        return json.loads(error.read())["error"]["description"]
    except (ValueError, KeyError, TypeError):
        return error.reason or "no reason given"


# What a Razorpay entity may hold, checked even when signed: an id, amount or currency beyond
# what Razorpay ever sends (and what our columns hold) is refused, not stored.
_GATEWAY_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MOST_PAISE = 10**14  # ₹1 lakh crore: no payment at this event comes near it


def _gateway_id(value, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _GATEWAY_ID.fullmatch(value):
        raise ValueError(f"{what} {str(value)[:80]!r} is not an id Razorpay issues")
    return value


def _amount(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MOST_PAISE:
        raise ValueError(f"amount {str(value)[:40]!r} is not a whole number of paise Razorpay would send")
    return value


def _text(value, *, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def _payment_report(entity: dict) -> PaymentReport:
    currency = entity["currency"]
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise ValueError(f"currency {str(currency)[:20]!r} is not an ISO 4217 code")
    return PaymentReport(payment_id=_gateway_id(entity["id"], "payment id"),
                         gateway_order_id=_gateway_id(entity.get("order_id"), "order id", optional=True),
                         status=_text(entity["status"], limit=20) or "", amount_paise=_amount(entity["amount"]),
                         currency=currency, error=_text(entity.get("error_description"), limit=500))


def _refund_report(entity: dict) -> RefundReport:
    notes = entity.get("notes") if isinstance(entity.get("notes"), dict) else {}
    return RefundReport(refund_id=_gateway_id(entity["id"], "refund id"),
                        payment_id=_gateway_id(entity["payment_id"], "payment id"),
                        amount_paise=_amount(entity["amount"]), status=_text(entity["status"], limit=20) or "",
                        our_refund_id=_text(notes.get("refund_id") or entity.get("receipt"), limit=64),
                        failure=_text(entity.get("error_description"), limit=500))

