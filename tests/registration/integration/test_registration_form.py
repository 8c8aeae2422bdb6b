"""The public registration form: the same rules as the API, errors next to the fields, nothing unsafe echoed."""
from __future__ import annotations

import sqlalchemy as sa

from tests.support.registrations import gstin

FORM_URL = "/register/dpd-2026"


def filled(client, **changes) -> dict:
    client.get(FORM_URL)
    form = {"csrf_token": client.get_cookie("dpd_csrf").value, "form_id": "form-1",
            "organisation.legal_name": "Vajra Composites LLP", "organisation.type": "startup",
            "organisation.state": "KA", "organisation.gstin": gstin("29"), "organisation.address": "12 Peenya",
            "organisation.city": "Bengaluru", "organisation.postal_code": "560058",
            "organisation.sectors": ["materials", "aerospace"], "organisation.capabilities": "Carbon-fibre radomes",
            "meeting_interests": ["b2g"], "delegates.0.full_name": "Kavya Menon", "delegates.0.designation": "CEO",
            "delegates.0.email": "kavya@vajra.example.in", "delegates.0.phone": "98450 12345",
            "delegates.0.id_document.type": "aadhaar", "delegates.0.id_document.number": "2345 6789 0123"}
    form.update(changes)
    return form


def test_a_filled_form_registers_and_asks_to_confirm_the_email(client, wiring):
    response = client.post(FORM_URL, data=filled(client))
    assert response.status_code == 201 and b"Check your email" in response.data
    with wiring.engine.connect() as db:
        row = db.execute(sa.text("SELECT legal_name, sectors, status FROM registrations")).one()
        phone = db.execute(sa.text("SELECT phone FROM delegates")).scalar()
    assert row.legal_name == "Vajra Composites LLP" and row.sectors == ["materials", "aerospace"]
    assert row.status == "awaiting_verification" and phone == "+919845012345"
    again = client.post(FORM_URL, data=filled(client))
    assert again.status_code == 201, "a double submit of the same form"
    with wiring.engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM registrations")).scalar() == 1, "registers once"


def test_mistakes_are_shown_next_to_their_fields_and_what_was_typed_is_kept(client, wiring):
    response = client.post(FORM_URL, data=filled(client, **{
        "organisation.legal_name": '<script>alert("x")</script> Ltd',
        "delegates.0.email": "not-an-email", "organisation.sectors": []}))
    page = response.data.decode()
    assert response.status_code == 422
    assert 'id="field-delegates.0.email"' in page and "not valid" in page
    assert "Error:" in page and 'href="#field-organisation.sectors"' in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page, "typed markup is shown as text"
    with wiring.engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM registrations")).scalar() == 0


def test_a_form_without_its_csrf_token_is_refused(client):
    form = filled(client)
    del form["csrf_token"]
    assert client.post(FORM_URL, data=form).status_code == 403


def test_an_unknown_edition_has_no_form(client):
    assert client.get("/register/dpd-1999").status_code == 404


def test_rules_that_span_fields_are_shown_on_the_form_too(client):
    response = client.post(FORM_URL, data=filled(client, **{"organisation.gstin": gstin("07")}))
    assert response.status_code == 422
    assert "This GSTIN was issued in Delhi, but the state given is Karnataka." in response.data.decode()
