"""What the back-office pages read: the dashboard's figures, the delivery log, announcements' progress."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.notification.adapters.tables import announcements
from services.notification.adapters.tables import outbound_emails as emails
from services.notification.domain.announcements import event_id as announcement_cause
from services.notification.domain.formatting import EVENT_TIME_ZONE

LOG_PAGE = 200


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


@dataclass(frozen=True)
class LogFilter:
    person: str = ""  # part of a name or an email address
    event_type: str = ""
    status: str = ""
    since: date | None = None  # days as people at the event count them (IST), inclusive
    until: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(EVENT_TIME_ZONE))


def delivery_log(engine: Engine, wanted: LogFilter, limit: int = LOG_PAGE) -> list[sa.Row]:
    """The newest emails that match, without their bodies."""
    query = sa.select(emails.c.id, emails.c.created_at, emails.c.sent_at, emails.c.recipient_email,
                      emails.c.recipient_name, emails.c.event_type, emails.c.template, emails.c.subject,
                      emails.c.status, emails.c.attempts, emails.c.last_error, emails.c.resent_from)
    if wanted.person:
        pattern = "%" + wanted.person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(emails.c.recipient_email.ilike(pattern, escape="\\"),
                                   emails.c.recipient_name.ilike(pattern, escape="\\")))
    if wanted.event_type:
        query = query.where(emails.c.event_type == wanted.event_type)
    if wanted.status:
        query = query.where(emails.c.status == wanted.status)
    if wanted.since:
        query = query.where(emails.c.created_at >= _start_of(wanted.since))
    if wanted.until:
        query = query.where(emails.c.created_at < _start_of(wanted.until + timedelta(days=1)))
    with engine.connect() as connection:
        return connection.execute(query.order_by(emails.c.created_at.desc(), emails.c.position.desc()).limit(limit)).all()


def event_types(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(emails.c.event_type).distinct().order_by(emails.c.event_type))
                    .scalars())


def email(engine: Engine, email_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(emails).where(emails.c.id == email_id)).first()


def resends_of(engine: Engine, email_id: str) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(sa.select(emails.c.id, emails.c.created_at, emails.c.status)
                                  .where(emails.c.resent_from == email_id).order_by(emails.c.created_at)).all()


def announcement_list(engine: Engine) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(sa.select(announcements).order_by(announcements.c.created_at.desc())).all()


def announcement(engine: Engine, announcement_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(announcements).where(announcements.c.id == announcement_id)).first()


def announcement_progress(engine: Engine, announcement_id: str) -> tuple[dict[str, int], list[sa.Row]]:
    """How many of its emails are sent, pending and failed, and the failed ones with their errors."""
    cause = emails.c.event_id == announcement_cause(announcement_id)
    with engine.connect() as connection:
        counts = dict(connection.execute(sa.select(emails.c.status, sa.func.count()).where(cause)
                                         .group_by(emails.c.status)).all())
        failed = connection.execute(sa.select(emails.c.id, emails.c.recipient_email, emails.c.recipient_name,
                                              emails.c.last_error, emails.c.attempts)
                                    .where(cause, emails.c.status == "failed").order_by(emails.c.recipient_email)
                                    .limit(LOG_PAGE)).all()
    return counts, failed
