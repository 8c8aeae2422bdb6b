"""Registrants arriving at a steady rate while something breaks, and what they must find after.

Each registrant behaves like a careful client: it submits its registration with an
Idempotency-Key and, when the answer is a 503 or no answer at all, submits the same again
after a pause (bounded); then every delegate confirms their email by following the link
(read where the email would come from: registration's outbox, so a fault in notification
cannot hide a lost confirmation). Afterwards, `expect_each_registered_once` and friends
assert nothing was lost and nothing doubled, in each service's own terms.

Also what the locust scenarios of bench/ share (`run_locust`, `company_payload`, `confirm_all`,
`approve_all`), and `PaymentBurst`: paid orders whose gateway callbacks
are fired in a burst, and what billing must show afterwards.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from shared.localinfra.ports import wait_until
from shared.testing.fixtures import PROJECT_ROOT
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
        payload = company_payload(registrant.email, index, f"Surge {index} Defence Systems Private Limited")
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


# --- shared by the load scenarios ---------------------------------------------------------------

def company_payload(email: str, number: int, name: str) -> dict:
    """A registration of the `number`th company of a load run, with a GSTIN of its own."""
    payload = registration_payload(email, name=name)
    payload["organisation"]["gstin"] = gstin(pan=f"AABC{'TUVW'[number % 4]}{number % 10000:04d}F")
    return payload


def run_locust(scenario: Path, host: str, folder: Path, *, users: int, seconds: int, env: dict[str, str]) -> dict:
    """A locust scenario of bench/, headless against `host`; its figures (the report it writes when it ends)."""
    report = folder / f"{scenario.stem}.json"
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(scenario), "--headless", "--host", host, "--users", str(users),
         "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--only-summary",
         "--stop-timeout", "10", "--exit-code-on-error", "0"],
        env={**os.environ, **env, "DPD_LOAD_REPORT": str(report), "PYTHONPATH": str(PROJECT_ROOT)},
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=seconds + 120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(report.read_text())


def confirm_all(platform, registration_ids: list[str]) -> None:
    """Every delegate of these registrations confirms their address (so each reaches vetting)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(platform.confirm_emails, registration_ids))


def approve_all(platform, registration_ids: list[str]) -> None:
    """The vetting desk approves them all at once (bulk approval takes at most 500 at a time)."""
    for first in range(0, len(registration_ids), 500):
        approved = requests.post(platform.url("registration", "/api/v1/registrations/bulk-approve"),
                                 json={"registration_ids": registration_ids[first:first + 500]},
                                 headers=platform.organiser("vetting"), timeout=120)
        assert {r.get("status") for r in approved.json()["results"]} == {"approved"}, approved.text


# --- a burst of payment callbacks ----------------------------------------------------------------

WEBHOOK_EVENTS_OF_A_PAYMENT = ("payment.authorized", "payment.captured", "order.paid")
REPEATED_EVENTS = ("payment.captured", "order.paid")  # what the burst delivers twice for every third order


@dataclass
class Buyer:
    email: str
    registration_id: str = ""
    order_id: str = ""
    payable_paise: int = 0
    gateway_order_id: str = ""


