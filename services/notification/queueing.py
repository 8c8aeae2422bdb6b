"""Queues the emails a cause calls for: rendered now (so the delivery log shows exactly what was
sent), one row per (cause, recipient, template), so a cause seen twice still gives one email;
emails that are grouped into digests wait in digest_items instead. The dispatcher is woken
when the transaction commits.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.notification.adapters.calendar import invite_ics
from services.notification.adapters.rendering import Renderer
from services.notification.adapters.tables import contacts, digest_items, outbound_emails
from services.notification.domain.directory import DEFAULT_LANGUAGE
from services.notification.domain.messages import EmailToSend
from shared.pg_listen import notify

WAKE_DISPATCHER = "outbound_emails"  # the NOTIFY channel the dispatcher listens on

_INSERT_EMAIL = insert(outbound_emails).on_conflict_do_nothing(
    index_elements=["event_id", "recipient_email", "template"])
_INSERT_DIGEST_ITEM = insert(digest_items).on_conflict_do_nothing(index_elements=["event_id", "recipient_email"])
_LANGUAGES = sa.select(contacts.c.email, contacts.c.language).where(
    contacts.c.email.in_(sa.bindparam("emails", expanding=True)), contacts.c.language != DEFAULT_LANGUAGE)


def wake_dispatcher(connection: Connection) -> None:
    """NOTIFY the dispatcher when this transaction commits, once however many emails it queues:
    the consumer applies many events per transaction, and one NOTIFY round trip each was a
    fifth of its time. (The pooled connection's `info` outlives the transaction; a new
    transaction is a new object, so the identity check tells them apart.)"""
    transaction = connection.get_transaction()
    if connection.info.get("woke_dispatcher_in") is not transaction:
        notify(connection, WAKE_DISPATCHER)
        connection.info["woke_dispatcher_in"] = transaction


@dataclass(frozen=True)
class Cause:
    """Why emails go out: an event, or a digest, an announcement or a resend."""

    event_id: str
    event_type: str
    correlation_id: str


class EmailQueue:
    def __init__(self, renderer: Renderer, *, sender: str):
        self.renderer = renderer
        self._sender = sender  # the calendar invites' organiser

    def queue(self, connection: Connection, cause: Cause, emails: list[EmailToSend], *,
              resent_from: str | None = None) -> None:
        if not emails:
            return
        now = datetime.now(timezone.utc)
        waiting = [self._digest_item(cause, email) for email in emails if email.digest]
        if waiting:
            connection.execute(_INSERT_DIGEST_ITEM, waiting)
        direct = [email for email in emails if not email.digest]
        if direct:
            languages = dict(connection.execute(_LANGUAGES, {"emails": [e.recipient.email for e in direct]}).all())
            connection.execute(_INSERT_EMAIL, [
                self._row(cause, email, languages.get(email.recipient.email, DEFAULT_LANGUAGE), now, resent_from)
                for email in direct])
            wake_dispatcher(connection)

    def _row(self, cause: Cause, email: EmailToSend, language: str, now: datetime, resent_from: str | None) -> dict:
        rendered = self.renderer.render(email.template, email.context, language)
        invite = email.calendar
        return {
            "id": str(uuid.uuid4()), "event_id": cause.event_id, "event_type": cause.event_type, "channel": "email",
            "recipient_person_id": email.recipient.person_id, "recipient_email": email.recipient.email,
            "recipient_name": email.recipient.full_name, "template": email.template, "subject": rendered.subject,
            "text_body": rendered.text, "html_body": rendered.html,
            "calendar_ics": invite_ics(invite, organiser=self._sender, stamp=now) if invite else None,
            "calendar_method": invite.method if invite else None,
            "correlation_id": cause.correlation_id, "resent_from": resent_from,
        }

    @staticmethod
    def _digest_item(cause: Cause, email: EmailToSend) -> dict:
        return {"event_id": cause.event_id, "recipient_email": email.recipient.email, "kind": email.digest,
                "recipient_name": email.recipient.full_name, "event_type": cause.event_type,
                "template": email.template, "context": email.context, "correlation_id": cause.correlation_id}
