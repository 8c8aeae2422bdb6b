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


def forget_person(connection: Connection, event: ReceivedEvent) -> None:
    """Erasure: the contact goes, and the emails sent to them keep only that they were sent."""
    person_id = str(event.data["person_id"])
    connection.execute(contacts.delete().where(contacts.c.person_id == person_id))
    connection.execute(outbound_emails.update().where(outbound_emails.c.recipient_person_id == person_id).values(
        recipient_email="erased@invalid", subject="(erased)", text_body="", html_body=""))


def handlers(renderer: Renderer) -> dict[str, Handler]:
    def emails(make) -> Handler:
        """A handler that queues the emails `make(event data)` calls for."""
        def handle(connection: Connection, event: ReceivedEvent) -> None:
            queue_emails(connection, renderer, event, make(event.data))
        return handle

    def with_contacts(make) -> Handler:
        """Same, and keeps the registration's people in the contact directory."""
        def handle(connection: Connection, event: ReceivedEvent) -> None:
            keep_contacts(connection, messages.contacts_of_registration(event.data))
            queue_emails(connection, renderer, event, make(event.data))
        return handle

    return {
        contracts.EMAIL_VERIFICATION_REQUESTED: emails(messages.email_verification),
        contracts.REGISTRATION_SUBMITTED: with_contacts(messages.registration_received),
        contracts.REGISTRATION_APPROVED: with_contacts(messages.registration_approved),
        contracts.REGISTRATION_REJECTED: emails(lambda data: messages.to_contact(
            "registration_rejected", data, message=data["message"])),
        contracts.REGISTRATION_CHANGES_REQUESTED: emails(lambda data: messages.to_contact(
            "registration_changes_requested", data, message=data["message"], access_url=data["access_url"])),
        contracts.REGISTRATION_WAITLISTED: emails(lambda data: messages.to_contact("registration_waitlisted", data)),
        contracts.REGISTRATION_CANCELLED: emails(lambda data: messages.to_contact("registration_cancelled", data)),
        contracts.ACCESS_LINK_ISSUED: emails(messages.access_link),
        contracts.BADGE_ISSUED: emails(messages.badge_ready),
        contracts.PERSONAL_DATA_ERASED: forget_person,
        ACCESS_REVOKED: access_revoked_handler(revoked_subjects),
    }
