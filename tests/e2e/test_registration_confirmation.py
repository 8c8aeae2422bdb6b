"""The first slice: a registration over HTTP becomes a confirmation email, through Kafka, across services."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from services.notification.manage import migrate as migrate_notification
from services.registration.manage import migrate as migrate_registration
from shared.localinfra.ports import wait_until
from tests.support.registrations import registration_payload


def _start_slice(services, platform_env) -> str:
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    services.worker("registration")
    services.worker("notification")
    return services.web("registration", workers=2)


def test_a_registration_gets_a_confirmation_email(services, platform_env, mailbox, run_id):
    registration_url = _start_slice(services, platform_env)
    email = f"ananya.{run_id}@tejas-avionics.example.in"

    response = requests.post(f"{registration_url}/api/v1/registrations", json=registration_payload(email), timeout=10)

    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    [message] = mailbox.wait_for_count(1, to=email, timeout=60)
    assert reference in message["Subject"]
    assert "Tejas Avionics Private Limited" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Ananya Rao" in body and reference in body


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
        consumed = db.execute(sa.text("SELECT count(*) FROM processed_events")).scalar()
    return unpublished == 0 and unsent == 0 and consumed == 1000
