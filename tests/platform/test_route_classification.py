"""Every route of every service is classified, and every non-public one refuses the wrong caller."""
from __future__ import annotations

import importlib
import re
import uuid

import pytest

from shared.access import access_of
from shared.config import WebSettings, load_settings
from shared.testing.fixtures import SERVICES


@pytest.fixture
def apps(platform_env):
    """Each service's real app, on its migrated database."""
    made = {}
    for service in SERVICES:
        importlib.import_module(f"services.{service}.manage").migrate(platform_env)
        wiring = importlib.import_module(f"services.{service}.bootstrap").bootstrap(platform_env)
        made[service] = importlib.import_module(f"services.{service}.web.app").create_app(
            wiring, load_settings(WebSettings, platform_env))
    yield made
    for app in made.values():
        for extension in app.extensions.values():
            if hasattr(extension, "engine"):
                extension.engine.dispose()


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        path = re.sub(r"<uuid:[^>]+>", str(uuid.uuid4()), rule.rule)
        path = re.sub(r"<[^>]+>", "some-value", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path, access_of(app.view_functions[rule.endpoint])


def test_every_route_of_every_service_is_classified(apps):
    unclassified = [f"{service}: {method} {path}" for service, app in apps.items()
                    for endpoint, method, path, access in routes(app) if access is None]
    assert unclassified == []


def call(client, method: str, path: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, headers=headers, json={} if method != "GET" else None)


def test_non_public_routes_refuse_anonymous_callers_wrong_kinds_and_wrong_roles(apps, tokens):
    checked = 0
    for service, app in apps.items():
        client = app.test_client()
        for endpoint, method, path, access in routes(app):
            if access.kind == "public":
                continue
            anonymous = call(client, method, path)
            assert anonymous.status_code in (401, 302), f"{service} {method} {path} let an anonymous caller in"
            if anonymous.status_code == 302:
                assert "/admin/sign-in" in anonymous.location or "/access" in anonymous.location
            if access.kind == "organiser":
                assert call(client, method, path, tokens.participant()).status_code == 403, (service, path)
                outsiders = {"vetting", "matchmaking", "finance", "viewer"} - access.roles
                for role in sorted(outsiders):
                    assert call(client, method, path, tokens.organiser(role)).status_code == 403, (service, path, role)
            if access.kind == "participant":
                assert call(client, method, path, tokens.organiser("admin")).status_code == 403, (service, path)
            forged = tokens.organiser("admin")[:-4] + "AAAA"
            assert call(client, method, path, forged).status_code in (401, 302), (service, path)
            checked += 1
    assert checked >= 20, "the walk reached the routes it was meant to"


def test_every_page_and_read_api_answers_its_rightful_caller_without_error(apps, tokens):
    """A walk with the right token: nothing that a person can open ends in a server error."""
    for service, app in apps.items():
        client = app.test_client()
        for endpoint, method, path, access in routes(app):
            if method != "GET" or access.kind == "public":
                continue
            token = tokens.participant() if access.kind == "participant" else tokens.organiser("admin")
            response = client.get(path, headers={"Authorization": f"Bearer {token}",
                                                 "Accept": "text/html" if "/api/" not in path else "application/json"})
            assert response.status_code in (200, 404), f"{service} GET {path}: {response.status_code}"
