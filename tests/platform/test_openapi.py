"""Every service's JSON API is described by an OpenAPI document generated from its marshmallow
schemas, and holds to it: schemathesis fuzzes each running service (no 5xx, every answer as
documented, every malformed request refused with a 4xx)."""
from __future__ import annotations

import re

import pytest
import requests
import schemathesis

from shared.openapi import OPENAPI_PATH, api_doc_of
from shared.testing.openapi_fuzz import examples_per_operation, fuzz_service
from tests.platform.test_route_classification import apps  # noqa: F401 - the fixture, shared
from tests.support.platform import Platform

# The services whose whole JSON API is declared and fuzzed. Billing and notification join this
# list once their routes carry @documented (their fuzz data goes in `seeded_platform`).
DOCUMENTED_SERVICES = ("registration", "matchmaking")


@pytest.fixture
def documented_apps(apps):
    """Each documented service's real app on its migrated database."""
    return {service: app for service, app in apps.items() if service in DOCUMENTED_SERVICES}


def test_every_json_route_declares_what_it_takes_and_gives(documented_apps):
    undeclared = [f"{service}: {sorted(rule.methods - {'HEAD', 'OPTIONS'})} {rule.rule}"
                  for service, app in documented_apps.items() for rule in app.url_map.iter_rules()
                  if (rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz"))
                  and api_doc_of(app.view_functions[rule.endpoint]) is None and rule.rule != OPENAPI_PATH]
    assert undeclared == []


def test_each_document_is_valid_openapi_with_every_operation_typed(documented_apps):
    for service, app in documented_apps.items():
        answer = app.test_client().get(OPENAPI_PATH)
        assert answer.status_code == 200
        document = answer.json
        assert document["openapi"].startswith("3.") and document["servers"] == [{"url": "http://localhost"}]
        operations = [operation for result in schemathesis.openapi.from_dict(document).get_all_operations()
                      for operation in [result.ok()]]
        assert len(operations) >= 15, service
        for path, methods in document["paths"].items():
            assert "<" not in path, f"{service}: {path} keeps a Flask placeholder"
            for method, operation in methods.items():
                assert "503" in operation["responses"], (service, method, path)
                assert any(re.match(r"2\d\d", status) for status in operation["responses"]), (service, method, path)
                if operation["x-access"] != "public":
                    assert operation["security"] == [{"bearer": []}] and "401" in operation["responses"]


def test_registrations_document_shows_the_rules_of_its_fields(documented_apps):
    document = documented_apps["registration"].test_client().get(OPENAPI_PATH).json
    organisation = document["components"]["schemas"]["OrganisationIn"]
    assert organisation["properties"]["legal_name"] == {"type": "string", "minLength": 2, "maxLength": 200}
    assert "msme" in organisation["properties"]["type"]["enum"]
    assert organisation["additionalProperties"] is False
    submit = document["paths"]["/api/v1/registrations"]["post"]
    assert submit["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RegistrationIn"}
    assert {"201", "422", "429", "503"} <= set(submit["responses"])
    status = document["paths"]["/api/v1/registrations/{registration_id}/status"]["get"]
    assert status["parameters"][0] == {"name": "registration_id", "in": "path", "required": True,
                                       "schema": {"type": "string", "format": "uuid"}}


@pytest.fixture
def seeded_platform(services, platform_env, signing_keys, run_id):
    """Registration and matchmaking running as processes, with an approved company, an officer on
    the roster and a schedule frame, so the fuzzer's calls reach real data past the sign-in wall."""
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate("registration", "matchmaking")
    platform.start(webs=("registration", "matchmaking"), workers=("registration", "matchmaking"), threads=4)
    company = platform.approved_company(f"fuzz.{run_id}@tejas.example.in")
    officer_id = platform.add_officer(f"officer.{run_id}@navy.example.in")
    platform.wait_in_matchmaking(company["id"], officer_id)
    platform.set_frame()
    return platform, company


def _credentials(platform: Platform, company: dict):
    def headers(access: str) -> dict[str, str]:
        if access == "public":
            return {}
        if access == "participant":
            return platform.delegate(company["id"])
        # organisers are admins; sign-out (signed_in) gets a throwaway organiser of its own each time
        return platform.organiser("admin")
    return headers


@pytest.mark.parametrize("service", DOCUMENTED_SERVICES)
def test_a_fuzzer_finds_no_server_error_and_no_answer_off_the_document(seeded_platform, service):
    platform, company = seeded_platform
    report = fuzz_service(platform.urls[service], _credentials(platform, company))
    print(f"{service}: {report.operations} operations, {report.cases} cases, statuses {sorted(report.statuses.items())}")
    assert report.failures == [], "\n\n".join(report.failures)
    assert report.operations >= 15
    assert report.cases >= report.operations * min(examples_per_operation(), 5)
    assert not any(status >= 500 for status in report.statuses)
    assert any(200 <= status < 300 for status in report.statuses), "the fuzzer reached past the refusals"
    assert requests.get(f"{platform.urls[service]}/readyz", timeout=5).status_code == 200
