"""Registrants arriving at a steady rate while something breaks, and what they must find after.

Each registrant behaves like a careful client: it submits its registration with an
Idempotency-Key and, when the answer is a 503 or no answer at all, submits the same again
after a pause (bounded); then every delegate confirms their email by following the link
(read where the email would come from: registration's outbox, so a fault in notification
cannot hide a lost confirmation). Afterwards, `expect_each_registered_once` and friends
assert nothing was lost and nothing doubled, in each service's own terms.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

from shared.localinfra.ports import wait_until
from tests.support.registrations import gstin, registration_payload

RETRYABLE = {502, 503, 504}
GIVE_UP_SECONDS = 180
ANSWER_TIMEOUT_SECONDS = 15


@dataclass
class Registrant:
    email: str
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    answers: list[int | str] = field(default_factory=list)  # every HTTP status (or "no answer") it got
    slowest_seconds: float = 0.0
    registration_id: str | None = None
    confirmed: bool = False


class RegistrationLoad:
    """`count` registrants at `rate` per second against registration's API, in the background."""

    def __init__(self, platform, run_id: str, *, count: int, rate: float, threads: int = 8):
        self.platform = platform
        self.registrants = [Registrant(f"surge{i}.{run_id}@load.example.in") for i in range(count)]
        self.rate = rate
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="registrant")
        self._futures = []
        self._lock = threading.Lock()
        self.started_at = 0.0

    def start(self) -> RegistrationLoad:
        self.started_at = time.monotonic()
        for index, registrant in enumerate(self.registrants):
            self._futures.append(self._pool.submit(self._arrive, index, registrant))
        return self

    def progress(self) -> int:
        """How many registrants have registered so far."""
        return sum(1 for r in self.registrants if r.registration_id)

    def finish(self, timeout: float = GIVE_UP_SECONDS + 60) -> list[Registrant]:
        try:
            for future in self._futures:
                future.result(timeout=timeout)
        finally:
            self._pool.shutdown(cancel_futures=True)
        return self.registrants

    def _arrive(self, index: int, registrant: Registrant) -> None:
        due = self.started_at + index / self.rate
        time.sleep(max(0.0, due - time.monotonic()))  # pacing the arrivals, not waiting for a condition
        http = requests.Session()
        payload = registration_payload(registrant.email, name=f"Surge {index} Defence Systems Private Limited")
        payload["organisation"]["gstin"] = gstin(pan=f"AABC{'TUVW'[index % 4]}{index % 10000:04d}F")
        answer = self._until_answered(registrant, lambda: http.post(
            self.platform.url("registration", "/api/v1/registrations"), json=payload,
            headers={"Idempotency-Key": registrant.key}, timeout=ANSWER_TIMEOUT_SECONDS))
        if answer is None or answer.status_code not in (200, 201):
            return
        registrant.registration_id = answer.json()["id"]
        for link in self._links(registrant.registration_id):
            browser = requests.Session()
            page = self._until_answered(registrant, lambda: browser.get(link, timeout=ANSWER_TIMEOUT_SECONDS))
            if page is None or page.status_code != 200:
                return
            confirmed = self._until_answered(registrant, lambda: browser.post(
                link, data={"csrf_token": browser.cookies.get("dpd_csrf", "")}, timeout=ANSWER_TIMEOUT_SECONDS))
            if confirmed is None or confirmed.status_code != 200:
                return
        registrant.confirmed = True

    def _until_answered(self, registrant: Registrant, send) -> requests.Response | None:
        """Send until a final answer (not a 5xx gateway/unavailable, not silence), for a bounded time."""
        give_up = time.monotonic() + GIVE_UP_SECONDS
        pause = 0.2
        while True:
            started = time.monotonic()
            try:
                answer = send()
                outcome: int | str = answer.status_code
            except requests.RequestException:
                answer, outcome = None, "no answer"
            with self._lock:
                registrant.answers.append(outcome)
                registrant.slowest_seconds = max(registrant.slowest_seconds, time.monotonic() - started)
            if answer is not None and answer.status_code not in RETRYABLE:
                return answer
            if time.monotonic() > give_up:
                return None
            time.sleep(pause)  # a client's back-off before retrying
            pause = min(pause * 2, 2.0)

    def _links(self, registration_id: str) -> list[str]:
        """The confirmation links waiting for this registration's delegates (once the database answers)."""
        def read():
            try:
                with self.platform.engine("registration").connect() as db:
                    return db.execute(sa.text(
                        "SELECT envelope->'data'->>'url' FROM outbox_events WHERE message_key = :id "
                        "AND event_type = 'identity.email_verification_requested.v1' ORDER BY position"),
                        {"id": registration_id}).scalars().all() or None
            except sa.exc.OperationalError:
                return None
        return wait_until(read, GIVE_UP_SECONDS, interval=0.5, message="the confirmation link never appeared")


