"""Matchmaking's HTTP entrypoint: the app factory."""
from __future__ import annotations

from flask import Flask

from services.matchmaking.adapters.tables import audit_log, revoked_subjects
from services.matchmaking.bootstrap import Matchmaking, bootstrap
from services.matchmaking.web.api import api
from services.matchmaking.web.pages import pages
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app


def create_app(wiring: Matchmaking | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.matchmaking")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[api, pages])
    app.extensions["matchmaking"] = wiring
    return app
