"""Matchmaking's HTTP entrypoint: the app factory. Its catalogue/meeting routes arrive with the matchmaking issue;
until then its back-office page shows the figures of its event backbone."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from services.matchmaking.adapters.tables import audit_log, outbox, processed_events, revoked_subjects
from services.matchmaking.bootstrap import Matchmaking, bootstrap
from shared.access import current_principal, organiser
from shared.backbone_dashboard import backbone_figures
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app

pages = Blueprint("matchmaking_pages", __name__)


@pages.get("/admin/")
@organiser("vetting", "matchmaking", "finance", read_only=True)
def dashboard():
    engine = current_app.extensions["matchmaking"].engine
    return render_template("ui/service_dashboard.html", title="Matchmaking", viewer=current_principal(), show_nav=True,
                           backbone=backbone_figures(engine, outbox, processed_events))


def create_app(wiring: Matchmaking | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.matchmaking")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[pages])
    app.extensions["matchmaking"] = wiring
    return app
