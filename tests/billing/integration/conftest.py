"""Billing on a migrated database of its own: its app in-process, or its real gunicorn with the
payment gateway simulator beside it."""
from __future__ import annotations

import pytest
import requests

from services.billing.bootstrap import bootstrap
from services.billing.manage import migrate
from services.billing.web.app import create_app
from shared.config import WebSettings, load_settings
from tests.billing.support import open_sales
from tests.support.platform import gateway_simulator


@pytest.fixture
def gateway(platform_env):
    """The payment gateway simulator, sending its webhooks to billing's public URL."""
    with gateway_simulator(platform_env) as sim:
        yield sim


@pytest.fixture
def env(platform_env, gateway):
    platform_env["RAZORPAY_API_URL"] = gateway.url
    migrate(platform_env)
    return platform_env


@pytest.fixture
def wiring(env):
    wiring = bootstrap(env)
    yield wiring
    wiring.engine.dispose()


@pytest.fixture
def client(wiring, env):
    return create_app(wiring, load_settings(WebSettings, env)).test_client()


@pytest.fixture
def finance(tokens) -> dict:
    return {"Authorization": f"Bearer {tokens.organiser('finance')}"}


@pytest.fixture
def catalogue(client, tokens) -> dict[str, str]:
    return open_sales(client, tokens.organiser("finance"))


@pytest.fixture
def server(services, env, catalogue, tmp_path):
    """Billing's real web process (2 workers x 8 threads, as deployed) on the catalogue above.
    A request it failed with a server error fails the test, even one the gateway retried."""
    yield services.web("billing", workers=2, threads=8, extra_env={"RAZORPAY_API_URL": env["RAZORPAY_API_URL"]})
    errors = [line for log in tmp_path.glob("billing-web-*.log") for line in log.read_text().splitlines()
              if '"message": "unhandled error"' in line]
    assert not errors, f"billing answered with server errors: {errors[0][:3000]}"


def as_buyer(tokens, registration_id: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tokens.participant(registration_id)}"
    return session
