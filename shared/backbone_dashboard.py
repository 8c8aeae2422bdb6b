"""The event-backbone figures every service's dashboard shows: what waits to be published,
how old the oldest is, what was published and consumed in the last day."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy.engine import Engine

from shared.access import current_principal, organiser
from shared.outbox import pending_backlog


@dataclass(frozen=True)
class BackboneFigures:
    unpublished: int
    oldest_unpublished_seconds: float
    published_last_day: int
    consumed_last_day: int


def backbone_figures(engine: Engine, outbox: sa.Table, processed: sa.Table) -> BackboneFigures:
    backlog = pending_backlog(engine, outbox)
    day_ago = sa.func.now() - sa.text("interval '1 day'")
    with engine.connect() as connection:
        published = connection.execute(sa.select(sa.func.count()).where(outbox.c.published_at >= day_ago)).scalar()
        consumed = connection.execute(sa.select(sa.func.count()).where(processed.c.processed_at >= day_ago)).scalar()
    return BackboneFigures(backlog.count, backlog.oldest_age_seconds, published, consumed)


def backbone_dashboard_blueprint(service: str, title: str, engine: Engine, outbox: sa.Table,
                                 processed: sa.Table) -> Blueprint:
    """`/admin/` of a service whose own figures are still to come: its event backbone."""
    blueprint = Blueprint(f"{service}_pages", __name__)

    @blueprint.get("/admin/")
    @organiser("vetting", "matchmaking", "finance", read_only=True)
    def dashboard():
        return render_template("ui/service_dashboard.html", title=title, viewer=current_principal(), show_nav=True,
                               backbone=backbone_figures(engine, outbox, processed))

    return blueprint
