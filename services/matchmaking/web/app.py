"""Matchmaking's HTTP entrypoint. Meetings, recommendations and the schedule: their routes arrive with the matchmaking issue."""
from __future__ import annotations

from flask import Flask

from services.matchmaking.bootstrap import Matchmaking, bootstrap
from shared.logs import configure_logging
from shared.web import new_service_app


def create_app(wiring: Matchmaking | None = None) -> Flask:
    configure_logging("services.matchmaking")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka)
    app.extensions["matchmaking"] = wiring
    return app
