"""What the delivery dashboard reads."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.notification.adapters.tables import outbound_emails as emails

EVENT_TIME_ZONE = "Asia/Kolkata"


def status_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(emails.c.status, sa.func.count()).group_by(emails.c.status)).all())


def emails_per_day_by_status(engine: Engine, days: int = 14) -> tuple[list[str], dict[str, list[int]]]:
    today = datetime.now(timezone.utc).astimezone(ZoneInfo(EVENT_TIME_ZONE)).date()
    first = today - timedelta(days=days - 1)
    local_day = sa.func.date(sa.func.timezone(EVENT_TIME_ZONE, emails.c.created_at))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(local_day.label("day"), emails.c.status, sa.func.count())
                                  .where(local_day >= first).group_by("day", emails.c.status)).all()
    series: dict[str, list[int]] = {}
    for day, status, count in rows:
        series.setdefault(status, [0] * days)[(day - first).days] = count
    return [(first + timedelta(days=i)).strftime("%d %b") for i in range(days)], series


def emails_by_template(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(emails.c.template, sa.func.count()).group_by(emails.c.template)
            .order_by(sa.func.count().desc())).all()]
