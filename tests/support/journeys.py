"""Steps of a participant's journey that many tests take: confirming the email address, paying on
the payment gateway's hosted checkout, finding a calendar invitation in an email."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import urljoin

import icalendar
import requests
import sqlalchemy as sa

from shared.localinfra.ports import wait_until

VERIFICATION_SUBJECT = "Confirm your email"


def link_in(message, path: str) -> str:
    """The first link to `path` (e.g. "/verify/") in an email's plain-text part."""
    return re.search(rf"(http://\S+{re.escape(path)}\S*)", message.get_body(("plain",)).get_content()).group(1)


def verify_by_email(mailbox, email: str, timeout: float = 60) -> requests.Response:
    """Open the confirmation email like a person: follow its link and press the button."""
    url = link_in(mail_about(mailbox, email, VERIFICATION_SUBJECT, timeout), "/verify/")
    browser = requests.Session()
    browser.get(url, timeout=10).raise_for_status()
    confirmed = browser.post(url, data={"csrf_token": browser.cookies["dpd_csrf"]}, timeout=10)
    assert confirmed.status_code == 200 and "Thank you" in confirmed.text, confirmed.text
    return confirmed


def verify_from_outbox(client, engine, registration_id: str):
    """The same through a Flask test client: every delegate follows the link waiting for them in
    the outbox (the registration goes to vetting once all have); the last answer is returned."""
    with engine.connect() as db:
        urls = db.execute(sa.text(
            "SELECT envelope->'data'->>'url' FROM outbox_events "
            "WHERE event_type = 'identity.email_verification_requested.v1' AND message_key = :id ORDER BY position"),
            {"id": registration_id}).scalars().all()
    for url in urls:
        path = "/verify/" + url.rsplit("/verify/", 1)[1]
        client.get(path)
        confirmed = client.post(path, data={"csrf_token": client.get_cookie("dpd_csrf").value})
    return confirmed


def mail_about(mailbox, email: str, subject_part: str, timeout: float = 60):
    """The first email to `email` whose subject mentions `subject_part`, once it has arrived."""
    def found():
        return next((m for m in mailbox.messages_to(email) if subject_part in m["Subject"]), None)
    return wait_until(found, timeout, interval=0.1, message=f"no email about {subject_part!r} reached {email}")


@dataclass
class Form:
    """A form on a page, as a browser submits it: where to, and its named inputs' values."""

    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """Reads the forms of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(Form(attributes.get("action") or ""))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1].fields[attributes["name"]] = attributes.get("value") or ""


def forms_in(page: str) -> list[Form]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def pay_at_checkout(checkout: dict) -> Form:
    """The buyer's browser at the gateway's hosted checkout: it opens the page with the form the
    merchant gave (`action_url`, `fields`) and presses "Pay". Returns the form the gateway then
    posts back to the merchant (its return address and the signed payment fields)."""
    browser = requests.Session()
    page = browser.post(checkout["action_url"], data=checkout["fields"], timeout=10)
    assert page.status_code == 200, page.text
    [pay] = [form for form in forms_in(page.text) if form.action.endswith("/pay")]
    returned = browser.post(urljoin(checkout["action_url"], pay.action), data=pay.fields, timeout=10)
    assert returned.status_code == 200 and "Payment successful" in returned.text, returned.text
    [back] = forms_in(returned.text)
    return back


def calendar_invite(mailbox, email: str, method: str,
                    timeout: float = 60) -> tuple[EmailMessage, icalendar.Event]:
    """The first email to `email` carrying a calendar invitation with `method` (REQUEST adds or
    updates the entry, CANCEL removes it), once it has arrived: the message and its VEVENT."""
    def invitation(message) -> icalendar.Event | None:
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_content())
                if calendar["METHOD"] == method:
                    return next(iter(calendar.walk("VEVENT")))
        return None

    def found():
        return next(((m, event) for m in mailbox.messages_to(email) if (event := invitation(m)) is not None), None)
    return wait_until(found, timeout, interval=0.1, message=f"no calendar {method} reached {email}")
