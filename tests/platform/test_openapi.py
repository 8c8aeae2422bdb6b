"""Every service's JSON API is described by an OpenAPI document generated from its marshmallow
schemas, and holds to it: schemathesis fuzzes each running service (no 5xx, every answer as
documented, every malformed request refused with a 4xx)."""
from __future__ import annotations

import re

import pytest
import requests
import schemathesis

from shared.localinfra.ports import wait_until
from shared.openapi import OPENAPI_PATH, api_doc_of
from shared.testing.openapi_fuzz import examples_per_operation, fuzz_service
from tests.platform.test_route_classification import apps  # noqa: F401 - the fixture, shared
from tests.support.platform import TIMEOUT, Platform, gateway_simulator

# The services whose whole JSON API is declared and fuzzed.
DOCUMENTED_SERVICES = ("registration", "matchmaking", "billing", "notification")
# How many operations each document has at least. Notification's back office is pages only: its
# JSON is the health, readiness and audit routes every service has.
FEWEST_OPERATIONS = {"registration": 15, "matchmaking": 15, "billing": 22, "notification": 3}


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
        assert len(operations) >= FEWEST_OPERATIONS[service], service
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


def test_billings_document_shows_its_money_in_paise_and_the_webhooks_signature(documented_apps):
    document = documented_apps["billing"].test_client().get(OPENAPI_PATH).json
    line = document["components"]["schemas"]["LineIn"]
    assert line["properties"]["quantity"] == {"type": "integer", "default": 1, "minimum": 1, "maximum": 10000}
    place = document["paths"]["/api/v1/me/orders"]["post"]
    assert {"200", "201", "409", "422"} <= set(place["responses"])
    assert {"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 60},
            "description": place["parameters"][0]["description"]} == place["parameters"][0]
    webhook = document["paths"]["/api/v1/gateway/{name}/webhook"]["post"]
    assert webhook["x-access"] == "public" and "security" not in webhook
    signature = next(p for p in webhook["parameters"] if p["name"] == "X-Razorpay-Signature")
    assert signature["in"] == "header" and signature["required"] is True
    assert {"200", "400", "404"} <= set(webhook["responses"])


@pytest.fixture
def seeded_platform(request, services, platform_env, signing_keys, run_id):
    """The service under test (`request.param`) running as processes with what its fuzz needs, so
    the fuzzer's calls reach real data past the sign-in wall:
    - registration, matchmaking: an approved company, an officer on the roster and a schedule frame;
    - billing: an approved buyer (through registration's events), an edition on sale with its
      catalogue, a held order and a paid one with its invoice, a refund and its credit note;
    - notification: the service itself (its JSON is health, readiness and the audit log)."""
    service = request.param
    platform = Platform(services, platform_env, signing_keys)
    company = None
    if service in ("registration", "matchmaking"):
        platform.migrate("registration", "matchmaking")
        platform.start(webs=("registration", "matchmaking"), workers=("registration", "matchmaking"), threads=4)
        company = platform.approved_company(f"fuzz.{run_id}@tejas.example.in")
        officer_id = platform.add_officer(f"officer.{run_id}@navy.example.in")
        platform.wait_in_matchmaking(company["id"], officer_id)
        platform.set_frame()
    elif service == "billing":
        gateway = request.getfixturevalue("fuzz_gateway")
        platform.migrate("registration", "billing")
        platform.start(webs=("registration",), workers=("registration",), threads=4)
        billing_env = {"RAZORPAY_API_URL": gateway.url}
        platform.workers["billing"] = services.worker("billing", extra_env=billing_env)
        platform.urls["billing"] = services.web("billing", threads=4, extra_env=billing_env)
        company = platform.approved_company(f"fuzz.{run_id}@tejas.example.in")
        _open_sales_with_orders(platform, company["id"])
    else:
        platform.migrate("notification")
        platform.start(webs=("notification",), threads=4)
    return service, platform, company


