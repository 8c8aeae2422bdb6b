"""The payment gateway extension point: a small base class and a registry.

A gateway collects money for one of our orders and tells us what happened. Billing speaks
to it only through `PaymentGateway`; another gateway is one more subclass, added to the registry
`GATEWAYS` in bootstrap.py (PAYMENT_GATEWAY chooses). Each hook says what it may and may not do:
no hook touches billing's database, and every verification is the adapter's job, so the
service layer only ever sees callbacks the gateway really sent.
"""
from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


class GatewayUnavailable(Exception):
    """The gateway did not answer, or answered with an error: nothing is known to have happened."""


class GatewayRefused(GatewayUnavailable):
    """The gateway answered, and said no (its reason is the message): asking again will not help."""


class RefusedCallback(Exception):
    """A callback that is forged, stale or malformed: never applied."""


class CallbackKind(enum.StrEnum):
    PAYMENT_AUTHORIZED = "payment.authorized"
    PAYMENT_CAPTURED = "payment.captured"
    PAYMENT_FAILED = "payment.failed"
    ORDER_PAID = "order.paid"
    REFUND_PROCESSED = "refund.processed"
    REFUND_FAILED = "refund.failed"
    OTHER = "other"  # an event we subscribe to no logic for: acknowledged, logged


@dataclass(frozen=True)
class GatewayOrder:
    gateway_order_id: str
    amount_paise: int
    currency: str


@dataclass(frozen=True)
class CheckoutForm:
    """What the buyer's browser posts to the gateway's hosted checkout."""

    action_url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class CheckoutReturn:
    """The gateway sent the buyer back: with a verified payment, or with the reason it failed."""

    gateway_order_id: str | None
    payment_id: str | None
    error: str | None = None


@dataclass(frozen=True)
class PaymentReport:
    payment_id: str
    gateway_order_id: str | None
    status: str  # "authorized", "captured", "failed" (anything else: not yet settled)
    amount_paise: int
    currency: str
    error: str | None = None


@dataclass(frozen=True)
class RefundReport:
    refund_id: str
    payment_id: str
    amount_paise: int
    status: str  # "pending", "processed", "failed"
    our_refund_id: str | None  # the id we passed when asking for it
    failure: str | None = None


@dataclass(frozen=True)
class Callback:
    """A verified webhook, in billing's terms."""

    event_id: str
    event_type: str  # the gateway's own name for it
    kind: CallbackKind
    created_at: datetime
    payment: PaymentReport | None
    refund: RefundReport | None
    body: dict


class PaymentGateway(ABC):
    """One payment gateway. Implementations talk HTTP to it and nothing else."""

    name: str

    @abstractmethod
    def create_order(self, *, amount_paise: int, currency: str, receipt: str, notes: Mapping[str, str]) -> GatewayOrder:
        """Ask the gateway to collect `amount_paise` for our order `receipt`. Raises GatewayUnavailable."""

    @abstractmethod
    def checkout_form(self, order: GatewayOrder, *, description: str, buyer_name: str, buyer_email: str | None,
                      return_url: str, cancel_url: str) -> CheckoutForm:
        """The form that takes the buyer to the gateway's checkout (no I/O)."""

    @abstractmethod
    def read_checkout_return(self, form: Mapping[str, str]) -> CheckoutReturn:
        """The buyer's return from checkout, its signature verified. Raises RefusedCallback (no I/O)."""

    @abstractmethod
    def read_callback(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Callback:
        """A webhook, its signature and age verified. Raises RefusedCallback (no I/O)."""

    @abstractmethod
    def fetch_payment(self, payment_id: str) -> PaymentReport:
        """The payment as the gateway knows it now. Raises GatewayUnavailable."""

    @abstractmethod
    def refund(self, *, payment_id: str, amount_paise: int, our_refund_id: str) -> RefundReport:
        """Refund part or all of a captured payment; asking twice with one `our_refund_id` refunds once.
        Raises GatewayUnavailable."""
