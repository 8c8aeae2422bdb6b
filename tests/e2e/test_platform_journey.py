"""The platform as its users meet it, every service and worker a separate process, through HTTP,
Kafka and email only: from a company's registration, through a booth paid on the payment gateway
and its invoice by email, to a B2G meeting on its agenda with calendar invitations, and back.
"""
from __future__ import annotations

import io
import re
from datetime import datetime

import pypdf
import pytest
import requests

from services.registration.manage import create_organiser
from shared.localinfra.ports import wait_until
from tests.support.journeys import calendar_invite, link_in, mail_about, pay_at_checkout, verify_by_email
from tests.support.platform import Platform, frame_for, gateway_simulator
from tests.support.registrations import registration_payload

PASSWORD = "a passphrase for the venue"
SERVICES_IN_JOURNEY = ("registration", "matchmaking", "notification", "billing")
BOOTH = {"kind": "booth", "name": "Booth B-7, Hall B", "unit_price_paise": 1_50_000_00, "quantity": 1,
         "booth": {"hall": "Hall B", "booth_number": "B-7", "x_m": "24", "y_m": "6", "width_m": "3", "depth_m": "3"}}


@pytest.fixture
def gateway(platform_env):
    """Razorpay, played by the gateway simulator: the checkout pages and the signed callbacks."""
    with gateway_simulator(platform_env) as simulator:
        yield simulator


@pytest.fixture
def platform(gateway, services, platform_env, signing_keys) -> Platform:
    """All four services, each web and worker a process; stopped before the gateway goes (set up after it)."""
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate(*SERVICES_IN_JOURNEY)
    platform.start(webs=SERVICES_IN_JOURNEY, workers=SERVICES_IN_JOURNEY, extra_env={"RAZORPAY_API_URL": gateway.url})
    return platform


