"""The public registration API over HTTP, against the real database: what a registrant sees."""
from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.registration import service
from services.registration.bootstrap import bootstrap
from services.registration.domain.model import Registration
from services.registration.manage import ensure_edition
from services.registration.web.app import create_app
from services.registration.web.schemas import RegistrationIn
from shared.config import WebSettings, load_settings
from shared.localinfra.ports import free_port, wait_until
from tests.support.journeys import verify_from_outbox
from tests.support.registrations import gstin, registration_payload

URL = "/api/v1/registrations"


def count(wiring, table: str) -> int:
    with wiring.engine.connect() as db:
        return db.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def events_about_registrations(wiring) -> int:
    """Outbox events other than the edition's own (opening the edition announced it)."""
    with wiring.engine.connect() as db:
        return db.execute(sa.text("SELECT count(*) FROM outbox_events "
                                  "WHERE event_type <> 'registration.edition_saved.v1'")).scalar()


def test_a_registration_is_stored_with_its_event_in_the_outbox(client, wiring):
    response = client.post(URL, json=registration_payload("ananya@tejas.example.in", delegates=2))

    assert response.status_code == 201
    body = response.json
    assert body["status"] == "awaiting_verification" and body["reference"].startswith("DPD-")
    assert client.get(response.headers["Location"]).json == {
        "id": body["id"], "reference": body["reference"], "status": "awaiting_verification"}
    with wiring.engine.connect() as db:
        event, other = db.execute(sa.text("SELECT event_type, message_key, envelope FROM outbox_events "
                                          "WHERE message_key = :id ORDER BY position"), {"id": body["id"]}).all()
        phones = db.execute(sa.text("SELECT phone FROM delegates ORDER BY position")).scalars().all()
    assert event.event_type == "identity.email_verification_requested.v1"
    assert event.message_key == body["id"]
    assert event.envelope["data"]["email"] == "ananya@tejas.example.in"
    assert other.envelope["data"]["email"] == "ananya+1@tejas.example.in", "every delegate confirms their address"
    assert phones == ["+919876543210", "+919876543210"], "phones are stored in E.164"

    confirmed = verify_from_outbox(client, wiring.engine, body["id"])
    assert confirmed.status_code == 200 and body["reference"].encode() in confirmed.data
    assert client.get(response.headers["Location"]).json["status"] == "submitted"
    with wiring.engine.connect() as db:
        submitted = db.execute(sa.text("SELECT envelope FROM outbox_events "
                                       "WHERE event_type = 'registration.submitted.v1'")).scalar()
    assert len(submitted["data"]["delegates"]) == 2, "the organisers' event carries the whole delegation"
    again = verify_from_outbox(client, wiring.engine, body["id"])
    assert again.status_code == 200, "following the links twice is harmless"
    assert events_about_registrations(wiring) == 3, "two confirmation requests and one submission: nothing twice"


def test_the_registration_goes_to_vetting_only_once_every_delegate_confirmed_their_address(client, wiring):
    body = client.post(URL, json=registration_payload("ananya@tejas.example.in", delegates=2)).json
    with wiring.engine.connect() as db:
        requests_ = db.execute(sa.text(
            "SELECT envelope->'data' FROM outbox_events WHERE event_type = 'identity.email_verification_requested.v1' "
            "ORDER BY position")).scalars().all()
    assert [(r["email"], r["registered_by"]) for r in requests_] == [
        ("ananya@tejas.example.in", None), ("ananya+1@tejas.example.in", "Ananya Rao")], \
        "each delegate gets their own link; the others hear who named them"

    def follow(url):
        path = "/verify/" + url.rsplit("/verify/", 1)[1]
        client.get(path)
        return client.post(path, data={"csrf_token": client.get_cookie("dpd_csrf").value})

    first = follow(requests_[0]["url"])
    assert first.status_code == 200 and "still waiting for: Ananya Rao 1" in first.get_data(as_text=True)
    assert client.get(f"{URL}/{body['id']}/status").json["status"] == "awaiting_verification"
    second = follow(requests_[1]["url"])
    assert "is now with the organisers" in second.get_data(as_text=True)
    assert client.get(f"{URL}/{body['id']}/status").json["status"] == "submitted"


