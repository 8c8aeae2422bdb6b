"""Billing's HTTP entrypoint: the app factory."""
from __future__ import annotations

from flask import Flask, make_response

from services.billing.adapters.documents import rate_label
from services.billing.adapters.gateways import GatewayRefused, GatewayUnavailable
from services.billing.adapters.tables import audit_log, revoked_subjects
from services.billing.bootstrap import Billing, bootstrap
from services.billing.domain.catalogue import metres
from services.billing.domain.money import format_inr, rupees_text
from services.billing.web.api import api
from services.billing.web.pages import pages
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app
from shared.web import error_response


def create_app(wiring: Billing | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.billing")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[api, pages])
    app.extensions["billing"] = wiring
    app.add_template_filter(format_inr, "inr")
    app.add_template_filter(rate_label, "rate")
    app.add_template_filter(rupees_text, "rupees")
    app.add_template_filter(metres, "metres")

    @app.errorhandler(GatewayRefused)
    def gateway_refused(error: GatewayRefused):
        return error_response(409, "gateway_refused", str(error))

    @app.errorhandler(GatewayUnavailable)
    def gateway_down(error: GatewayUnavailable):
        response = make_response(error_response(503, "gateway_unavailable",
                                                "The payment gateway is not answering right now; try again in a minute."))
        response.headers["Retry-After"] = "30"
        return response

    return app
