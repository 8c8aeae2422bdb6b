"""Personal data: identity numbers never leave the database whole, exports are audited, erasure forgets."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from services.registration.manage import erase_person
from tests.support.journeys import verify_from_outbox
from tests.support.registrations import registration_payload


def register(client, email: str, **organisation) -> str:
    payload = registration_payload(email)
    payload["organisation"].update(organisation)
    registration_id = client.post("/api/v1/registrations", json=payload).json["id"]
    verify_from_outbox(client, client.application.extensions["registration"].engine, registration_id)
    return registration_id


def test_identity_numbers_are_stored_encrypted_and_shown_masked(client, wiring, tokens):
    registration_id = register(client, "secret@example.in")
    with wiring.engine.connect() as db:
        stored = db.execute(sa.text("SELECT * FROM delegates")).one()._mapping
    assert "Z1234567" not in str(dict(stored)), "not in any column"
    assert wiring.personal_data.decrypt(stored["id_document_ciphertext"], context=str(stored["id"])) == "Z1234567"

    client.set_cookie("dpd_session", tokens.organiser("vetting"))
    page = client.get(f"/admin/registrations/{registration_id}").data.decode()
    assert "••••4567" in page and "Z1234567" not in page


def test_the_export_is_for_vetting_only_defuses_formulas_and_is_audited(client, wiring, tokens):
    register(client, "sheet@example.in", legal_name="=HYPERLINK(\"http://evil\") Pvt Ltd")
    client.set_cookie("dpd_session", tokens.organiser("viewer"))
    assert client.get("/admin/registrations.csv").status_code == 403
    client.set_cookie("dpd_session", tokens.organiser("vetting"))

    rows = list(csv.reader(io.StringIO(client.get("/admin/registrations.csv").data.decode())))

    assert rows[0][:3] == ["reference", "status", "legal_name"]
    assert rows[1][2].startswith("'=HYPERLINK"), "a spreadsheet shows it as text, not a live formula"
    assert rows[1][-1] == "••••4567"
    with wiring.engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'registrations.exported'")).scalar() == 1


def test_erasure_scrubs_the_person_and_announces_it(client, wiring, env, capsys):
    registration_id = register(client, "forget.me@example.in")

    erase_person(["--email", "Forget.Me@example.in"], env)

    assert "Erased 1 record(s)" in capsys.readouterr().out
    with wiring.engine.connect() as db:
        person = db.execute(sa.text("SELECT * FROM delegates WHERE registration_id = :id"),
                            {"id": registration_id}).one()._mapping
        event = db.execute(sa.text("SELECT envelope FROM outbox_events WHERE event_type = "
                                   "'registration.personal_data_erased.v1'")).scalar()
    assert person["full_name"] == "(erased)" and "forget.me" not in str(dict(person))
    assert person["id_document_ciphertext"] is None and person["erased_at"] is not None
    assert event["data"] == {"person_id": str(person["id"]), "kind": "delegate", "registration_id": registration_id}
