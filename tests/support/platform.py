"""The platform as its users meet it, for whole-platform tests (journeys, faults, load, fuzzing,
security): each service's processes started for real, people acting through HTTP only.

The tests observe databases read-only (to find a link a person would get by email, or to count
what was stored); every change goes through a service's front door.
"""
from __future__ import annotations

import importlib
import io
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

from ops.__main__ import main as ops
from shared.auth import ORGANISER, PARTICIPANT, TokenIssuer, load_private_key
from shared.localinfra.gateway_simulator import GatewaySimulator
from shared.localinfra.ports import wait_until
from tests.support.editions import EDITION, open_edition
from tests.support.registrations import registration_payload

TIMEOUT = 15

OFFICER = {"name": "R. Iyer", "rank": "Commander", "organisation": "navy", "appointment": "Director, Naval Design",
           "phone": "+91 98100 00001", "sectors": ["naval_systems", "unmanned_systems", "aerospace"],
           "requirements": "Sonar domes, AUV batteries, avionics mission computers"}


def gateway_simulator(env: dict[str, str]) -> GatewaySimulator:
    """The payment gateway simulator playing Razorpay for this platform: billing's credentials, its
    webhooks to billing's public URL. Start it, then billing with `RAZORPAY_API_URL` set to its URL."""
    return GatewaySimulator(key_id=env["RAZORPAY_KEY_ID"], key_secret=env["RAZORPAY_KEY_SECRET"],
                            webhook_secret=env["RAZORPAY_WEBHOOK_SECRET"],
                            webhook_url=f"{env['BILLING_PUBLIC_URL']}/api/v1/gateway/razorpay/webhook")


def frame_for(days_from_now: int = 30, *, tables: int = 4) -> dict:
    """A one-day schedule frame a month ahead: 09:30-11:30 in 20-minute slots, with tea."""
    day = (date.today() + timedelta(days=days_from_now)).isoformat()
    return {"time_zone": "Asia/Kolkata", "slot_minutes": 20, "b2g_tables": tables, "b2b_tables": 2,
            "max_open_requests_per_company": 5, "max_meetings_per_officer_per_day": 6, "response_hours": 48,
            "days": [{"date": day, "opens": "09:30", "closes": "11:30",
                      "breaks": [{"starts": "10:30", "ends": "10:50", "label": "Tea"}]}]}


