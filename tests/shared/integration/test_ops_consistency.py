"""`python -m ops consistency` reads registration's, matchmaking's and notification's own databases
and names what one of them is missing of what another announced; exit 1 when anything is."""
from __future__ import annotations

import contextlib
import importlib
import io
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ops.__main__ import main
from services.matchmaking.adapters import tables as matchmaking
from services.notification.adapters import tables as notification
from services.registration.adapters import tables as registration

NOW = datetime.now(timezone.utc)
SERVICES_CHECKED = ("registration", "matchmaking", "notification")


def ops(*argv: str, env: dict) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stderr(out):
        code = main(list(argv), env, out)
    return code, out.getvalue()


class Databases:
    """Rows written straight into each service's database, as its consumers would have left them."""

    def __init__(self, env: dict):
        self.engines = {s: sa.create_engine(env[f"{s.upper()}_DATABASE_URL"], poolclass=sa.pool.NullPool)
                        for s in SERVICES_CHECKED}
        self.edition_id = str(uuid.uuid4())
        with self.engines["registration"].begin() as db:
            db.execute(registration.editions.insert().values(
                id=self.edition_id, slug="dpd-2026", name="DPD 2026", venue="Manekshaw Centre", time_zone="Asia/Kolkata",
                starts_on=date.today(), ends_on=date.today(), registration_opens_at=NOW - timedelta(days=1),
                registration_closes_at=NOW + timedelta(days=1)))

    def insert(self, service: str, table: sa.Table, **values) -> None:
        with self.engines[service].begin() as db:
            db.execute(table.insert().values(**values))

    def execute(self, service: str, statement) -> None:
        with self.engines[service].begin() as db:
            db.execute(statement)

    def company(self, name: str, *, status="approved", in_matchmaking=True, contact=True) -> tuple[str, str]:
        registration_id, delegate_id = str(uuid.uuid4()), str(uuid.uuid4())
        reference = f"DPD-{registration_id[:6].upper()}"
        self.insert("registration", registration.registrations, id=registration_id, edition_id=self.edition_id,
                    reference=reference, status=status, submitted_at=NOW, legal_name=name, organisation_type="msme",
                    country="IN", address="Okhla", city="New Delhi", postal_code="110020", sectors=["aerospace"],
                    capabilities="Avionics", products="", meeting_interests=["b2g"], participation_interests=[])
        self.insert("registration", registration.delegates, id=delegate_id, registration_id=registration_id,
                    position=0, full_name=f"{name} Contact", designation="Director", email=f"{delegate_id[:8]}@firm.in",
                    phone="+919876543210", nationality="IN")
        if in_matchmaking:
            self.insert("matchmaking", matchmaking.organisations, registration_id=registration_id,
                        edition_id=self.edition_id, reference=reference, legal_name=name, organisation_type="msme",
                        status=status)
        if contact:
            self.insert("notification", notification.contacts, person_id=delegate_id, registration_id=registration_id,
                        email=f"{delegate_id[:8]}@firm.in", full_name=f"{name} Contact")
        return registration_id, reference

    def officer(self, name: str, *, in_matchmaking=True) -> str:
        officer_id = str(uuid.uuid4())
        self.insert("registration", registration.officers, id=officer_id, edition_id=self.edition_id, name=name,
                    rank="Commander", organisation="navy", appointment="Director", email=f"{officer_id[:8]}@navy.in",
                    sectors=["aerospace"], requirements="")
        if in_matchmaking:
            self.insert("matchmaking", matchmaking.officers, officer_id=officer_id, edition_id=self.edition_id,
                        name=name, rank="Commander", organisation="navy", appointment="Director",
                        email=f"{officer_id[:8]}@navy.in")
        return officer_id

    def meeting(self, company: str, officer: str, *, invited: tuple[str, ...] = ("company", "officer")) -> str:
        """A published meeting, the event that placed it (published), and notification's emails from it."""
        meeting_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
        starts = NOW + timedelta(days=30)
        self.insert("matchmaking", matchmaking.meeting_requests, id=meeting_id, edition_id=self.edition_id, kind="b2g",
                    requester=f"company:{company}", receiver=f"officer:{officer}", requested_by_id="x",
                    requested_by_name="x", agenda="Avionics", part_of_day="any", status="accepted",
                    respond_by=starts, pair_low=f"company:{company}", pair_high=f"officer:{officer}")
        self.insert("matchmaking", matchmaking.meetings, request_id=meeting_id, edition_id=self.edition_id,
                    starts_at=starts, ends_at=starts + timedelta(minutes=20), table_label="G1", sequence=0)
        emails = {"company": "ceo@firm.in", "officer": "cdr@navy.in"}
        sides = {"requester": {"name": "Firm", "people": [{"name": "CEO", "email": emails["company"]}]},
                 "receiver": {"name": "Cdr Officer", "people": [{"name": "Cdr", "email": emails["officer"]}]}}
        self.insert("matchmaking", matchmaking.outbox, event_id=event_id, topic="matchmaking.events",
                    message_key=meeting_id, event_type="matchmaking.meeting_scheduled.v1",
                    envelope={"id": event_id, "data": sides}, correlation_id="c", published_at=NOW)
        for side in invited:
            self.insert("notification", notification.outbound_emails, id=str(uuid.uuid4()), event_id=event_id,
                        event_type="matchmaking.meeting_scheduled.v1", recipient_email=emails[side],
                        template="meeting_scheduled", subject="Meeting", text_body="", html_body="",
                        correlation_id="c")
        return meeting_id


