"""Steps of a registrant's journey that many tests take: confirming the email address."""
from __future__ import annotations

import re

import requests
import sqlalchemy as sa

VERIFICATION_SUBJECT = "Confirm your email"


def link_in(message, path: str) -> str:
    """The first link to `path` (e.g. "/verify/") in an email's plain-text part."""
    return re.search(rf"(http://\S+{re.escape(path)}\S*)", message.get_body(("plain",)).get_content()).group(1)


def verify_by_email(mailbox, email: str, timeout: float = 60) -> requests.Response:
    """Open the confirmation email like a person: follow its link and press the button."""
    mail = next(m for m in mailbox.wait_for_count(1, to=email, timeout=timeout)
                if VERIFICATION_SUBJECT in m["Subject"])
    url = link_in(mail, "/verify/")
    browser = requests.Session()
    browser.get(url, timeout=10).raise_for_status()
    confirmed = browser.post(url, data={"csrf_token": browser.cookies["dpd_csrf"]}, timeout=10)
    assert confirmed.status_code == 200 and "Thank you" in confirmed.text, confirmed.text
    return confirmed


def verify_from_outbox(client, engine, registration_id: str):
    """The same through a Flask test client, taking the link from the event waiting in the outbox."""
    with engine.connect() as db:
        url = db.execute(sa.text(
            "SELECT envelope->'data'->>'url' FROM outbox_events "
            "WHERE event_type = 'identity.email_verification_requested.v1' AND message_key = :id"),
            {"id": registration_id}).scalar()
    path = "/verify/" + url.rsplit("/verify/", 1)[1]
    client.get(path)
    return client.post(path, data={"csrf_token": client.get_cookie("dpd_csrf").value})
