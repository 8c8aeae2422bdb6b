"""The platform as its users meet it, every service and worker a separate process, through HTTP,
Kafka and email only: from a company's registration to a B2G meeting on its agenda, and back.

(The booth purchase and its invoice, and the calendar invitations by email, join this journey
with billing's and notification's parts of issue 8.)
"""
from __future__ import annotations

import io

import pytest
import requests

from ops.__main__ import main as ops
from services.registration.manage import create_organiser
from shared.localinfra.ports import wait_until
from tests.support.journeys import mail_about, verify_by_email
from tests.support.platform import Platform, frame_for
from tests.support.registrations import registration_payload

PASSWORD = "a passphrase for the venue"
SERVICES_IN_JOURNEY = ("registration", "matchmaking", "notification")


@pytest.fixture
def platform(services, platform_env, signing_keys) -> Platform:
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate(*SERVICES_IN_JOURNEY)
    platform.start(webs=SERVICES_IN_JOURNEY, workers=SERVICES_IN_JOURNEY)
    return platform


def organiser_session(platform: Platform, run_id: str) -> dict[str, str]:
    """An organiser account, and its API token from signing in with email and password."""
    email = f"meera.{run_id}@dpd.example.in"
    create_organiser(["--email", email, "--name", "Meera Organiser", "--roles", "vetting,matchmaking"],
                     {**platform.env, "DPD_ORGANISER_PASSWORD": PASSWORD})
    answer = requests.post(platform.url("registration", "/api/v1/auth/token"),
                           json={"email": email, "password": PASSWORD}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_a_company_registers_meets_an_officer_on_its_agenda_and_cancels(platform, mailbox, run_id):
    organiser = organiser_session(platform, run_id)
    officer_email = f"r.iyer.{run_id}@navy.example.in"
    rostered = requests.post(platform.url("registration", "/api/v1/editions/dpd-2026/officers"), headers=organiser,
                             json={"name": "R. Iyer", "rank": "Commander", "organisation": "navy",
                                   "appointment": "Director, Naval Design", "email": officer_email,
                                   "sectors": ["aerospace", "naval_systems"],
                                   "requirements": "Avionics mission computers for the utility helicopter"},
                             timeout=10)
    assert rostered.status_code == 201, rostered.text

    # A company registers with two delegates; each confirms their own address from the email.
    contact = f"ananya.{run_id}@tejas.example.in"
    registered = requests.post(platform.url("registration", "/api/v1/registrations"),
                               json=registration_payload(contact, delegates=2), timeout=10)
    assert registered.status_code == 201, registered.text
    registration = registered.json()
    local, domain = contact.split("@")
    for delegate_email in (contact, f"{local}+1@{domain}"):
        verify_by_email(mailbox, delegate_email)
    assert mail_about(mailbox, contact, "Registration received")
    assert requests.get(platform.url("registration", f"/api/v1/registrations/{registration['id']}/status"),
                        timeout=10).json()["status"] == "submitted"

    # The organiser approves it; the company hears of it and signs in with an emailed link.
    decided = requests.post(platform.url("registration", f"/api/v1/registrations/{registration['id']}/decision"),
                            json={"decision": "approve"}, headers=organiser, timeout=10)
    assert decided.json()["status"] == "approved", decided.text
    assert mail_about(mailbox, contact, "approved")
    company = platform.sign_in_by_link(mailbox, contact)
    assert company.get(platform.url("registration", "/api/v1/me")).json()["registration"]["status"] == "approved"

    # Matchmaking opens once the organiser sets the frame; the officer is among the company's matches.
    edition_id = platform.edition_id()
    framed = requests.put(platform.url("matchmaking", f"/api/v1/editions/{edition_id}/frame"), json=frame_for(),
                          headers=organiser, timeout=10)
    assert framed.status_code == 200, framed.text
    officer_key = wait_until(lambda: next((r["key"] for r in company.get(
        platform.url("matchmaking", "/api/v1/me/recommendations")).json().get("recommendations", [])
        if r["kind"] == "officer"), None), 60, message="the officer never appeared among the recommendations")

    asked = company.post(platform.url("matchmaking", "/api/v1/requests"),
                         json={"receiver": officer_key, "agenda": "MC-7 mission computer for the ALH Mk III"})
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]

    # The officer signs in by link, finds the request and accepts it.
    officer = platform.sign_in_by_link(mailbox, officer_email)
    received = officer.get(platform.url("matchmaking", "/api/v1/me/requests")).json()["received"]
    assert [(r["id"], r["status"], r["requester_name"]) for r in received] == [
        (request_id, "pending", "Tejas Avionics Private Limited")]
    assert officer.post(platform.url("matchmaking", f"/api/v1/requests/{request_id}/accept"),
                        json={}).json()["status"] == "accepted"

    # The organiser runs the scheduler (the worker solves it) and publishes the schedule.
    queued = requests.post(platform.url("matchmaking", f"/api/v1/editions/{edition_id}/schedule-runs"),
                           json={"time_limit_seconds": 5}, headers=organiser, timeout=10)
    assert queued.status_code == 202, queued.text
    run_url = platform.url("matchmaking", f"/api/v1/schedule-runs/{queued.json()['id']}")
    run = wait_until(lambda: (lambda r: r if r["status"] not in ("queued", "running") else None)(
        requests.get(run_url, headers=organiser, timeout=10).json()), 90, message="the scheduler run never ended")
    assert run["status"] == "finished" and run["figures"]["placed"] == 1, run
    published = requests.post(f"{run_url}/publish", headers=organiser, json={}, timeout=10)
    assert published.json()["scheduled"] == 1, published.text

    # Both agendas show the meeting, at the same table and time.
    [meeting] = company.get(platform.url("matchmaking", "/api/v1/me/agenda")).json()["meetings"]
    assert meeting["meeting_id"] == request_id and meeting["kind"] == "b2g"
    assert meeting["agenda"] == "MC-7 mission computer for the ALH Mk III" and meeting["table"].startswith("G")
    [officers_view] = officer.get(platform.url("matchmaking", "/api/v1/me/agenda")).json()["meetings"]
    assert (officers_view["starts_at"], officers_view["table"]) == (meeting["starts_at"], meeting["table"])
    calendar = company.get(platform.url("matchmaking", "/api/v1/me/agenda.ics"))
    assert calendar.headers["Content-Type"].startswith("text/calendar") and request_id in calendar.text

    # The company cancels: the meeting leaves both agendas and the organisers' grid.
    cancelled = company.post(platform.url("matchmaking", f"/api/v1/requests/{request_id}/cancel"),
                             json={"reason": "Our chief designer cannot travel that week."})
    assert cancelled.json()["status"] == "cancelled", cancelled.text
    assert company.get(platform.url("matchmaking", "/api/v1/me/agenda")).json()["meetings"] == []
    assert officer.get(platform.url("matchmaking", "/api/v1/me/agenda")).json()["meetings"] == []
    assert requests.get(platform.url("matchmaking", f"/api/v1/editions/{edition_id}/schedule"), headers=organiser,
                        timeout=10).json()["meetings"] == []

    # What each service knows agrees with the others.
    def consistent() -> str | None:
        out = io.StringIO()
        return out.getvalue() if ops(["consistency"], environ=platform.env, out=out) == 0 else None
    printed = wait_until(consistent, 60, message="the services never agreed")
    assert "OK      every approved organisation has its matchmaking profile (1 checked)" in printed
    assert "OK      every officer on the roster is in matchmaking (1 checked)" in printed
