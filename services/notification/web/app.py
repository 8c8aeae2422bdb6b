"""Notification's HTTP entrypoint: the app factory."""
from __future__ import annotations

from flask import Flask

from services.notification.adapters.tables import audit_log, revoked_subjects
from services.notification.bootstrap import Notification, bootstrap
from services.notification.web.pages import pages
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app


def create_app(wiring: Notification | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.notification")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[pages])
    app.extensions["notification"] = wiring
    return app