class SignedInPerson(requests.Session):
    """A person's browser session (the `dpd_session` cookie): every change it sends echoes the
    CSRF cookie in `X-CSRF-Token`, as the pages' scripts and forms do."""

    def request(self, method, url, *args, **kwargs):
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE") and "dpd_csrf" in self.cookies:
            kwargs["headers"] = {"X-CSRF-Token": self.cookies["dpd_csrf"], **(kwargs.get("headers") or {})}
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class Platform:
    """Starts services as processes (through `ServiceProcesses`) and acts as their users."""

    def __init__(self, services, env: dict[str, str], signing_keys: tuple[Path, Path]):
        self.services = services
        self.env = env
        self.urls: dict[str, str] = {}
        self.workers: dict = {}  # service -> its running worker process
        self.extra_env: dict[str, str] = {}  # what every process started gets on top of `env`
        self._issuer = TokenIssuer(load_private_key(signing_keys[0]), timedelta(hours=2))
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

    # --- processes ---------------------------------------------------------------------------

    def migrate(self, *names: str) -> None:
        """Each named service's schema and topics; the edition `dpd-2026`, open for registration."""
        for name in names:
            importlib.import_module(f"services.{name}.manage").migrate(self.env)
        if "registration" in names:
            open_edition(self.env)

    def start(self, *, webs: tuple[str, ...] = (), workers: tuple[str, ...] = (), web_workers: int = 1,
              threads: int = 8, extra_env: dict[str, str] | None = None) -> None:
        """Each service in `workers` gets its worker, each in `webs` its gunicorn (`web_workers` x `threads`);
        `extra_env` on top of the platform's environment (e.g. `RAZORPAY_API_URL` of a gateway simulator),
        kept for workers restarted later."""
        self.extra_env |= extra_env or {}
        for name in workers:
            self.start_worker(name)
        for name in webs:
            self.urls[name] = self.services.web(name, workers=web_workers, threads=threads, extra_env=self.extra_env)

    def start_worker(self, service: str) -> None:
        self.workers[service] = self.services.worker(service, extra_env=self.extra_env)

    def kill_worker(self, service: str) -> None:
        """SIGKILL the service's worker, like a crash: no cleanup, no commits."""
        self.workers[service].kill()

    def url(self, service: str, path: str) -> str:
        return f"{self.urls[service]}{path}"

    # --- who calls ---------------------------------------------------------------------------

    def organiser(self, *roles: str) -> dict[str, str]:
        token = self._issuer.issue(kind=ORGANISER, subject=str(uuid.uuid4()), name="Asha Organiser",
                                   roles=frozenset(roles or {"admin"}))[0]
        return {"Authorization": f"Bearer {token}"}

    def delegate(self, registration_id: str, delegate_id: str | None = None) -> dict[str, str]:
        delegate_id = delegate_id or self.delegate_ids(registration_id)[0]
        token = self._issuer.issue(kind=PARTICIPANT, subject=delegate_id, name="A delegate",
                                   registration_id=registration_id)[0]
        return {"Authorization": f"Bearer {token}"}

    def officer(self, officer_id: str) -> dict[str, str]:
        token = self._issuer.issue(kind=PARTICIPANT, subject=officer_id, name="An officer", officer=True)[0]
        return {"Authorization": f"Bearer {token}"}

    # --- steps people take -------------------------------------------------------------------

    def register(self, email: str, **payload_options) -> dict:
        response = self.http.post(self.url("registration", "/api/v1/registrations"),
                                  json=registration_payload(email, **payload_options), timeout=TIMEOUT)
        assert response.status_code == 201, response.text
        return response.json()

    def confirm_emails(self, registration_id: str) -> None:
        """Every delegate follows the confirmation link waiting for them (read where the email
        would come from: registration's outbox), like a person: open it, press the button."""
        for url in self._verification_links(registration_id):
            browser = requests.Session()
            browser.get(url, timeout=TIMEOUT).raise_for_status()
            confirmed = browser.post(url, data={"csrf_token": browser.cookies["dpd_csrf"]}, timeout=TIMEOUT)
            assert confirmed.status_code == 200 and "Thank you" in confirmed.text, confirmed.text

    def decide(self, registration_id: str, decision: str = "approve") -> dict:
        response = self.http.post(self.url("registration", f"/api/v1/registrations/{registration_id}/decision"),
                                  json={"decision": decision}, headers=self.organiser("vetting"), timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def sign_in_by_link(self, mailbox, email: str) -> SignedInPerson:
        """A participant (delegate or officer) asks for a sign-in link, opens the email and confirms."""
        def links() -> list:
            return [m for m in mailbox.messages_to(email) if "sign-in link" in m["Subject"]]
        earlier = len(links())
        person = SignedInPerson()
        access_page = self.url("registration", "/access")
        person.get(access_page)
        asked = person.post(access_page, data={"email": email, "csrf_token": person.cookies["dpd_csrf"]})
        assert asked.status_code == 200 and "Check your email" in asked.text, asked.text
        message = wait_until(lambda: links()[earlier:], 60, message=f"no sign-in link reached {email}")[-1]
        link = re.search(r"(http://\S+/access/\S+)", message.get_body(("plain",)).get_content()).group(1)
        person.get(link)
        landed = person.post(link, data={"csrf_token": person.cookies["dpd_csrf"]})
        assert landed.status_code == 200 and "dpd_session" in person.cookies, landed.text
        return person

    def approved_company(self, email: str, **payload_options) -> dict:
        """Registered, every email confirmed, approved: the registration's id and reference."""
        registration = self.register(email, **payload_options)
        self.confirm_emails(registration["id"])
        self.decide(registration["id"])
        return registration

    def add_officer(self, email: str, **fields) -> str:
        response = self.http.post(self.url("registration", f"/api/v1/editions/{EDITION}/officers"),
                                  json={**OFFICER, "email": email, **fields}, headers=self.organiser("vetting"),
                                  timeout=TIMEOUT)
        assert response.status_code in (200, 201), response.text
        return str(self.registration_db_value("SELECT id FROM officers WHERE lower(email) = lower(:email)", email=email))

    def edition_id(self) -> str:
        editions = self.http.get(self.url("registration", "/api/v1/editions"), timeout=TIMEOUT).json()["editions"]
        return next(e["id"] for e in editions if e["slug"] == EDITION)

    def set_frame(self, frame: dict | None = None) -> None:
        response = self.http.put(self.url("matchmaking", f"/api/v1/editions/{self.edition_id()}/frame"),
                                 json=frame or frame_for(), headers=self.organiser("matchmaking"), timeout=TIMEOUT)
        assert response.status_code == 200, response.text

    def wait_in_matchmaking(self, registration_id: str | None = None, officer_id: str | None = None,
                            timeout: float = 60) -> None:
        """Until matchmaking's read model has the approved company / the officer (through Kafka)."""
        def there() -> bool:
            with self.engine("matchmaking").connect() as db:
                if registration_id and db.execute(sa.text(
                        "SELECT count(*) FROM organisations WHERE registration_id = :id AND status = 'approved'"),
                        {"id": registration_id}).scalar() == 0:
                    return False
                return not officer_id or db.execute(sa.text(
                    "SELECT count(*) FROM officers WHERE officer_id = :id"), {"id": officer_id}).scalar() > 0
        wait_until(there, timeout, message="matchmaking's read model did not catch up")

    # --- observing ---------------------------------------------------------------------------

    def delegate_ids(self, registration_id: str) -> list[str]:
        with self.engine("registration").connect() as db:
            return [str(i) for i in db.execute(sa.text(
                "SELECT id FROM delegates WHERE registration_id = :id ORDER BY position"),
                {"id": registration_id}).scalars()]

    def registration_ids_by_email(self, emails: list[str]) -> dict[str, str]:
        """Contact email -> registration id, for registrations made outside this object (e.g. by locust)."""
        with self.engine("registration").connect() as db:
            return {email: str(rid) for email, rid in db.execute(sa.text(
                "SELECT email, registration_id FROM delegates WHERE position = 0 AND email = ANY(:emails)"),
                {"emails": emails})}

    def registration_db_value(self, sql: str, **params):
        with self.engine("registration").connect() as db:
            return db.execute(sa.text(sql), params).scalar()

    def consistency_report(self, timeout: float = 120) -> str:
        """`python -m ops consistency` once the services agree (events may still be in flight): what it printed."""
        printed = [""]

        def consistent():
            out = io.StringIO()
            agreed = ops(["consistency"], environ=self.env, out=out) == 0
            printed[0] = out.getvalue()
            return agreed and printed[0]
        return wait_until(consistent, timeout, interval=1,
                          message=lambda: f"the services never agreed; the check said:\n{printed[0]}")

    def count(self, service: str, sql: str, **params) -> int:
        with self.engine(service).connect() as db:
            return db.execute(sa.text(sql), params).scalar()

    def _verification_links(self, registration_id: str) -> list[str]:
        with self.engine("registration").connect() as db:
            return db.execute(sa.text(
                "SELECT envelope->'data'->>'url' FROM outbox_events "
                "WHERE event_type = 'identity.email_verification_requested.v1' AND message_key = :id "
                "ORDER BY position"), {"id": registration_id}).scalars().all()

    def engine(self, service: str) -> sa.Engine:
        return sa.create_engine(self.env[f"{service.upper()}_DATABASE_URL"], poolclass=sa.pool.NullPool)
