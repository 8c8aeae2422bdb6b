"""The email as it leaves: parts, encodings and headers a mail client reads correctly."""
from __future__ import annotations

from email.parser import BytesParser
from email.policy import default

from services.notification.adapters.channels import OutboundMessage
from services.notification.adapters.smtp import compose, from_header

ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def parsed(message: OutboundMessage, sender: str = "Defence Partnership Days <no-reply@dpd.test>"):
    return BytesParser(policy=default).parsebytes(compose(message, from_header=from_header(sender)))


def message(**changes) -> OutboundMessage:
    return OutboundMessage(**{"id": "0b7f6d2a-1c3e-4f5a-8b9c-0d1e2f3a4b5c", "recipient_address": "ananya@example.in",
                              "recipient_name": "Ananya Rao", "subject": "Registration received",
                              "text": "Dear Ananya Rao,\n\nनमस्ते — ₹1,18,000.00\n", "html": "<p>Dear Ananya Rao</p>",
                              "correlation_id": "req-1", **changes})


def test_text_and_html_alternatives_arrive_intact_with_stable_ids():
    email = parsed(message())
    assert email.defects == [] and email.get_content_type() == "multipart/alternative"
    assert email.get_body(("plain",)).get_content() == "Dear Ananya Rao,\n\nनमस्ते — ₹1,18,000.00\n"
    assert email.get_body(("html",)).get_content() == "<p>Dear Ananya Rao</p>"
    assert email["Message-ID"] == "<0b7f6d2a-1c3e-4f5a-8b9c-0d1e2f3a4b5c@defencepartnershipdays.in>"
    assert email["X-Correlation-ID"] == "req-1" and email["To"] == "ananya@example.in" and email["Date"]


def test_names_and_subjects_beyond_ascii_are_encoded_and_decoded_back():
    email = parsed(message(subject="Réunion confirmée: Tejas Avionics"), sender="Défense Partnership <no-reply@dpd.test>")
    assert email["Subject"] == "Réunion confirmée: Tejas Avionics"
    assert email["From"].addresses[0].display_name == "Défense Partnership"


def test_nothing_typed_into_a_subject_can_add_a_header():
    email = parsed(message(subject="Hello\r\nBcc: everyone@example.in"))
    assert email["Bcc"] is None and email["Subject"] == "Hello Bcc: everyone@example.in"


def test_a_meeting_email_carries_the_invite_as_a_calendar_alternative_and_an_attachment():
    email = parsed(message(calendar_ics=ICS, calendar_method="CANCEL"))
    assert email.get_content_type() == "multipart/mixed"
    calendar = next(part for part in email.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL" and calendar.get_content() == ICS
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == "invite.ics" and attachment.get_content() == ICS.encode()
    assert email.get_body(("plain",)).get_content().startswith("Dear Ananya Rao")
