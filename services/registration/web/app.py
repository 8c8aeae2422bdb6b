"""Registration's HTTP entrypoint: the app factory."""
from __future__ import annotations

from flask import Flask

from services.registration.adapters.personal_data import masked
from services.registration.adapters.tables import audit_log, revoked_subjects
from services.registration.bootstrap import Registration, bootstrap
from services.registration.web.api import api
from services.registration.web.pages import pages
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app


def create_app(wiring: Registration | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.registration")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[api, pages])
    app.extensions["registration"] = wiring
    app.add_template_filter(masked, "masked")
    return app
