"""Announcements organisers write to a segment: what one looks like in each recipient's inbox. Plain Python."""
from __future__ import annotations

import re

from services.notification.domain.messages import EmailToSend, Recipient

TEMPLATE = "announcement"
EVENT_TYPE = "notification.announcement"  # what the delivery log shows as the cause of these emails


def event_id(announcement_id: str) -> str:
    """The cause every email of one announcement shares: one email per recipient, even if fanned out twice."""
    return f"announcement:{announcement_id}"


def paragraphs(body: str) -> list[str]:
    """The body as organisers typed it: blank lines separate paragraphs."""
    return [part.strip() for part in re.split(r"\n\s*\n", body.strip()) if part.strip()]


def announcement_email(subject: str, body: str, recipient: Recipient) -> EmailToSend:
    return EmailToSend(recipient=recipient, template=TEMPLATE, context={
        "full_name": recipient.full_name, "subject": subject, "paragraphs": paragraphs(body)})
