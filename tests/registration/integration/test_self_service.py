"""Registrants correct their details and change their delegation through their sign-in link."""
from __future__ import annotations

import sqlalchemy as sa

from services.registration.adapters import queries
from services.registration.domain.editions import CategoryRule
from tests.support.editions import open_edition
from tests.support.journeys import verify_from_outbox
from tests.support.registrations import registration_payload


def signed_in_registrant(client, wiring, email: str, *, approve_with: str | None = None,
                         edition: str = "dpd-2026") -> dict:
    """Register, confirm the email, optionally get approved, and sign in by link as the contact."""
    registration = client.post("/api/v1/registrations", json=registration_payload(email, edition=edition)).json
    verify_from_outbox(client, wiring.engine, registration["id"])
    if approve_with:
        client.post(f"/api/v1/registrations/{registration['id']}/decision", json={"decision": "approve"},
                    headers={"Authorization": f"Bearer {approve_with}"})
    client.post("/api/v1/access-links", json={"email": email})
    with wiring.engine.connect() as db:
        url = db.execute(sa.text("SELECT envelope->'data'->>'url' FROM outbox_events WHERE event_type = "
                                 "'identity.access_link_issued.v1' ORDER BY position DESC LIMIT 1")).scalar()
    path = "/access/" + url.rsplit("/access/", 1)[1]
    client.get(path)
    assert client.post(path, data={"csrf_token": client.get_cookie("dpd_csrf").value}).status_code == 302
    return registration


def write(client, method: str, path: str, body=None):
    return client.open(path, method=method, json=body, headers={"X-CSRF-Token": client.get_cookie("dpd_csrf").value})


def organisation(client) -> dict:
    return client.get("/api/v1/me").json["registration"]


def test_an_approved_registrant_edits_details_freely_but_a_new_name_goes_back_to_vetting(client, wiring, tokens):
    signed_in_registrant(client, wiring, "ceo@tejas.example.in", approve_with=tokens.organiser("vetting"))
    current = registration_payload("x@tejas.example.in")["organisation"]

    minor = write(client, "PUT", "/api/v1/me/organisation", {**current, "products": "MC-8 mission computer"})
    assert minor.json == {"status": "approved"}, "products are not who the organisation is"
    material = write(client, "PUT", "/api/v1/me/organisation", {**current, "products": "MC-8 mission computer",
                                                                 "legal_name": "Tejas Avionics Limited"})
    assert material.json == {"status": "submitted"}
    with wiring.engine.connect() as db:
        updated = db.execute(sa.text("SELECT envelope FROM outbox_events WHERE event_type = 'registration.updated.v1' "
                                     "ORDER BY position DESC LIMIT 1")).scalar()["data"]
    assert updated["changed"] == ["legal_name"] and updated["status"] == "submitted"
    assert write(client, "PUT", "/api/v1/me/organisation", {**current, "gstin": "bogus"}).status_code == 422


def test_the_delegation_changes_within_its_cap_and_keeps_its_contact(client, wiring, env):
    open_edition(env, slug="dpd-capped", categories={"msme": CategoryRule(capacity=None, max_delegates=2)})
    signed_in_registrant(client, wiring, "lead@vajra.example.in", edition="dpd-capped")
    newcomer = {"full_name": "Arjun Nair", "designation": "CTO", "email": "arjun@vajra.example.in",
                "phone": "+91 98450 11111", "id_document": {"type": "pan", "number": "ABCPN1234K"}}

    added = write(client, "POST", "/api/v1/me/delegates", newcomer)
    assert added.status_code == 201
    third = write(client, "POST", "/api/v1/me/delegates", {**newcomer, "email": "third@vajra.example.in"})
    assert third.status_code == 422 and "At most 2 delegates" in str(third.json["fields"])

    people = client.get("/api/v1/me").json["delegates"]
    contact = people[0]["id"]
    assert write(client, "DELETE", f"/api/v1/me/delegates/{contact}").status_code == 409, "the contact stays"
    substitute = write(client, "PUT", f"/api/v1/me/delegates/{added.json['id']}",
                       {**newcomer, "full_name": "Meera Pillai", "email": "meera@vajra.example.in"})
    assert substitute.status_code == 200
    assert [p["full_name"] for p in client.get("/api/v1/me").json["delegates"]] == ["Ananya Rao", "Meera Pillai"]
    assert write(client, "DELETE", f"/api/v1/me/delegates/{substitute.json['id']}").status_code == 204
    with wiring.engine.connect() as db:
        kinds = list(db.execute(sa.text("SELECT event_type FROM outbox_events WHERE event_type LIKE "
                                        "'registration.delegate%' ORDER BY position")).scalars())
    assert kinds == ["registration.delegate_added.v1", "registration.delegate_removed.v1",
                     "registration.delegate_added.v1", "registration.delegate_removed.v1"]


