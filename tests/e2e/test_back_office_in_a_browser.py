"""The back-office and the participant's sign-in as people meet them: in a real Chromium."""
from __future__ import annotations

import importlib
import re

import pytest
import requests
from playwright.sync_api import expect

from services.registration.manage import create_organiser
from shared.testing.browser import PHONE
from tests.support.editions import open_edition
from tests.support.journeys import mail_about, verify_by_email
from tests.support.registrations import registration_payload

PASSWORD = "a passphrase for the venue"


@pytest.fixture
def platform(services, platform_env, run_id):
    for service in ("registration", "notification"):
        importlib.import_module(f"services.{service}.manage").migrate(platform_env)
        services.worker(service)
    open_edition(platform_env)
    for email, roles in ((f"admin.{run_id}@dpd.example.in", "admin"), (f"viewer.{run_id}@dpd.example.in", "viewer")):
        create_organiser(["--email", email, "--name", f"{roles.title()} Organiser", "--roles", roles],
                         {**platform_env, "DPD_ORGANISER_PASSWORD": PASSWORD})
    return {service: services.web(service) for service in ("registration", "notification")}


def sign_in(page, registration_url: str, email: str) -> None:
    page.goto(f"{registration_url}/admin/")
    assert "/admin/sign-in" in page.url, "a signed-out organiser is sent to sign in"
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_organiser_signs_in_sees_the_dashboard_and_moves_between_services(platform, page, mailbox, run_id, tmp_path):
    requests.post(f"{platform['registration']}/api/v1/registrations",
                  json=registration_payload(f"first.{run_id}@example.in"), timeout=10).raise_for_status()
    verify_by_email(mailbox, f"first.{run_id}@example.in")

    sign_in(page, platform["registration"], f"admin.{run_id}@dpd.example.in")

    expect(page.get_by_role("heading", name="Registrations")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Registrations per day"))).to_be_visible()
    assert page.locator(".tile", has_text="awaiting a decision").inner_text().startswith("1")
    assert page.get_by_role("link", name="Registrations").get_attribute("aria-current") == "page"
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    page.get_by_role("link", name="Notifications").click()
    expect(page).to_have_url(re.compile("^" + re.escape(platform["notification"])))
    expect(page.get_by_role("heading", name="Notifications"),
           "the same session works in another service").to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/admin/sign-in"))  # signed out before going anywhere else
    page.goto(f"{platform['notification']}/admin/")
    assert "/admin/sign-in" in page.url


def test_a_viewer_is_refused_pages_outside_their_role(platform, page, run_id):
    sign_in(page, platform["registration"], f"viewer.{run_id}@dpd.example.in")
    expect(page.get_by_role("heading", name="Registrations"), "viewers may look").to_be_visible()

    response = page.goto(f"{platform['registration']}/admin/organisers")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_a_participant_on_a_phone_follows_the_emailed_link(platform, browser, mailbox, run_id, tmp_path):
    email = f"ravi.{run_id}@example.in"
    registration = requests.post(f"{platform['registration']}/api/v1/registrations",
                                 json=registration_payload(email), timeout=10).json()
    verify_by_email(mailbox, email)
    admin = requests.post(f"{platform['registration']}/api/v1/auth/token",
                          json={"email": f"admin.{run_id}@dpd.example.in", "password": PASSWORD}, timeout=10).json()
    requests.post(f"{platform['registration']}/api/v1/registrations/{registration['id']}/decision", json={"decision": "approve"},
                  headers={"Authorization": f"Bearer {admin['token']}"}, timeout=10).raise_for_status()
    phone = browser.new_context(viewport=PHONE)
    try:
        page = phone.new_page()
        page.goto(f"{platform['registration']}/access")
        page.get_by_label("Your email address").fill(email)
        page.get_by_role("button", name="Email me a sign-in link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

        link_mail = mail_about(mailbox, email, "sign-in link")
        link = re.search(r"(http://\S+/access/\S+)", link_mail.get_body(("plain",)).get_content()).group(1)
        page.goto(link)
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Tejas Avionics Private Limited")).to_be_visible()
        expect(page.get_by_text("Ananya Rao, Director, Business Development (you)")).to_be_visible()
        page.screenshot(path=tmp_path / "participant-phone.png", full_page=True)
    finally:
        phone.close()
