"""Registration's app on a migrated database of its own, for the integration tests."""
from __future__ import annotations

import pytest

from services.registration.bootstrap import bootstrap
from services.registration.manage import migrate
from services.registration.web.app import create_app
from shared.config import WebSettings, load_settings
from tests.support.editions import open_edition


@pytest.fixture
def env(platform_env):
    migrate(platform_env)
    open_edition(platform_env)
    return platform_env


@pytest.fixture
def wiring(env):
    wiring = bootstrap(env)
    yield wiring
    wiring.engine.dispose()


@pytest.fixture
def client(wiring, env):
    return create_app(wiring, load_settings(WebSettings, env)).test_client()
