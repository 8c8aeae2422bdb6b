"""Billing's HTTP entrypoint. Catalogue, orders, payments, invoices and refunds: their routes arrive with the billing issue."""
from __future__ import annotations

from flask import Flask

from services.billing.bootstrap import Billing, bootstrap
from shared.logs import configure_logging
from shared.web import new_service_app


def create_app(wiring: Billing | None = None) -> Flask:
    configure_logging("services.billing")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka)
    app.extensions["billing"] = wiring
    return app