@pytest.fixture
def databases(platform_env):
    for service in SERVICES_CHECKED:
        importlib.import_module(f"services.{service}.manage").migrate(platform_env)
    made = Databases(platform_env)
    yield made
    for engine in made.engines.values():
        engine.dispose()


def test_a_consistent_platform_passes(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    databases.company("Bharat Forge", status="submitted", in_matchmaking=False, contact=False)
    officer = databases.officer("R. Iyer")
    databases.meeting(firm, officer)

    code, printed = ops("consistency", env=platform_env)

    assert code == 0, printed
    assert "OK      every approved organisation has its matchmaking profile (1 checked)" in printed
    assert "OK      every scheduled meeting has its invitation to both sides (1 checked)" in printed
    assert printed.rstrip().endswith("Everything is consistent.")


def test_what_is_missing_is_named_and_fails_the_command(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    _, lost = databases.company("Lost Optics", in_matchmaking=False, contact=False)
    cancelled, stale = databases.company("Stale Forge")
    databases.execute("registration", registration.registrations.update().where(
        registration.registrations.c.id == cancelled).values(status="cancelled"))
    databases.officer("Unknown Officer", in_matchmaking=False)
    officer = databases.officer("R. Iyer")
    half_invited = databases.meeting(firm, officer, invited=("company",))

    code, printed = ops("consistency", env=platform_env)

    assert code == 1
    assert f"{lost} Lost Optics" in printed and "no matchmaking profile" in printed
    assert f"{stale} Stale Forge" in printed and "is cancelled, but matchmaking still has it as approved" in printed
    assert "Lost Optics Contact" in printed and "is not a notification contact" in printed
    assert "officer Unknown Officer" in printed and "not in matchmaking" in printed
    assert f"meeting {half_invited}: no invitation to Cdr Officer (cdr@navy.in)" in printed
    assert "Tejas Avionics" not in printed.split("MISSING every approved organisation has")[1].split("OK")[0]
    assert printed.rstrip().endswith("5 problem(s) found.")


def test_an_announcement_still_in_the_outbox_is_reported_as_in_flight(databases, platform_env):
    firm, _ = databases.company("Tejas Avionics")
    officer = databases.officer("R. Iyer")
    meeting = databases.meeting(firm, officer, invited=())
    databases.execute("matchmaking", matchmaking.outbox.update().values(published_at=None))

    code, printed = ops("consistency", env=platform_env)

    assert code == 1
    assert f"meeting {meeting}: its announcement waits in matchmaking's outbox" in printed
    assert "Events not yet published (a finding may be one of them in flight; run again shortly): matchmaking 1" \
        in printed
