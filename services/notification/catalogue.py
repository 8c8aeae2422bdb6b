"""Every email notification sends: the event that calls for it, and how organisers preview it.

`EMAILS_FOR` maps each consumed event type to the function that decides who hears what
(domain/); `TEMPLATES` lists every template in email_templates/ with the event it serves;
`sample_email` builds a template's email from the sample data in samples.py, exactly as the
worker would from a real event.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.notification import contracts as c
from services.notification import samples
from services.notification.domain import announcements, meetings, messages, orders
from services.notification.domain.digests import DigestItem, digest_email
from services.notification.domain.meetings import MeetingLinks
from services.notification.domain.messages import EmailToSend

Maker = Callable[[dict, MeetingLinks], list[EmailToSend]]


def _without_links(make: Callable[[dict], list[EmailToSend]]) -> Maker:
    return lambda data, _links: make(data)


EMAILS_FOR: dict[str, Maker] = {
    c.EMAIL_VERIFICATION_REQUESTED: _without_links(messages.email_verification),
    c.REGISTRATION_SUBMITTED: _without_links(messages.registration_received),
    c.REGISTRATION_APPROVED: _without_links(messages.registration_approved),
    c.REGISTRATION_REJECTED: _without_links(messages.registration_rejected),
    c.REGISTRATION_WAITLISTED: _without_links(messages.registration_waitlisted),
    c.REGISTRATION_CHANGES_REQUESTED: _without_links(messages.registration_changes_requested),
    c.REGISTRATION_CANCELLED: _without_links(messages.registration_cancelled),
    c.ACCESS_LINK_ISSUED: _without_links(messages.access_link),
    c.BADGE_ISSUED: _without_links(messages.badge_ready),
    c.MEETING_REQUESTED: meetings.meeting_requested,
    c.MEETING_ACCEPTED: meetings.meeting_accepted,
    c.MEETING_DECLINED: meetings.meeting_declined,
    c.MEETING_EXPIRED: meetings.meeting_expired,
    c.MEETING_SCHEDULED: meetings.meeting_scheduled,
    c.MEETING_MOVED: meetings.meeting_moved,
    c.MEETING_CANCELLED: meetings.meeting_cancelled,
    c.ORDER_PLACED: _without_links(orders.order_placed),
    c.HOLD_EXPIRING: _without_links(orders.hold_expiring),
    c.PROFORMA_ISSUED: _without_links(orders.proforma_issued),
    c.ORDER_PAID: _without_links(orders.payment_received),
    c.INVOICE_ISSUED: _without_links(orders.invoice_issued),
    c.CREDIT_NOTE_ISSUED: _without_links(orders.credit_note_issued),
}


@dataclass(frozen=True)
class Template:
    name: str
    label: str
    sent_when: str  # as organisers read it
    event_type: str | None  # the event whose sample previews it (None: built by a job, not by one event)


TEMPLATES: tuple[Template, ...] = (
    Template("email_verification", "Confirm your email", "a delegate is named in a registration",
             c.EMAIL_VERIFICATION_REQUESTED),
    Template("registration_received", "Registration received", "every delegate has confirmed their email",
             c.REGISTRATION_SUBMITTED),
    Template("registration_approved", "Registration approved", "vetting approves (to every delegate)",
             c.REGISTRATION_APPROVED),
    Template("registration_rejected", "Registration rejected", "vetting rejects, with its reason",
             c.REGISTRATION_REJECTED),
    Template("registration_waitlisted", "Registration waitlisted", "the category is full", c.REGISTRATION_WAITLISTED),
    Template("registration_changes_requested", "Changes requested", "vetting asks for a change",
             c.REGISTRATION_CHANGES_REQUESTED),
    Template("registration_cancelled", "Registration cancelled", "the registration is cancelled",
             c.REGISTRATION_CANCELLED),
    Template("access_link", "Sign-in link", "a participant asks for a sign-in link", c.ACCESS_LINK_ISSUED),
    Template("badge_ready", "E-badge ready", "a badge is issued", c.BADGE_ISSUED),
    Template("meeting_requested", "Meeting requested", "someone asks the recipient for a meeting (first of a period)",
             c.MEETING_REQUESTED),
    Template("meeting_requests_digest", "Meeting requests digest",
             "several requests arrived within the digest period", None),
    Template("meeting_accepted", "Meeting accepted", "the other side accepts a request", c.MEETING_ACCEPTED),
    Template("meeting_declined", "Meeting declined", "the other side declines a request", c.MEETING_DECLINED),
    Template("meeting_expired", "Meeting request expired", "a request goes unanswered", c.MEETING_EXPIRED),
    Template("meeting_scheduled", "Meeting scheduled (calendar invite)", "the scheduler places a meeting",
             c.MEETING_SCHEDULED),
    Template("meeting_moved", "Meeting moved (calendar update)", "a meeting gets another slot or table",
             c.MEETING_MOVED),
    Template("meeting_cancelled", "Meeting cancelled (calendar cancellation)", "a meeting is cancelled",
             c.MEETING_CANCELLED),
    Template("order_placed", "Order placed", "a buyer places an order (the items are held)", c.ORDER_PLACED),
    Template("hold_expiring", "Hold expiring", "an unpaid order's hold is about to run out", c.HOLD_EXPIRING),
    Template("proforma_issued", "Pro-forma invoice", "a buyer chooses to pay by bank transfer", c.PROFORMA_ISSUED),
    Template("payment_received", "Payment received", "an order is paid", c.ORDER_PAID),
    Template("invoice_issued", "Tax invoice issued", "the tax invoice of a paid order is issued", c.INVOICE_ISSUED),
    Template("credit_note_issued", "Credit note issued", "a refund is made", c.CREDIT_NOTE_ISSUED),
    Template("announcement", "Announcement", "organisers send an announcement to a segment", None),
)
TEMPLATES_BY_NAME = {template.name: template for template in TEMPLATES}


def sample_email(name: str, links: MeetingLinks) -> EmailToSend:
    """The email `name` with sample data, built the way the worker builds it."""
    template = TEMPLATES_BY_NAME[name]
    if name == "announcement":
        return announcements.announcement_email(samples.ANNOUNCEMENT["subject"], samples.ANNOUNCEMENT["body"],
                                                samples.RECIPIENT)
    if name == "meeting_requests_digest":
        requests = [samples.EVENTS[c.MEETING_REQUESTED], *samples.MORE_REQUESTS]
        emails = [email for data in requests for email in meetings.meeting_requested(data, links)]
        return digest_email(meetings.MEETING_REQUESTS_DIGEST, emails[0].recipient,
                            [DigestItem(email.template, email.context) for email in emails])
    emails = EMAILS_FOR[template.event_type](samples.EVENTS[template.event_type], links)
    return next(email for email in emails if email.template == name)