def test_an_unknown_or_closed_edition_is_refused(client, env):
    unknown = client.post(URL, json=registration_payload("x@tejas.example.in", edition="dpd-1999"))
    assert unknown.status_code == 422 and unknown.json["fields"] == {"edition": ["No such edition."]}
    past = datetime.now(timezone.utc) - timedelta(days=10)
    ensure_edition(env, slug="dpd-2020", name="Defence Partnership Days 2020", venue="Delhi",
                   starts_on=date(2020, 11, 28), ends_on=date(2020, 11, 29), registration_opens_at=past - timedelta(days=5),
                   registration_closes_at=past)
    closed = client.post(URL, json=registration_payload("x@tejas.example.in", edition="dpd-2020"))
    assert closed.status_code == 409 and "closed on" in closed.json["message"]


@pytest.fixture
def other_web_process(env):
    """A second web process on the same database, keeping editions for one second."""
    wiring = bootstrap({**env, "REGISTRATION_EDITION_CACHE_SECONDS": "1"})
    yield create_app(wiring, load_settings(WebSettings, env)).test_client()
    wiring.engine.dispose()


def test_an_organiser_closing_an_edition_stops_registrations_in_every_web_process(client, other_web_process, tokens):
    """Each web process keeps an edition a few seconds (REGISTRATION_EDITION_CACHE_SECONDS): the
    process that saved the edit applies it at once, the others within that time."""
    assert other_web_process.post(URL, json=registration_payload("early@tejas.example.in")).status_code == 201
    edition = next(e for e in client.get("/api/v1/editions").json["editions"] if e["slug"] == "dpd-2026")
    now = datetime.now(timezone.utc)
    closed = client.put(f"/api/v1/editions/{edition['id']}", headers={
        "Authorization": f"Bearer {tokens.organiser('admin')}"}, json={
        "slug": "dpd-2026", "name": "Defence Partnership Days 2026", "venue": "Manekshaw Centre, New Delhi",
        "starts_on": (date.today() + timedelta(days=30)).isoformat(), "ends_on": (date.today() + timedelta(days=31)).isoformat(),
        "registration_opens_at": (now - timedelta(days=2)).isoformat(),
        "registration_closes_at": (now - timedelta(minutes=1)).isoformat()})
    assert closed.status_code == 200
    with other_web_process.application.extensions["registration"].engine.connect() as db:
        announced = db.execute(sa.text("SELECT envelope->'data' FROM outbox_events WHERE event_type = "
                                       "'registration.edition_saved.v1' ORDER BY position DESC LIMIT 1")).scalar()
    assert announced["slug"] == "dpd-2026" and announced["time_zone"] == "Asia/Kolkata"
    assert datetime.fromisoformat(announced["registration_closes_at"]) < now, "other services learn of the edit"

    assert client.post(URL, json=registration_payload("late@tejas.example.in")).status_code == 409
    assert wait_until(lambda: other_web_process.post(URL, json=registration_payload("late@tejas.example.in"))
                      .status_code == 409, timeout=5), "the other process caught up with the edit"


def test_a_reference_already_taken_is_replaced_rather_than_refused(client, wiring):
    """References are random; when one repeats, the registrant still gets in, with another."""
    first = client.post(URL, json=registration_payload("first@tejas.example.in")).json
    form = RegistrationIn().load(registration_payload("twin@tejas.example.in"))
    twin = dataclasses.replace(Registration.submit(
        wiring.editions.by_slug("dpd-2026"), organisation=form["organisation"], delegates=form["delegates"],
        meeting_interests=[], participation_interests=[], now=datetime.now(timezone.utc)), reference=first["reference"])

    stored = service.submit_registration(wiring.engine, wiring.contracts, wiring.personal_data, twin,
                                         client_request_id=None, verify_url="http://x/verify", correlation_id="c")

    assert stored.reference != first["reference"] and stored.reference.startswith("DPD-")
    assert count(wiring, "registrations") == 2


