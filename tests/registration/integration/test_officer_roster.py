"""Importing and keeping the officer roster, and officers signing in by emailed link."""
from __future__ import annotations

import sqlalchemy as sa

from tests.support.roster import GOOD, HEADER

URL = "/api/v1/editions/dpd-2026/officers"


def headers(tokens, role="matchmaking") -> dict:
    return {"Authorization": f"Bearer {tokens.organiser(role)}"}


def event_types(wiring) -> list[str]:
    with wiring.engine.connect() as db:
        return list(db.execute(sa.text("SELECT event_type FROM outbox_events WHERE event_type LIKE "
                                       "'registration.officer%' ORDER BY position")).scalars())


def test_a_roster_imports_once_and_a_corrected_file_updates_in_place(client, wiring, tokens):
    second = "A. Khan,Brigadier,Indian Army,Brigadier General Staff,a.khan@army.example.in,,land_systems,\n"
    imported = client.post(f"{URL}/import", data=HEADER + GOOD + second, content_type="text/csv",
                           headers=headers(tokens))
    assert imported.json == {"added": 2, "updated": 0, "unchanged": 0}

    again = client.post(f"{URL}/import", data=HEADER + GOOD + second, content_type="text/csv", headers=headers(tokens))
    assert again.json == {"added": 0, "updated": 0, "unchanged": 2}, "re-importing never duplicates"
    promoted = second.replace("Brigadier,", "Major General,", 1)
    corrected = client.post(f"{URL}/import", data=HEADER + GOOD + promoted, content_type="text/csv",
                            headers=headers(tokens))
    assert corrected.json == {"added": 0, "updated": 1, "unchanged": 1}

    roster = client.get(URL, headers=headers(tokens, "viewer")).json["officers"]
    assert sorted(o["rank"] for o in roster) == ["Commander", "Major General"]
    assert event_types(wiring) == ["registration.officer_added.v1"] * 2 + ["registration.officer_updated.v1"]


def test_a_file_with_bad_rows_imports_nothing_and_says_which_lines(client, wiring, tokens):
    bad = HEADER + GOOD + "X,,Nowhere,,bad-email,,,\n"
    response = client.post(f"{URL}/import", data=bad, content_type="text/csv", headers=headers(tokens))
    assert response.status_code == 422
    assert [row["line"] for row in response.json["rows"]] == [3]
    assert client.get(URL, headers=headers(tokens)).json["officers"] == []
    binary = client.post(f"{URL}/import", data=b"\xff\xfe\x00bad", content_type="text/csv", headers=headers(tokens))
    assert binary.status_code == 422 and "UTF-8" in binary.json["fields"]["file"][0]


def test_a_removed_officer_leaves_the_roster_and_is_announced(client, wiring, tokens):
    client.post(f"{URL}/import", data=HEADER + GOOD, content_type="text/csv", headers=headers(tokens))
    [officer] = client.get(URL, headers=headers(tokens)).json["officers"]
    assert client.delete(f"/api/v1/officers/{officer['id']}", headers=headers(tokens)).status_code == 204
    assert client.get(URL, headers=headers(tokens)).json["officers"] == []
    assert event_types(wiring)[-1] == "registration.officer_removed.v1"
    assert client.delete(f"/api/v1/officers/{officer['id']}", headers=headers(tokens)).status_code == 409


def test_an_officer_signs_in_by_link_and_sees_their_roster_entry(client, wiring, tokens):
    client.post(f"{URL}/import", data=HEADER + GOOD, content_type="text/csv", headers=headers(tokens))
    assert client.post("/api/v1/access-links", json={"email": "R.Iyer@navy.example.in"}).status_code == 202
    with wiring.engine.connect() as db:
        url = db.execute(sa.text("SELECT envelope->'data'->>'url' FROM outbox_events "
                                 "WHERE event_type = 'identity.access_link_issued.v1'")).scalar()
    path = "/access/" + url.rsplit("/access/", 1)[1]
    client.get(path)
    signed_in = client.post(path, data={"csrf_token": client.get_cookie("dpd_csrf").value})
    assert signed_in.status_code == 302
    me = client.get("/api/v1/me").json
    assert me["officer"]["name"] == "R. Iyer" and me["officer"]["sectors"] == ["naval_systems", "unmanned_systems"]
    assert b"Sonar domes" in client.get("/me").data
    assert client.get(URL).status_code == 403, "an officer is no organiser"