class PaymentBurst:
    """Approved organisations, each with an order held for it and the gateway's order for it, each
    paid on the gateway's checkout (simulator) while the gateway holds its webhooks back; then
    those webhooks, signed by the gateway, in a firing order with repeats and out of order:

    - every webhook of every payment (authorized, captured, order.paid), shuffled, so an order's
      order.paid often arrives before its payment.captured, and its authorization last;
    - for every third order, payment.captured and order.paid delivered twice (Razorpay's retry:
      the same event id);
    - `strays` payments for gateway orders billing never created (each of their webhooks must be
      flagged to finance, the only flags expected).

    The buyers never come back from checkout (they closed the tab): the callbacks alone pay.
    """

    def __init__(self, platform, gateway, run_id: str, *, orders: int, strays: int, seed: int = 8):
        self.platform = platform
        self.gateway = gateway
        self.buyers = [Buyer(f"payer{n}.{run_id}@burst.example.in") for n in range(orders)]
        self.strays = strays
        self.seed = seed
        self.callbacks: list[dict] = []
        self.stray_gateway_orders: list[str] = []

    # --- before ---------------------------------------------------------------------------

    def prepare(self, folder: Path) -> Path:
        """Buyers approved and known to billing, orders placed and paid, the callbacks' file."""
        platform = self.platform
        with ThreadPoolExecutor(max_workers=8) as pool:
            registered = list(pool.map(lambda n: self._register(n, self.buyers[n]), range(len(self.buyers))))
        ids = [buyer.registration_id for buyer in registered]
        confirm_all(platform, ids)
        approve_all(platform, ids)
        wait_until(lambda: platform.count("billing", "SELECT count(*) FROM buyers WHERE approved AND "
                                                    "registration_id = ANY(CAST(:ids AS uuid[]))", ids=ids) == len(ids),
                   120, interval=0.5, message="billing never heard of every approved buyer")
        lanyards = self._open_sales()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda n: self._order(self.buyers[n], lanyards, quantity=1 + n % 5), range(len(self.buyers))))
        self.gateway.hold_webhooks()
        for buyer in self.buyers:
            self.gateway.pay(buyer.gateway_order_id)
        for _ in range(self.strays):
            stray = self.gateway.create_order(10_000_00)["id"]
            self.stray_gateway_orders.append(stray)
            self.gateway.pay(stray)
        self.callbacks = self._firing_order(self.gateway.take_held_webhooks())
        path = folder / "callbacks.json"
        path.write_text(json.dumps(self.callbacks))
        return path

    def _register(self, number: int, buyer: Buyer) -> Buyer:
        answer = self.platform.http.post(
            self.platform.url("registration", "/api/v1/registrations"), timeout=ANSWER_TIMEOUT_SECONDS,
            json=company_payload(buyer.email, number, f"Payer {number} Defence Systems Private Limited"))
        assert answer.status_code == 201, answer.text
        buyer.registration_id = answer.json()["id"]
        return buyer

    def _open_sales(self) -> str:
        """Finance puts the edition on sale with lanyards enough for everyone; their item id."""
        finance = self.platform.organiser("finance")
        edition_id = self.platform.edition_id()
        saved = self.platform.http.put(self.platform.url("billing", f"/api/v1/editions/{edition_id}"), headers=finance,
                                       json={"name": "Defence Partnership Days 2026", "venue_state": "DL"},
                                       timeout=ANSWER_TIMEOUT_SECONDS)
        assert saved.status_code == 200, saved.text
        added = self.platform.http.post(self.platform.url("billing", f"/api/v1/editions/{edition_id}/items"),
                                        json={"kind": "branding", "name": "Lanyards", "unit_price_paise": 200_00,
                                              "quantity": 10 * len(self.buyers)}, headers=finance,
                                        timeout=ANSWER_TIMEOUT_SECONDS)
        assert added.status_code == 201, added.text
        return added.json()["id"]

    def _order(self, buyer: Buyer, item_id: str, *, quantity: int) -> None:
        """The buyer orders and goes to the gateway's checkout (billing creates the gateway's order)."""
        delegate = self.platform.delegate(buyer.registration_id)
        placed = self.platform.http.post(self.platform.url("billing", "/api/v1/me/orders"), headers=delegate,
                                         json={"lines": [{"item_id": item_id, "quantity": quantity}]},
                                         timeout=ANSWER_TIMEOUT_SECONDS)
        assert placed.status_code == 201, placed.text
        buyer.order_id, buyer.payable_paise = placed.json()["id"], placed.json()["payable_paise"]
        checkout = self.platform.http.post(self.platform.url("billing", f"/api/v1/me/orders/{buyer.order_id}/checkout"),
                                           headers=delegate, timeout=ANSWER_TIMEOUT_SECONDS)
        assert checkout.status_code == 200, checkout.text
        buyer.gateway_order_id = checkout.json()["fields"]["order_id"]

    def _firing_order(self, webhooks) -> list[dict]:
        repeated = {buyer.gateway_order_id for buyer in self.buyers[::3]}
        callbacks = []
        for webhook in webhooks:
            gateway_order_id = json.loads(webhook.body)["payload"]["payment"]["entity"]["order_id"]
            callback = {"event": webhook.event, "event_id": webhook.event_id, "gateway_order_id": gateway_order_id,
                        "body": webhook.body.decode(), "headers": {"X-Razorpay-Event-Id": webhook.event_id,
                                                                   "X-Razorpay-Signature": webhook.signature}}
            copies = 2 if gateway_order_id in repeated and webhook.event in REPEATED_EVENTS else 1
            callbacks += [callback] * copies
        random.Random(self.seed).shuffle(callbacks)
        return callbacks

    def described(self) -> str:
        """The burst in numbers: how many callbacks, repeats, and orders paid before captured."""
        first_seen: dict[tuple[str, str], int] = {}
        for position, callback in enumerate(self.callbacks):
            first_seen.setdefault((callback["gateway_order_id"], callback["event"]), position)
        paid_first = sum(1 for buyer in self.buyers if first_seen[(buyer.gateway_order_id, "order.paid")]
                         < first_seen[(buyer.gateway_order_id, "payment.captured")])
        unique = len({c["event_id"] for c in self.callbacks})
        return (f"{len(self.callbacks)} callbacks ({unique} distinct, {len(self.callbacks) - unique} repeated) for "
                f"{len(self.buyers)} orders and {self.strays} stray payments; order.paid before payment.captured "
                f"for {paid_first} orders")

    # --- after ----------------------------------------------------------------------------

    def lost_and_doubled(self) -> tuple[list[str], list[str]]:
        """Per order, what billing should have once: paid, one captured payment of the amount due,
        one tax invoice, one "paid" and one "invoice issued" event. (lost, doubled) descriptions."""
        with self.platform.engine("billing").connect() as db:
            rows = {row.id: row for row in db.execute(sa.text("""
                SELECT o.id::text, o.status, o.payable_paise,
                  (SELECT count(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'captured') AS captured,
                  (SELECT coalesce(sum(p.amount_paise), 0) FROM payments p
                    WHERE p.order_id = o.id AND p.status = 'captured') AS captured_paise,
                  (SELECT count(*) FROM invoices i WHERE i.order_id = o.id AND i.kind = 'tax_invoice') AS invoices,
                  (SELECT count(*) FROM outbox_events e WHERE e.message_key = o.id::text
                    AND e.event_type = 'billing.order_paid.v1') AS paid_events,
                  (SELECT count(*) FROM outbox_events e WHERE e.message_key = o.id::text
                    AND e.event_type = 'billing.invoice_issued.v1') AS invoice_events
                FROM orders o WHERE o.id = ANY(CAST(:ids AS uuid[]))"""),
                {"ids": [buyer.order_id for buyer in self.buyers]})}
        lost, doubled = [], []
        for buyer in self.buyers:
            row = rows[buyer.order_id]
            counts = {"captured payments": row.captured, "tax invoices": row.invoices,
                      "order_paid events": row.paid_events, "invoice_issued events": row.invoice_events}
            if row.status != "paid":
                lost.append(f"order {buyer.order_id}: {row.status}")
            lost += [f"order {buyer.order_id}: no {what}" for what, n in counts.items() if n == 0]
            doubled += [f"order {buyer.order_id}: {n} {what}" for what, n in counts.items() if n > 1]
            if row.captured == 1 and row.captured_paise != row.payable_paise:
                doubled.append(f"order {buyer.order_id}: {row.captured_paise} paise captured for {row.payable_paise}")
        return lost, doubled

    def callbacks_recorded(self) -> Counter:
        """Billing's record of the callbacks it got, by outcome; each distinct event id kept exactly once."""
        event_ids = sorted({c["event_id"] for c in self.callbacks})
        with self.platform.engine("billing").connect() as db:
            rows = db.execute(sa.text("SELECT event_id, outcome FROM gateway_callbacks WHERE event_id = ANY(:ids)"),
                              {"ids": event_ids}).all()
        assert sorted(event_id for event_id, _ in rows) == event_ids, "every callback recorded exactly once"
        return Counter(outcome for _, outcome in rows)

    def expect_only_the_strays_flagged(self) -> int:
        """Finance is asked to look at each stray payment's callbacks, and at nothing else."""
        with self.platform.engine("billing").connect() as db:
            flags = db.execute(sa.text(
                "SELECT f.kind, f.order_id, c.body->'payload'->'payment'->'entity'->>'order_id' AS gateway_order_id "
                "FROM payment_flags f LEFT JOIN gateway_callbacks c ON c.id = f.callback_id")).all()
        unexpected = [flag for flag in flags
                      if flag.kind != "unknown_order" or flag.gateway_order_id not in self.stray_gateway_orders]
        assert unexpected == [], f"flags nobody expected: {unexpected[:5]}"
        assert len(flags) == self.strays * len(WEBHOOK_EVENTS_OF_A_PAYMENT), flags
        return len(flags)
