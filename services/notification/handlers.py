"""What notification does with each event it consumes: keep its contacts, queue the emails.

Each handler runs inside the consumer's transaction, beside the processed-event mark.
"""
from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.notification import contracts
from services.notification.adapters.rendering import Renderer
from services.notification.adapters.tables import contacts, outbound_emails, revoked_subjects
from services.notification.domain import messages
from shared.consumer import Handler, ReceivedEvent
from shared.pg_listen import notify
from shared.revocation import ACCESS_REVOKED, access_revoked_handler

EMAILS_CHANNEL = "outbound_emails"


def queue_emails(connection: Connection, renderer: Renderer, event: ReceivedEvent,
                 emails: list[messages.EmailToSend]) -> None:
    """Queue each email once per (event, recipient, template), and wake the dispatcher on commit."""
    for email in emails:
        rendered = renderer.render(email.template, email.context)
        connection.execute(insert(outbound_emails).values(
            id=str(uuid.uuid4()), event_id=event.id, event_type=event.envelope.type,
            recipient_person_id=email.recipient.person_id, recipient_email=email.recipient.email,
            template=email.template, subject=rendered.subject, text_body=rendered.text, html_body=rendered.html,
            correlation_id=event.correlation_id,
        ).on_conflict_do_nothing(index_elements=["event_id", "recipient_email", "template"]))
    notify(connection, EMAILS_CHANNEL)


def keep_contacts(connection: Connection, people: list[messages.Contact]) -> None:
    for person in people:
        statement = insert(contacts).values(person_id=person.person_id, registration_id=person.registration_id,
                                            email=person.email, full_name=person.full_name)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["person_id"],
            set_={"email": statement.excluded.email, "full_name": statement.excluded.full_name,
                  "updated_at": statement.excluded.updated_at}))


def handlers(renderer: Renderer) -> dict[str, Handler]:
    def on_registration_submitted(connection: Connection, event: ReceivedEvent) -> None:
        keep_contacts(connection, messages.contacts_of_registration(event.data))
        queue_emails(connection, renderer, event, messages.registration_received(event.data))

    def on_registration_approved(connection: Connection, event: ReceivedEvent) -> None:
        keep_contacts(connection, messages.contacts_of_registration(event.data))
        queue_emails(connection, renderer, event, messages.registration_approved(event.data))

    def on_access_link_issued(connection: Connection, event: ReceivedEvent) -> None:
        queue_emails(connection, renderer, event, messages.access_link(event.data))

    return {contracts.REGISTRATION_SUBMITTED: on_registration_submitted,
            contracts.REGISTRATION_APPROVED: on_registration_approved,
            contracts.ACCESS_LINK_ISSUED: on_access_link_issued,
            ACCESS_REVOKED: access_revoked_handler(revoked_subjects)}
