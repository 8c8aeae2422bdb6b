"""Demo data's people signing in as people do: ask for the emailed link, open it, confirm."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
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
    mailbox = Mailbox(Path(maildir))
    while time.monotonic() < min(deadline, quiet_until) and len(tokens) < expected:
        for message in mailbox.messages_to(*emails):
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


@dataclass(frozen=True)
class DemoRun:
    """What every service's demo data starts from: the organiser signed in, the edition, and the
    companies' first delegates (registration's demo writes them as delegate0.company<N>@demo.in)."""

    registration_url: str
    staff: dict[str, str]
    edition: dict
    approved_companies: int

    @classmethod
    def signed_in(cls, registration_url: str, *, admin_email: str, admin_password: str, edition: str) -> DemoRun:
        registration = registration_url.rstrip("/")
        token = requests.post(f"{registration}/api/v1/auth/token", json={"email": admin_email,
                                                                         "password": admin_password}, timeout=10)
        token.raise_for_status()
        staff = {"Authorization": f"Bearer {token.json()['token']}"}
        editions = requests.get(f"{registration}/api/v1/editions", timeout=10).json()["editions"]
        approved = requests.get(f"{registration}/api/v1/registrations", params={"status": "approved"},
                                headers=staff, timeout=20).json()["registrations"]
        return cls(registration, staff, next(e for e in editions if e["slug"] == edition), len(approved))

    def sign_in_companies(self, maildir: str, companies: int) -> dict[str, str]:
        """The first delegates of the demo's first `companies` companies, signed in: {email: token}."""
        return sign_in(self.registration_url, maildir, [f"delegate0.company{i}@demo.in" for i in range(companies)],
                       timeout=120, expected=min(self.approved_companies, companies))
