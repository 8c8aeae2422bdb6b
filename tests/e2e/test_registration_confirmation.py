"""The first slice: a registration over HTTP becomes a confirmation email, through Kafka, across services."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from services.notification.manage import migrate as migrate_notification
from services.registration.manage import migrate as migrate_registration
from shared.localinfra.ports import wait_until
from tests.support.editions import open_edition
from tests.support.journeys import mail_about, verify_by_email
from tests.support.registrations import registration_payload


def _start_slice(services, platform_env) -> str:
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    open_edition(platform_env)
    services.worker("registration")
    services.worker("notification")
    return services.web("registration", workers=2)


def test_a_registration_is_confirmed_by_email_and_then_acknowledged(services, platform_env, mailbox, run_id):
    registration_url = _start_slice(services, platform_env)
    email = f"ananya.{run_id}@tejas-avionics.example.in"

    response = requests.post(f"{registration_url}/api/v1/registrations", json=registration_payload(email), timeout=10)

    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    [check] = mailbox.wait_for_count(1, to=email, timeout=60)
    assert check["Subject"] == f"Confirm your email to complete the registration of Tejas Avionics Private Limited ({reference})"
    assert "Dear Ananya Rao" in check.get_body(("plain",)).get_content()

    verify_by_email(mailbox, email)
    received = mail_about(mailbox, email, "Registration received")
    assert reference in received["Subject"]
    assert "now with the organisers" in received.get_body(("plain",)).get_content()


def test_a_thousand_concurrent_registrations_give_a_thousand_emails_none_twice(services, platform_env, mailbox, run_id):
    registration_url = _start_slice(services, platform_env)
    emails = [f"delegate{i}.{run_id}@example.in" for i in range(1000)]
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

    def submit(email: str) -> int:
        return session.post(f"{registration_url}/api/v1/registrations", json=registration_payload(email),
                            timeout=60).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(submit, emails))

    assert statuses.count(201) == 1000
    def delivered() -> list[str]:
        return [message["To"] for message in mailbox.messages() if run_id in message["To"]]

    wait_until(lambda: len(delivered()) >= 1000, timeout=240, message=lambda: f"{len(delivered())} of 1000 arrived")
    wait_until(lambda: pipeline_is_idle(platform_env), timeout=60, message="the pipeline never went idle")
    assert sorted(delivered()) == sorted(emails), "every registrant exactly once, nobody twice"


def pipeline_is_idle(platform_env) -> bool:
    """Nothing left to publish in registration, nothing left to send in notification."""
    with sa.create_engine(platform_env["REGISTRATION_DATABASE_URL"], poolclass=sa.pool.NullPool).connect() as db:
        unpublished = db.execute(sa.text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")).scalar()
    with sa.create_engine(platform_env["NOTIFICATION_DATABASE_URL"], poolclass=sa.pool.NullPool).connect() as db:
        unsent = db.execute(sa.text("SELECT count(*) FROM outbound_emails WHERE status = 'pending'")).scalar()
        consumed = db.execute(sa.text("SELECT count(*) FROM processed_events "
                                      "WHERE event_type = 'identity.email_verification_requested.v1'")).scalar()
    return unpublished == 0 and unsent == 0 and consumed == 1000
