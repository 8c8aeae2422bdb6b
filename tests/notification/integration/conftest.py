"""Notification on a migrated database of its own, with the producers' topics in place."""
from __future__ import annotations

import pytest

from services.notification.bootstrap import bootstrap
from services.notification.manage import migrate
from services.notification.web.app import create_app
from shared.config import WebSettings, load_settings
from tests.notification.integration.published import Bus, create_producer_topics


@pytest.fixture
def env(platform_env, kafka_settings):
    migrate(platform_env)
    create_producer_topics(kafka_settings)
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
def bus(kafka_settings):
    bus = Bus(kafka_settings)
    yield bus
    bus.close()
