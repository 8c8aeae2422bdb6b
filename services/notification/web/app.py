"""Notification's HTTP entrypoint: health for now; the delivery log and previews come with the back-office."""
from __future__ import annotations

from flask import Flask

from services.notification.bootstrap import Notification, bootstrap
from shared.logs import configure_logging
from shared.web import new_service_app


def create_app(wiring: Notification | None = None) -> Flask:
    configure_logging("services.notification")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka)
    app.extensions["notification"] = wiring
    return app
