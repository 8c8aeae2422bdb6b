"""Sign-in reaches across services: one token for all of them, one sign-out that ends it
everywhere (through Kafka), and a participant's emailed link that leads to their own page."""
from __future__ import annotations

import importlib
import re

import pytest
import requests

from services.registration.manage import create_organiser
from shared.localinfra.ports import wait_until
from shared.testing.fixtures import SERVICES
from tests.support.editions import open_edition
from tests.support.journeys import mail_about, verify_by_email
from tests.support.registrations import registration_payload

PASSWORD = "a passphrase for the venue"


@pytest.fixture
def platform(services, platform_env, run_id):
    """All four services and their workers, and an admin to sign in as."""
    for service in SERVICES:
        importlib.import_module(f"services.{service}.manage").migrate(platform_env)
    open_edition(platform_env)
    admin_email = f"admin.{run_id}@dpd.example.in"
    create_organiser(["--email", admin_email, "--name", "Asha Admin", "--roles", "admin"],
                     {**platform_env, "DPD_ORGANISER_PASSWORD": PASSWORD})
    urls = {}
    for service in SERVICES:
        services.worker(service)
        urls[service] = services.web(service)
    return urls, admin_email


def organiser_token(urls, email) -> str:
    response = requests.post(f"{urls['registration']}/api/v1/auth/token", json={"email": email, "password": PASSWORD},
                             timeout=10)
    assert response.status_code == 200
    return response.json()["token"]


def status_at(url: str, token: str) -> int:
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10, allow_redirects=False).status_code


def test_one_sign_out_ends_the_session_in_every_service(platform):
    urls, admin_email = platform
    token = organiser_token(urls, admin_email)
    for service in SERVICES:
        assert status_at(f"{urls[service]}/admin/", token) == 200, service

    assert requests.post(f"{urls['registration']}/api/v1/auth/sign-out",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 204

    for service in SERVICES:
        wait_until(lambda: status_at(f"{urls[service]}/admin/", token) in (302, 401), timeout=30,
                   message=f"{service} still honours a signed-out token")


def test_an_approved_participant_follows_the_emailed_link_to_their_own_page(platform, mailbox, run_id):
    urls, admin_email = platform
    token = organiser_token(urls, admin_email)
    email = f"ananya.{run_id}@tejas.example.in"
    registration = requests.post(f"{urls['registration']}/api/v1/registrations", json=registration_payload(email),
                                 timeout=10).json()
    verify_by_email(mailbox, email)
    requests.post(f"{urls['registration']}/api/v1/registrations/{registration['id']}/decision", json={"decision": "approve"},
                  headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()

    approval = mail_about(mailbox, email, "approved")
    access_page = re.search(r"(http://\S+/access)\b", approval.get_body(("plain",)).get_content()).group(1)

    browser = requests.Session()
    browser.get(access_page, timeout=10)
    asked = browser.post(access_page, data={"email": email, "csrf_token": browser.cookies["dpd_csrf"]}, timeout=10)
    assert asked.status_code == 200 and "Check your email" in asked.text
    link_mail = mail_about(mailbox, email, "sign-in link")
    link = re.search(r"(http://\S+/access/\S+)", link_mail.get_body(("plain",)).get_content()).group(1)

    confirm = browser.get(link, timeout=10)
    assert "Continue" in confirm.text
    mine = browser.post(link, data={"csrf_token": browser.cookies["dpd_csrf"]}, timeout=10)
    assert mine.url.endswith("/me") and registration["reference"] in mine.text
    assert "Ananya Rao" in mine.text and "(you)" in mine.text