def summary(registrants: list[Registrant]) -> Counter:
    """Every answer the registrants got, by status."""
    return Counter(answer for r in registrants for answer in r.answers)


def expect_every_registrant_through(registrants: list[Registrant]) -> None:
    """Each registered and confirmed; no answer was a 500 (the only refusals were retryable 503s)."""
    stuck = [(r.email, r.answers) for r in registrants if not (r.registration_id and r.confirmed)]
    assert stuck == [], f"{len(stuck)} registrants did not get through: {stuck[:5]}"
    assert not [a for r in registrants for a in r.answers if isinstance(a, int) and a >= 500 and a not in RETRYABLE]


def expect_each_registered_once(platform, registrants: list[Registrant]) -> None:
    """registration: one registration per registrant, none twice, all submitted to vetting."""
    with platform.engine("registration").connect() as db:
        rows = db.execute(sa.text(
            "SELECT d.email, r.status FROM registrations r JOIN delegates d ON d.registration_id = r.id "
            "AND d.position = 0 WHERE d.email = ANY(:emails)"), {"emails": [r.email for r in registrants]}).all()
    counts = Counter(email for email, _ in rows)
    assert sorted(counts) == sorted(r.email for r in registrants), "every registrant registered"
    assert max(counts.values()) == 1, f"registered twice: {[e for e, n in counts.items() if n > 1]}"
    assert {status for _, status in rows} == {"submitted"}


def wait_until_idle(platform, services: tuple[str, ...], timeout: float = 120) -> None:
    """Every outbox published and every email sent (those services that have them)."""
    def backlog() -> dict[str, int]:
        waiting = {service: platform.count(service, "SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
                   for service in services}
        if "notification" in services:
            waiting["emails"] = platform.count("notification",
                                               "SELECT count(*) FROM outbound_emails WHERE status = 'pending'")
        return {name: count for name, count in waiting.items() if count}
    wait_until(lambda: not backlog(), timeout, interval=0.5,
               message=lambda: f"the pipeline never went idle: still waiting {backlog()}")


def expect_one_email_each(mailbox, registrants: list[Registrant], subject_part: str, timeout: float = 120, *,
                          resent_copies_allowed: bool = False) -> None:
    """Each registrant got exactly one email about `subject_part` (lost: none; doubled: two).

    `resent_copies_allowed`: a copy with the same Message-ID counts once, as mail clients count it.
    SMTP cannot take part in a database transaction, so a database lost between the server
    accepting an email and the dispatcher recording it sends that same message again."""
    expected = {r.email for r in registrants}

    def got() -> Counter:
        seen = [(address, m["Message-ID"]) for m in mailbox.messages() if subject_part in m["Subject"]
                for address in [m["To"].lower()] if address in expected]
        return Counter(address for address, _ in (set(seen) if resent_copies_allowed else seen))
    wait_until(lambda: len(got()) >= len(registrants), timeout, interval=0.5,
               message=lambda: f"{len(got())} of {len(registrants)} got an email about {subject_part!r}")
    counts = got()
    assert set(counts) == expected
    assert max(counts.values()) == 1, f"doubled: {[a for a, n in counts.items() if n > 1]}"
