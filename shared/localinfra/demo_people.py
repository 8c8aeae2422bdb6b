"""Demo data's people signing in as people do: ask for the emailed link, open it, confirm."""
from __future__ import annotations

import re
import time
from pathlib import Path

import requests

from shared.localinfra.smtp import Mailbox

SIGN_IN_SUBJECT = "sign-in link"
QUIET_SECONDS = 20  # no new sign-in email for this long: the rest are not approved participants


def sign_in(registration: str, maildir: str, emails: list[str], timeout: float, expected: int) -> dict[str, str]:
    """Ask for each address's sign-in link and follow it as its owner would: {email: session token}.
    Addresses that are not approved participants get no email and are left out: done when
    `expected` have signed in, or when no new email has come for QUIET_SECONDS."""
    for email in emails:
        requests.post(f"{registration}/api/v1/access-links", json={"email": email}, timeout=10)
    tokens, tried, deadline = {}, set(), time.monotonic() + timeout
    quiet_until = time.monotonic() + QUIET_SECONDS
    while time.monotonic() < min(deadline, quiet_until) and len(tokens) < expected:
        for message in Mailbox(Path(maildir)).messages():
            recipient = message["To"]
            if recipient not in emails or recipient in tokens or SIGN_IN_SUBJECT not in message["Subject"]:
                continue
            link = re.search(r"(http://\S+/access/\S+)", message.get_body(("plain",)).get_content()).group(1)
            if link in tried:  # an older link, already used or expired
                continue
            tried.add(link)
            browser = requests.Session()
            browser.get(link, timeout=10)
            browser.post(link, data={"csrf_token": browser.cookies.get("dpd_csrf", "")}, timeout=10)
            if browser.cookies.get("dpd_session"):
                tokens[recipient] = browser.cookies["dpd_session"]
                quiet_until = time.monotonic() + QUIET_SECONDS
        time.sleep(0.5)
    return tokens
