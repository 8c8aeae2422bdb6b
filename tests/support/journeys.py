"""Steps of a registrant's journey that many tests take: confirming the email address."""
from __future__ import annotations

import re

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
