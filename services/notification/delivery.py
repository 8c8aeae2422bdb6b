"""An organiser resends an email exactly as it was (to the same address): a new queued message
that the delivery log links to the original, and the resend is audited."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.notification.adapters.tables import audit_log, outbound_emails as emails
from services.notification.queueing import wake_dispatcher
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import StateConflict

_COPIED = ("event_type", "channel", "recipient_person_id", "recipient_email", "recipient_name", "template", "subject",
           "text_body", "html_body", "calendar_ics", "calendar_method")


class NotFound(Exception):
    """No such email."""


def resend(engine: Engine, email_id: str, *, actor: Principal, correlation_id: str) -> str:
    """Queue a copy of email `email_id`; returns the copy's id."""
    with engine.begin() as connection:
        original = connection.execute(sa.select(emails).where(emails.c.id == email_id)).first()
        if original is None:
            raise NotFound(email_id)
        if original.recipient_person_id is None and original.recipient_email.endswith("@invalid"):
            raise StateConflict("The recipient's personal data was erased; there is no address to send to.")
        copy_id = str(uuid.uuid4())
        connection.execute(emails.insert().values(
            id=copy_id, event_id=f"resend:{copy_id}", resent_from=original.id, correlation_id=correlation_id,
            **{column: getattr(original, column) for column in _COPIED}))
        record_audit(connection, audit_log, actor=actor, action="email.resent", target_type="email",
                     target_id=original.id, after={"copy": copy_id, "recipient": original.recipient_email,
                                                   "subject": original.subject}, correlation_id=correlation_id)
        wake_dispatcher(connection)
    return copy_id