def organiser_session(platform: Platform, run_id: str) -> dict[str, str]:
    """An organiser account, and its API token from signing in with email and password."""
    email = f"meera.{run_id}@dpd.example.in"
    create_organiser(["--email", email, "--name", "Meera Organiser", "--roles", "vetting,matchmaking,finance"],
                     {**platform.env, "DPD_ORGANISER_PASSWORD": PASSWORD})
    answer = requests.post(platform.url("registration", "/api/v1/auth/token"),
                           json={"email": email, "password": PASSWORD}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def put_up_booth(platform: Platform, finance: dict[str, str], edition_id: str) -> str:
    """Finance finds the edition in billing (it learns of editions from registration) and puts a booth on sale."""
    wait_until(lambda: any(e["id"] == edition_id for e in requests.get(
        platform.url("billing", "/api/v1/editions"), headers=finance, timeout=10).json()["editions"]), 60,
        message="billing never learnt of the edition")
    added = requests.post(platform.url("billing", f"/api/v1/editions/{edition_id}/items"), json=BOOTH,
                          headers=finance, timeout=10)
    assert added.status_code == 201, added.text
    return added.json()["id"]


def test_a_company_registers_buys_a_booth_meets_an_officer_on_its_agenda_and_cancels(platform, gateway, mailbox,
                                                                                      run_id):
    # The organiser (vetting, matchmaking and finance) puts a booth on sale and rosters an officer.
    organiser = organiser_session(platform, run_id)
    edition_id = platform.edition_id()
    booth_id = put_up_booth(platform, organiser, edition_id)
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
    second_delegate = f"{local}+1@{domain}"
    for delegate_email in (contact, second_delegate):
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

    # The company buys the booth and pays on the gateway's checkout. The gateway's callbacks come
    # late, newest first, each twice; the browser comes back last. The order is paid once.
    wait_until(lambda: any(item["id"] == booth_id for item in company.get(
        platform.url("billing", "/api/v1/me/catalogue")).json()["items"]), 60,
        message="the booth never appeared in the company's catalogue")
    placed = company.post(platform.url("billing", "/api/v1/me/orders"), json={"lines": [{"item_id": booth_id}]})
    assert placed.status_code == 201 and placed.json()["status"] == "held", placed.text
    order = placed.json()
    checkout = company.post(platform.url("billing", f"/api/v1/me/orders/{order['id']}/checkout"))
    assert checkout.status_code == 200, checkout.text
    gateway.hold_webhooks()
    back_to_billing = pay_at_checkout(checkout.json())
    assert gateway.release_webhooks(reverse=True, duplicate=2) == ["order.paid", "payment.captured",
                                                                   "payment.authorized"]
    gateway.wait_delivered(6)
    assert all(answer == 200 for webhook in gateway.sent for answer in webhook.answers), \
        "billing took every callback, repeats included, at once"
    returned = requests.post(back_to_billing.action, data=back_to_billing.fields, allow_redirects=False, timeout=10)
    assert returned.status_code == 303 and returned.headers["Location"].endswith(f"/me/orders/{order['id']}")
    paid = company.get(platform.url("billing", f"/api/v1/me/orders/{order['id']}")).json()
    assert paid["status"] == "paid" and paid["payable_paise"] == order["payable_paise"] == 1_77_000_00, paid
    assert [(p["status"], p["amount_paise"]) for p in paid["payments"]] == [("captured", 1_77_000_00)]
    [invoice] = paid["invoices"]

    # The invoice comes by email; its link downloads the PDF without signing in.
    invoice_email = mail_about(mailbox, contact, "Tax invoice")
    assert re.match(r"Tax invoice (\S+) for order", invoice_email["Subject"]).group(1) == invoice["number"]
    download = link_in(invoice_email, "/documents/invoices/")
    assert requests.get(download.replace("signature=", "signature=0"), timeout=10).status_code == 403
    pdf = requests.get(download, timeout=10)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert invoice["number"] in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    # Matchmaking opens once the organiser sets the frame; the officer is among the company's matches.
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

    # Both delegates and the officer are invited by email, for the meeting's time.
    everyone = (contact, second_delegate, officer_email)
    invitations = {email: calendar_invite(mailbox, email, "REQUEST")[1] for email in everyone}
    for invitation in invitations.values():
        assert invitation["UID"] == f"{request_id}@matchmaking.dpd"
        assert invitation["DTSTART"].dt == datetime.fromisoformat(meeting["starts_at"])
        assert invitation["LOCATION"] == f"Table {meeting['table']}, Defence Partnership Days"
    assert "OK      every scheduled meeting has its invitation to both sides (1 checked)" in platform.consistency_report()

    # The company cancels: the meeting leaves both agendas and the organisers' grid.
    cancelled = company.post(platform.url("matchmaking", f"/api/v1/requests/{request_id}/cancel"),
                             json={"reason": "Our chief designer cannot travel that week."})
    assert cancelled.json()["status"] == "cancelled", cancelled.text
    assert company.get(platform.url("matchmaking", "/api/v1/me/agenda")).json()["meetings"] == []
    assert officer.get(platform.url("matchmaking", "/api/v1/me/agenda")).json()["meetings"] == []
    assert requests.get(platform.url("matchmaking", f"/api/v1/editions/{edition_id}/schedule"), headers=organiser,
                        timeout=10).json()["meetings"] == []

    # Everyone hears of it, and the entry leaves their calendars.
    for email in everyone:
        message, cancellation = calendar_invite(mailbox, email, "CANCEL")
        assert "cancelled" in message["Subject"]
        assert cancellation["UID"] == invitations[email]["UID"]
        assert cancellation["SEQUENCE"] > invitations[email]["SEQUENCE"]

    # What each service knows agrees with the others; every email went out once.
    printed = platform.consistency_report()
    assert "OK      every approved organisation has its matchmaking profile (1 checked)" in printed
    assert "OK      every officer on the roster is in matchmaking (1 checked)" in printed
    assert "OK      every paid order has its tax invoice and its email (1 checked)" in printed
    for subject in ("Tax invoice", "Payment received"):
        assert len([m for m in mailbox.messages_to(contact) if subject in m["Subject"]]) == 1, subject
