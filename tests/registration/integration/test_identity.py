"""Organisers sign in, manage accounts and approve; participants sign in by single-use link.
Against the real database; events are read from the outbox, where they wait for the relay."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.registration import identity
from services.registration.manage import create_organiser
from services.registration.web.app import create_app
from shared.config import WebSettings, load_settings
from tests.support.journeys import verify_from_outbox
from tests.support.registrations import registration_payload

ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture
def env(env):
    """With an admin to sign in as."""
    create_organiser(["--email", "admin@dpd.example.in", "--name", "Asha Admin", "--roles", "admin"],
                     {**env, "DPD_ORGANISER_PASSWORD": ADMIN_PASSWORD})
    return env


def token_for(client, email: str, password: str) -> str:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return response.json["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def events(wiring, event_type: str) -> list[dict]:
    with wiring.engine.connect() as db:
        return [row.envelope["data"] for row in db.execute(sa.text(
            "SELECT envelope FROM outbox_events WHERE event_type = :t ORDER BY position"), {"t": event_type})]


def test_sign_in_refuses_wrong_passwords_and_unknown_emails_alike(client):
    wrong = client.post("/api/v1/auth/token", json={"email": "admin@dpd.example.in", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", json={"email": "ghost@dpd.example.in", "password": "nope"})
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert wrong.json == unknown.json


def test_an_admin_adds_a_vetting_organiser_who_may_vet_but_not_manage_accounts(client, wiring):
    admin = token_for(client, "ADMIN@dpd.example.in", ADMIN_PASSWORD)
    weak = client.post("/api/v1/organisers", headers=bearer(admin),
                       json={"email": "vijay@dpd.example.in", "name": "Vijay", "roles": ["vetting"], "password": "short"})
    assert weak.status_code == 422 and "password" in weak.json["fields"]
    created = client.post("/api/v1/organisers", headers=bearer(admin), json={
        "email": "vijay@dpd.example.in", "name": "Vijay Vetting", "roles": ["vetting"], "password": "a long passphrase 42"})
    assert created.status_code == 201

    vetter = token_for(client, "vijay@dpd.example.in", "a long passphrase 42")
    assert client.get("/api/v1/registrations", headers=bearer(vetter)).status_code == 200
    assert client.get("/api/v1/organisers", headers=bearer(vetter)).status_code == 403
    [entry] = [e for e in client.get("/api/v1/audit", headers=bearer(admin)).json["entries"]
               if e["action"] == "organiser.created" and e["after"]["email"] == "vijay@dpd.example.in"]
    assert entry["actor_name"] == "Asha Admin" and entry["after"]["roles"] == ["vetting"]
    assert "password" not in str(entry), "no password, not even hashed, in the audit log"


def test_a_role_change_takes_effect_on_the_next_request_and_is_announced(client, wiring):
    admin = token_for(client, "admin@dpd.example.in", ADMIN_PASSWORD)
    account = client.post("/api/v1/organisers", headers=bearer(admin), json={
        "email": "meera@dpd.example.in", "name": "Meera", "roles": ["vetting"], "password": "another long phrase 7"}).json
    meera = token_for(client, "meera@dpd.example.in", "another long phrase 7")
    assert client.get("/api/v1/registrations", headers=bearer(meera)).status_code == 200

    changed = client.put(f"/api/v1/organisers/{account['id']}", headers=bearer(admin),
                         json={"roles": ["finance"], "active": True})
    assert changed.status_code == 204
    assert client.get("/api/v1/registrations", headers=bearer(meera)).status_code in (401, 302), \
        "the old token, with the old role, is refused at once"
    fresh = token_for(client, "meera@dpd.example.in", "another long phrase 7")
    assert client.get("/api/v1/registrations", headers=bearer(fresh)).status_code == 403, "finance is not vetting"
    [revoked] = events(wiring, "identity.access_revoked.v1")
    assert revoked["subject"] == account["id"] and revoked["reason"] == "roles changed"
    audit = [e for e in client.get("/api/v1/audit", headers=bearer(admin)).json["entries"]
             if e["action"] == "organiser.updated"]
    assert audit[0]["before"]["roles"] == ["vetting"] and audit[0]["after"]["roles"] == ["finance"]


def test_a_disabled_organiser_cannot_sign_in_and_an_admin_cannot_lock_themselves_out(client, wiring):
    admin = token_for(client, "admin@dpd.example.in", ADMIN_PASSWORD)
    account = client.post("/api/v1/organisers", headers=bearer(admin), json={
        "email": "gone@dpd.example.in", "name": "Gone", "roles": ["viewer"], "password": "soon to be disabled"}).json
    client.put(f"/api/v1/organisers/{account['id']}", headers=bearer(admin), json={"roles": ["viewer"], "active": False})
    assert client.post("/api/v1/auth/token", json={"email": "gone@dpd.example.in",
                                                   "password": "soon to be disabled"}).status_code == 401
    me = client.get("/api/v1/organisers", headers=bearer(admin)).json["organisers"]
    my_id = next(a["id"] for a in me if a["email"] == "admin@dpd.example.in")
    refused = client.put(f"/api/v1/organisers/{my_id}", headers=bearer(admin), json={"roles": ["viewer"], "active": True})
    assert refused.status_code == 409


def test_sign_out_ends_the_session_everywhere(client, wiring):
    admin = token_for(client, "admin@dpd.example.in", ADMIN_PASSWORD)
    assert client.post("/api/v1/auth/sign-out", headers=bearer(admin)).status_code == 204
    assert client.get("/api/v1/organisers", headers=bearer(admin)).status_code == 401
    assert events(wiring, "identity.access_revoked.v1")[0]["reason"] == "signed out"


def submit_and_approve(client, wiring, admin: str, email: str) -> str:
    registration = client.post("/api/v1/registrations", json=registration_payload(email, delegates=2)).json
    verify_from_outbox(client, wiring.engine, registration["id"])
    approved = client.post(f"/api/v1/registrations/{registration['id']}/decision", headers=bearer(admin),
                           json={"decision": "approve"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    return registration["id"]


def link_secret(wiring) -> str:
    return re.search(r"/access/(.+)$", events(wiring, "identity.access_link_issued.v1")[-1]["url"]).group(1)


def test_approval_is_audited_announced_and_cannot_happen_twice(client, wiring):
    admin = token_for(client, "admin@dpd.example.in", ADMIN_PASSWORD)
    registration_id = submit_and_approve(client, wiring, admin, "contact@approved.example.in")
    again = client.post(f"/api/v1/registrations/{registration_id}/decision", headers=bearer(admin),
                        json={"decision": "approve"})
    assert again.status_code == 409 and "approved" in again.json["message"]
    [approved] = events(wiring, "registration.approved.v1")
    assert approved["registration_id"] == registration_id and len(approved["delegates"]) == 2
    assert approved["access_url"].endswith("/access")


def test_a_participant_signs_in_once_with_an_emailed_link_and_sees_only_their_registration(client, wiring):
    admin = token_for(client, "admin@dpd.example.in", ADMIN_PASSWORD)
    mine = submit_and_approve(client, wiring, admin, "ravi@mine.example.in")
    submit_and_approve(client, wiring, admin, "someone@else.example.in")
    client.post("/api/v1/registrations", json=registration_payload("pending@notyet.example.in"))

    for email in ("ravi@mine.example.in", "pending@notyet.example.in", "stranger@nowhere.example.in"):
        asked = client.post("/api/v1/access-links", json={"email": email})
        assert asked.status_code == 202, "the answer never tells whether the address is known"
    [issued] = events(wiring, "identity.access_link_issued.v1")
    assert issued["email"] == "ravi@mine.example.in", "links only for confirmed registrations"

    secret = link_secret(wiring)
    assert client.get(f"/access/{secret}").status_code == 200, "opening the link does not use it up"
    signed_in = client.post(f"/access/{secret}", data={"csrf_token": client.get_cookie("dpd_csrf").value})
    assert signed_in.status_code == 302 and signed_in.location.endswith("/me")
    me = client.get("/api/v1/me").json
    assert me["registration"]["id"] == mine and me["me"]["name"] == "Ananya Rao"
    assert client.get("/api/v1/registrations").status_code == 403, "a participant is no organiser"

    reused = client.post(f"/access/{secret}", data={"csrf_token": client.get_cookie("dpd_csrf").value})
    assert reused.status_code == 410 and b"used already" in reused.data


def test_an_expired_link_is_refused(client, wiring):
    admin = token_for(client, "admin@dpd.example.in", ADMIN_PASSWORD)
    submit_and_approve(client, wiring, admin, "late@example.in")
    client.post("/api/v1/access-links", json={"email": "late@example.in"})
    with wiring.engine.begin() as db:
        db.execute(sa.text("UPDATE access_links SET expires_at = now() - interval '1 minute'"))
    client.get("/access/x")  # for the CSRF cookie
    refused = client.post(f"/access/{link_secret(wiring)}", data={"csrf_token": client.get_cookie("dpd_csrf").value})
    assert refused.status_code == 410 and b"expired" in refused.data


def test_cookie_forms_without_the_csrf_token_are_refused(client):
    client.get("/admin/sign-in")
    without = client.post("/admin/sign-in", data={"email": "admin@dpd.example.in", "password": ADMIN_PASSWORD})
    assert without.status_code == 403 and without.json["error"] == "csrf_failed"
    with_token = client.post("/admin/sign-in", data={"email": "admin@dpd.example.in", "password": ADMIN_PASSWORD,
                                                     "csrf_token": client.get_cookie("dpd_csrf").value})
    assert with_token.status_code == 302
    cookie = client.get_cookie("dpd_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    forged = client.post("/sign-out", data={"csrf_token": "guessed"})
    assert forged.status_code == 403
    assert client.get("/admin/organisers").status_code == 200, "the forged sign-out changed nothing"


def test_public_writes_are_rate_limited_per_client(wiring, env):
    app = create_app(wiring, load_settings(WebSettings, {**env, "PUBLIC_WRITE_RATE_LIMIT": "3/minute"}))
    client = app.test_client()
    statuses = [client.post("/api/v1/access-links", json={"email": "a@example.in"}).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    refused = client.post("/api/v1/access-links", json={"email": "a@example.in"})
    assert refused.json["error"] == "too_many_requests" and "at most 3 per 1 minute" in refused.json["message"]
    # The sliding window may ask for up to 1 + 1/3 of a minute: 3 hits at the start of a minute
    # still weigh 2 until 20 s into the next one (tests/shared/unit/test_rate_limits.py).
    assert 1 <= int(refused.headers["Retry-After"]) <= 80, "the client is told when to try again"


def test_organiser_sessions_last_a_working_day(wiring):
    session = identity.sign_in_organiser(wiring, "admin@dpd.example.in", ADMIN_PASSWORD)
    assert timedelta(hours=9) < session.expires_at - __import__("datetime").datetime.now(
        __import__("datetime").timezone.utc) <= timedelta(hours=10)