@pytest.fixture
def fuzz_gateway(platform_env):
    """The payment gateway simulator billing's checkout and refunds talk to during the fuzz."""
    with gateway_simulator(platform_env) as sim:
        yield sim


def _open_sales_with_orders(platform: Platform, registration_id: str) -> None:
    """Finance opens the edition for sale; the company (once billing knows it as a buyer) places
    an order it leaves held and one finance marks paid by bank transfer and then part-refunds."""
    def billing_knows_the_buyer() -> bool:
        return platform.count("billing", "SELECT count(*) FROM buyers WHERE registration_id = :id AND approved",
                              id=registration_id) == 1
    wait_until(billing_knows_the_buyer, 60, message="billing did not hear of the approved company")

    def call(method: str, path: str, headers: dict, expected: int, **body) -> dict:
        response = platform.http.request(method, platform.url("billing", path), json=body or None, headers=headers,
                                         timeout=TIMEOUT)
        assert response.status_code == expected, response.text
        return response.json()

    finance, buyer = platform.organiser("finance"), platform.delegate(registration_id)
    edition_id = platform.edition_id()
    call("PUT", f"/api/v1/editions/{edition_id}", finance, 200, name="Defence Partnership Days 2026",
         venue_state="DL")
    items = {item["name"]: call("POST", f"/api/v1/editions/{edition_id}/items", finance, 201, **item)["id"]
             for item in (
                 {"kind": "sponsorship", "name": "Silver", "unit_price_paise": 2_00_000_00, "quantity": 5,
                  "matchmaking_priority": 5},
                 {"kind": "booth", "name": "A-1", "unit_price_paise": 1_50_000_00, "quantity": 1,
                  "booth": {"hall": "Hall A", "booth_number": "A-1", "x_m": "0", "y_m": "0", "width_m": "3",
                            "depth_m": "3"}},
                 {"kind": "branding", "name": "Lanyards", "unit_price_paise": 200_00, "quantity": 1000})}
    call("POST", "/api/v1/me/orders", buyer, 201, lines=[{"item_id": items["Lanyards"], "quantity": 10}])
    paid = call("POST", "/api/v1/me/orders", buyer, 201, lines=[{"item_id": items["Silver"]}])
    call("POST", f"/api/v1/orders/{paid['id']}/bank-transfers", finance, 201, reference="UTR-FUZZ-0001",
         amount_paise=paid["payable_paise"])
    call("POST", f"/api/v1/orders/{paid['id']}/refunds", finance, 201, amount_paise=1_000_00,
         reason="A goodwill discount", reference="UTR-FUZZ-0002")


def _credentials(platform: Platform, company: dict | None):
    def headers(access: str) -> dict[str, str]:
        if access == "public":
            return {}
        if access == "participant":
            assert company is not None, "a service with participant routes needs a company in seeded_platform"
            return platform.delegate(company["id"])
        # organisers are admins; sign-out (signed_in) gets a throwaway organiser of its own each time
        return platform.organiser("admin")
    return headers


@pytest.mark.parametrize("seeded_platform", DOCUMENTED_SERVICES, indirect=True)
def test_a_fuzzer_finds_no_server_error_and_no_answer_off_the_document(seeded_platform):
    service, platform, company = seeded_platform
    report = fuzz_service(platform.urls[service], _credentials(platform, company))
    print(f"{service}: {report.operations} operations, {report.cases} cases, statuses {sorted(report.statuses.items())}")
    assert report.failures == [], "\n\n".join(report.failures)
    assert report.operations >= FEWEST_OPERATIONS[service]
    assert report.cases >= report.operations * min(examples_per_operation(), 5)
    assert not any(status >= 500 for status in report.statuses)
    assert any(200 <= status < 300 for status in report.statuses), "the fuzzer reached past the refusals"
    assert requests.get(f"{platform.urls[service]}/readyz", timeout=5).status_code == 200
