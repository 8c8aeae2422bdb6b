"""Notification's HTTP entrypoint: the app factory and the delivery dashboard."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from services.notification.adapters import queries
from services.notification.adapters.tables import audit_log, outbox, processed_events, revoked_subjects
from services.notification.bootstrap import Notification, bootstrap
from shared.access import current_principal, organiser
from shared.backbone_dashboard import backbone_figures
from shared.config import WebSettings, load_settings
from shared.logs import configure_logging
from shared.service_app import new_service_app
from shared.web_ui.charts import bar_chart, horizontal_bar_chart

pages = Blueprint("notification_pages", __name__, template_folder="../templates")


@pages.get("/admin/")
@organiser("vetting", "matchmaking", "finance", read_only=True)
def dashboard():
    engine = current_app.extensions["notification"].engine
    days, per_status = queries.emails_per_day_by_status(engine)
    templates = queries.emails_by_template(engine)
    return render_template(
        "notification/dashboard.html", viewer=current_principal(), show_nav=True,
        counts=queries.status_counts(engine), backbone=backbone_figures(engine, outbox, processed_events),
        per_day=bar_chart("Emails per day by outcome", days, per_status, stacked=True),
        per_template=horizontal_bar_chart("Emails by kind", [t for t, _ in templates], [n for _, n in templates]))


def create_app(wiring: Notification | None = None, web: WebSettings | None = None) -> Flask:
    configure_logging("services.notification")
    wiring = wiring or bootstrap()
    app = new_service_app(__name__, engine=wiring.engine, kafka=wiring.kafka, web=web or load_settings(WebSettings),
                          revoked_subjects=revoked_subjects, audit_log=audit_log, blueprints=[pages])
    app.extensions["notification"] = wiring
    return app
