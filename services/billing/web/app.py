"""Billing's HTTP entrypoint: the app factory. Its own routes arrive with the billing issue; until
then its back-office page shows the figures of its event backbone."""
from __future__ import annotations

from flask import Flask

from services.billing.adapters.tables import audit_log, outbox, processed_events, revoked_subjects
from services.billing.bootstrap import Billing, bootstrap
from shared.backbone_dashboard import backbone_dashboard_blueprint
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app


def create_app(wiring: Billing | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.billing")
    wiring = wiring or bootstrap()
    dashboard = backbone_dashboard_blueprint("billing", "Billing", wiring.engine, outbox, processed_events)
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[dashboard])
    app.extensions["billing"] = wiring
    return app