def test_a_delegate_added_later_confirms_their_address_and_vetting_sees_until_they_do(client, wiring, tokens):
    registration = signed_in_registrant(client, wiring, "lead@agni.example.in", approve_with=tokens.organiser("vetting"))
    newcomer = {"full_name": "Arjun Nair", "designation": "CTO", "email": "arjun@agni.example.in",
                "phone": "+91 98450 11111", "id_document": {"type": "pan", "number": "ABCPN1234K"}}
    assert write(client, "POST", "/api/v1/me/delegates", newcomer).status_code == 201
    with wiring.engine.connect() as db:
        request = db.execute(sa.text(
            "SELECT envelope->'data' FROM outbox_events WHERE event_type = 'identity.email_verification_requested.v1' "
            "ORDER BY position DESC LIMIT 1")).scalar()
    assert request["email"] == "arjun@agni.example.in" and request["registered_by"] == "Ananya Rao", \
        "the newcomer hears who named them"

    assert "Arjun Nair has not confirmed their email address yet." in vetting_flags(wiring, registration["id"])
    path = "/verify/" + request["url"].rsplit("/verify/", 1)[1]
    client.get(path)
    confirmed = client.post(path, data={"csrf_token": client.get_cookie("dpd_csrf").value})
    assert "confirmed, as a delegate of Tejas Avionics" in confirmed.get_data(as_text=True)
    assert not any("confirmed their email" in flag for flag in vetting_flags(wiring, registration["id"]))


def vetting_flags(wiring, registration_id: str) -> list[str]:
    return queries.flags(wiring.engine, *queries.registration_detail(wiring.engine, registration_id))


def test_a_registrant_cancels_and_then_cannot_change_anything(client, wiring):
    signed_in_registrant(client, wiring, "bye@example.in")
    assert write(client, "POST", "/api/v1/me/cancel").json["status"] == "cancelled"
    current = registration_payload("x@example.in")["organisation"]
    assert write(client, "PUT", "/api/v1/me/organisation", current).status_code == 409


def test_the_pages_let_a_registrant_correct_details_and_manage_the_delegation(client, wiring):
    signed_in_registrant(client, wiring, "pages@tejas.example.in")
    csrf = client.get_cookie("dpd_csrf").value
    page = client.get("/me/details").data.decode()
    assert 'value="Tejas Avionics Private Limited"' in page, "the form starts from what is stored"

    form = {key: value for key, value in _form_fields(page).items()}
    form.update({"csrf_token": csrf, "organisation.products": "MC-9 mission computer"})
    saved = client.post("/me/details", data=form)
    assert saved.status_code == 302 and organisation(client)["status"] == "submitted"
    refused = client.post("/me/details", data={**form, "organisation.gstin": "27AAPFU0939F1ZV"})
    assert refused.status_code == 422 and "issued in Maharashtra" in refused.data.decode()

    added = client.post("/me/delegates", data={"csrf_token": csrf, "full_name": "Arjun Nair", "designation": "CTO",
                                               "email": "arjun@tejas.example.in", "phone": "9845011111",
                                               "id_document.type": "pan", "id_document.number": "ABCPN1234K"})
    assert added.status_code == 302
    people = client.get("/api/v1/me").json["delegates"]
    assert [p["full_name"] for p in people] == ["Ananya Rao", "Arjun Nair"]
    client.post(f"/me/delegates/{people[1]['id']}/remove", data={"csrf_token": csrf})
    assert len(client.get("/api/v1/me").json["delegates"]) == 1
    me_page = client.get("/me")
    assert me_page.status_code == 200 and "Add a delegate" in me_page.data.decode()
    client.post("/me/cancel", data={"csrf_token": csrf})
    assert organisation(client)["status"] == "cancelled"


def _form_fields(page: str) -> dict:
    """The named inputs of a page's form with their values, as a browser would submit them."""
    import re
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S):
        fields[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        fields[name] = value
    checked = re.findall(r'<input type="checkbox" name="organisation.sectors" value="([^"]+)" checked', page)
    return {**fields, "organisation.sectors": checked}