def test_a_retried_request_with_the_same_idempotency_key_registers_once(client, wiring):
    payload = registration_payload("retry@tejas.example.in")
    first = client.post(URL, json=payload, headers={"Idempotency-Key": "form-7f3a"})
    again = client.post(URL, json=payload, headers={"Idempotency-Key": "form-7f3a"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert count(wiring, "registrations") == 1 and events_about_registrations(wiring) == 1


def _without(payload: dict, *path: str) -> dict:
    broken = copy.deepcopy(payload)
    target = broken
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return broken


def _with(payload: dict, value, *path) -> dict:
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


VALID = registration_payload("ok@tejas.example.in")


@pytest.mark.parametrize("payload, field, message", [
    (_without(VALID, "organisation", "legal_name"), ("organisation", "legal_name"), "Missing data"),
    (_with(VALID, 12345, "organisation", "legal_name"), ("organisation", "legal_name"), "Not a valid string"),
    (_with(VALID, "x" * 201, "organisation", "legal_name"), ("organisation", "legal_name"), "at most 200"),
    (_with(VALID, "   ", "organisation", "city"), ("organisation", "city"), "blank"),
    (_with(VALID, "navy_ships", "organisation", "type"), ("organisation", "type"), "Must be one of"),
    (_with(VALID, ["space", "warp_drives"], "organisation", "sectors"), ("organisation", "sectors"), "Must be one of"),
    (_with(VALID, "07AABCT1234F1ZA", "organisation", "gstin"), ("organisation", "gstin"), "check character"),
    (_with(VALID, "ZZ", "organisation", "state"), ("organisation", "state"), ""),
    (_with(VALID, "not-an-email", "delegates", 0, "email"), ("delegates", 0, "email"), "not valid"),
    (_with(VALID, "12345", "delegates", 0, "phone"), ("delegates", 0, "phone"), "Phone number"),
    (_with(VALID, "XX", "delegates", 0, "nationality"), ("delegates", 0, "nationality"), "ISO 3166"),
    (_with(VALID, [], "delegates"), ("delegates",), "Length must be between"),
    (_with(VALID, "everyone", "delegates"), ("delegates",), "Not a valid list"),
    (_with(VALID, True, "organisation", "favourite_colour"), ("organisation", "favourite_colour"), "Unknown field"),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(client, wiring, payload, field, message):
    response = client.post(URL, json=payload)

    assert response.status_code == 422
    assert response.json["error"] == "validation_failed"
    errors = response.json["fields"]
    for key in field:
        errors = errors[str(key)] if str(key) in errors else errors[key]
    assert message in str(errors)
    assert count(wiring, "registrations") == 0 and events_about_registrations(wiring) == 0


def test_a_gstin_from_another_state_is_refused_with_both_states_named(client):
    response = client.post(URL, json=_with(VALID, gstin("27"), "organisation", "gstin"))
    assert response.status_code == 422
    assert response.json["fields"]["organisation.gstin"] == [
        "This GSTIN was issued in Maharashtra, but the state given is Delhi."]


@pytest.mark.parametrize("data, content_type", [
    ("{not json", "application/json"),
    ('["a", "list"]', "application/json"),
    ("legal_name=x", "application/x-www-form-urlencoded"),
])
def test_a_body_that_is_not_a_json_object_is_refused(client, data, content_type):
    response = client.post(URL, data=data, content_type=content_type)
    assert response.status_code == 422
    assert "_body" in response.json["fields"]


def test_an_oversized_body_is_refused_before_it_is_read(client):
    response = client.post(URL, data="x" * (1024 * 1024 + 1), content_type="application/json")
    assert response.status_code == 413


def test_unicode_and_markup_in_names_are_kept_exactly_as_typed(client, wiring):
    name = "Ṣakti <b>Defence</b> & Aerospace \u00e9"  # HTML is data here: escaping happens where it is shown
    response = client.post(URL, json=_with(VALID, name, "organisation", "legal_name"))
    assert response.status_code == 201
    with wiring.engine.connect() as db:
        assert db.execute(sa.text("SELECT legal_name FROM registrations")).scalar() == name


def test_unknown_routes_and_methods_answer_in_json(client):
    assert client.get("/api/v1/nothing-here").json["error"] == "not_found"
    assert client.delete(URL).status_code == 405


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(organisation=st.dictionaries(st.sampled_from(sorted(VALID["organisation"])), _json_values, max_size=8),
       delegates=_json_values)
def test_no_input_whatsoever_gets_a_server_error(client, organisation, delegates):
    payload = {"organisation": {**VALID["organisation"], **organisation}, "delegates": delegates}
    assert client.post(URL, json=payload).status_code in {201, 422}


def test_readiness_reports_a_missing_database_and_requests_get_503_not_500(env, client):
    assert client.get("/readyz").json == {"status": "ready", "checks": {"database": "up", "kafka": "up"}}

    broken = bootstrap({**env, "REGISTRATION_DATABASE_URL": f"postgresql+psycopg://x:y@127.0.0.1:{free_port()}/x"})
    unready = create_app(broken, load_settings(WebSettings, env)).test_client()
    readiness = unready.get("/readyz")
    assert readiness.status_code == 503 and readiness.json["checks"]["database"] == "down"
    assert unready.get("/healthz").status_code == 200, "alive, just not ready"
    assert unready.post(URL, json=VALID).status_code == 503
