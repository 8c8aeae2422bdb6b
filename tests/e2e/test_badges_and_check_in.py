"""An approved delegate's e-badge: emailed, scanned once at the gate, refused once cancelled."""
from __future__ import annotations

import io

import pytest
import requests
import zxingcpp
from PIL import Image

from services.notification.manage import migrate as migrate_notification
from services.registration.manage import migrate as migrate_registration
from shared.localinfra.ports import wait_until
from tests.support.editions import open_edition
from tests.support.journeys import link_in, mail_about, verify_by_email
from tests.support.registrations import registration_payload


@pytest.fixture
def platform(services, platform_env):
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    open_edition(platform_env)
    services.worker("registration")
    services.worker("notification")
    return services.web("registration")


def test_the_badge_is_mailed_admits_once_and_is_refused_after_cancellation(platform, mailbox, run_id, tokens):
    email = f"badge.{run_id}@example.in"
    staff = {"Authorization": f"Bearer {tokens.organiser('vetting')}"}
    registration = requests.post(f"{platform}/api/v1/registrations", json=registration_payload(email), timeout=10).json()
    verify_by_email(mailbox, email)
    requests.post(f"{platform}/api/v1/registrations/{registration['id']}/decision", json={"decision": "approve"},
                  headers=staff, timeout=10).raise_for_status()

    badge_mail = mail_about(mailbox, email, "e-badge")
    png = requests.get(link_in(badge_mail, ".png"), timeout=10)
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    [scanned] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    pdf = requests.get(link_in(badge_mail, ".pdf"), timeout=10)
    assert pdf.content.startswith(b"%PDF")

    first = requests.post(f"{platform}/api/v1/check-ins", json={"code": scanned.text}, headers=staff, timeout=10)
    assert first.json()["status"] == "checked_in" and first.json()["full_name"] == "Ananya Rao"
    again = requests.post(f"{platform}/api/v1/check-ins", json={"code": scanned.text.lower()}, headers=staff, timeout=10)
    assert again.json()["status"] == "already_checked_in"
    forged = scanned.text[:-1] + ("A" if scanned.text[-1] != "A" else "B")
    assert requests.post(f"{platform}/api/v1/check-ins", json={"code": forged}, headers=staff,
                         timeout=10).status_code == 422

    requests.post(f"{platform}/api/v1/registrations/{registration['id']}/cancel", headers=staff,
                  timeout=10).raise_for_status()
    wait_until(lambda: requests.post(f"{platform}/api/v1/check-ins", json={"code": scanned.text}, headers=staff,
                                     timeout=10).status_code == 410, timeout=30, message="the badge was never revoked")
    assert requests.get(link_in(badge_mail, ".png"), timeout=10).status_code == 410
