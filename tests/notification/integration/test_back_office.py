"""Organisers' side of notification, on its real database: template previews, the delivery log
with resend, announcements to segments of the directory, and erasure."""
from __future__ import annotations

import html
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from services.notification import contracts as c
from services.notification.adapters import segments
from services.notification.adapters.rendering import TEMPLATE_FOLDER, Renderer
from services.notification.adapters.tables import announcements, audit_log, contacts, outbound_emails
from services.notification.announcements import AnnouncementFanOut
from services.notification.catalogue import TEMPLATES, sample_email
from services.notification.domain.messages import EmailToSend, Recipient
from services.notification.domain.segments import Segment
from services.notification.handlers import handlers
from services.notification.queueing import Cause, EmailQueue
from shared.consumer import ReceivedEvent
from shared.events import Envelope
from tests.notification.integration.published import (
    benefit_event, delegate, edition_saved, email_verification, officer_added, personal_data_erased,
    registration_event)


def apply(wiring, envelope: Envelope) -> None:
    """What the consumer does with an event off the wire, in one transaction."""
    wire = Envelope.from_json(envelope.to_json())
    received = ReceivedEvent(envelope=wire, data=wiring.contracts.load_data(wire), correlation_id=f"test-{wire.id}")
    with wiring.engine.begin() as connection:
        handlers(wiring.queue, wiring.links)[wire.type](connection, received)


def signed_in(client, tokens, role: str) -> str:
    """Sign the test client in as an organiser with `role`; returns the CSRF token forms must echo."""
    client.set_cookie("dpd_session", tokens.organiser(role))
    client.get("/admin/")
    return client.get_cookie("dpd_csrf").value


def emails_to(wiring, address: str) -> list[sa.Row]:
    with wiring.engine.connect() as db:
        return db.execute(sa.select(outbound_emails).where(outbound_emails.c.recipient_email == address)
                          .order_by(outbound_emails.c.created_at)).all()


def test_organisers_preview_every_template_with_sample_data(client, wiring, tokens):
    signed_in(client, tokens, "viewer")
    listing = client.get("/admin/templates").get_data(as_text=True)
    for template in TEMPLATES:
        assert template.label in html.unescape(listing)
        page = client.get(f"/admin/templates/{template.name}")
        assert page.status_code == 200, template.name
        email = sample_email(template.name, wiring.links)
        rendered = wiring.queue.renderer.render(email.template, email.context)
        assert rendered.subject in html.unescape(page.get_data(as_text=True))
        assert ("BEGIN:VCALENDAR" in page.get_data(as_text=True)) == (email.calendar is not None)
    assert client.get("/admin/templates/no_such_template").status_code == 404


def test_the_delivery_log_finds_emails_by_person_cause_status_and_day(client, wiring, tokens, run_id):
    edition = str(uuid.uuid4())
    ananya, vikram = f"ananya.{run_id}@example.in", f"vikram.{run_id}@example.in"
    apply(wiring, email_verification(ananya, "Ananya Rao"))
    apply(wiring, registration_event(c.REGISTRATION_APPROVED, [delegate(vikram, "Vikram Singh")], edition_id=edition))
    with wiring.engine.begin() as db:
        db.execute(outbound_emails.update().where(outbound_emails.c.recipient_email == vikram)
                   .values(status="failed", last_error="550 5.1.1 mailbox unavailable"))
    signed_in(client, tokens, "finance")

    def found(**query) -> str:
        page = client.get("/admin/deliveries", query_string=query)
        assert page.status_code == 200
        return page.get_data(as_text=True)

    assert ananya in found(person="ananya rao") and vikram not in found(person="ananya rao")
    assert vikram in found(person=f"VIKRAM.{run_id}") and ananya not in found(person=f"VIKRAM.{run_id}")
    by_cause = found(event_type=c.REGISTRATION_APPROVED)
    assert vikram in by_cause and ananya not in by_cause
    failed = found(status="failed")
    assert vikram in failed and "550 5.1.1 mailbox unavailable" in failed and ananya not in failed
    today = date.today()
    assert ananya in found(since=(today - timedelta(days=1)).isoformat(), until=(today + timedelta(days=1)).isoformat())
    assert ananya not in found(since=(today + timedelta(days=2)).isoformat())
    refused = client.get("/admin/deliveries", query_string={"since": "28/11/2026", "status": "lost"})
    assert refused.status_code == 422
    assert "Not a valid date." in refused.get_data(as_text=True) and "Must be one of" in refused.get_data(as_text=True)


def test_an_organiser_reads_the_email_as_sent_and_resends_it_with_an_audit_trail(client, wiring, tokens, run_id):
    ananya = f"ananya.{run_id}@example.in"
    apply(wiring, email_verification(ananya))
    [original] = emails_to(wiring, ananya)
    csrf = signed_in(client, tokens, "vetting")

    page = client.get(f"/admin/deliveries/{original.id}").get_data(as_text=True)
    assert html.escape(original.subject) in page and "Thank you for registering" in page
    assert f'srcdoc="{escape(original.html_body)}"' in page  # the HTML part, in a sandboxed frame

    answer = client.post(f"/admin/deliveries/{original.id}/resend", data={"csrf_token": csrf})
    assert answer.status_code == 302
    original_again, copy = emails_to(wiring, ananya)
    assert original_again.id == original.id and answer.location.endswith(f"/admin/deliveries/{copy.id}")
    assert (copy.resent_from, copy.status, copy.subject, copy.html_body) == (original.id, "pending", original.subject,
                                                                            original.html_body)
    with wiring.engine.connect() as db:
        [entry] = db.execute(sa.select(audit_log).where(audit_log.c.action == "email.resent")).all()
    assert entry.target_id == original.id and entry.after["copy"] == copy.id and entry.actor_name == "Test vetting"

    signed_in(client, tokens, "viewer")
    assert client.post(f"/admin/deliveries/{original.id}/resend", data={"csrf_token": csrf}).status_code == 403
    assert len(emails_to(wiring, ananya)) == 2


@pytest.fixture
def directory(wiring, run_id) -> dict:
    """Two editions: in the first, an approved sponsor with two delegates, a waitlisted company and an
    officer; in the second, another approved company."""
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    people = {name: f"{name}.{run_id}@example.in" for name in ("ananya", "vikram", "waiting", "iyer", "other")}
    sponsor = str(uuid.uuid4())
    apply(wiring, edition_saved(first, "Defence Partnership Days 2026"))
    apply(wiring, registration_event(c.REGISTRATION_APPROVED, [delegate(people["ananya"], "Ananya Rao"),
                                                               delegate(people["vikram"], "Vikram Singh")],
                                     edition_id=first, registration_id=sponsor))
    apply(wiring, benefit_event(c.SPONSORSHIP_CONFIRMED, sponsor, edition_id=first))
    apply(wiring, registration_event(c.REGISTRATION_WAITLISTED, [delegate(people["waiting"])], edition_id=first))
    apply(wiring, officer_added(people["iyer"], "Cdr R. Iyer", edition_id=first))
    apply(wiring, registration_event(c.REGISTRATION_APPROVED, [delegate(people["other"])], edition_id=second))
    return {"first": first, "second": second, "people": people}


def test_segments_are_drawn_from_the_directory_kept_from_the_events(wiring, directory):
    people, first = directory["people"], directory["first"]

    def members(segment: Segment, edition_id) -> set[str]:
        with wiring.engine.connect() as db:
            return set(db.execute(sa.select(segments.members(segment, edition_id).c.email)).scalars())

    assert members(Segment.APPROVED_DELEGATES, first) == {people["ananya"], people["vikram"]}
    assert members(Segment.APPROVED_DELEGATES, None) == {people["ananya"], people["vikram"], people["other"]}
    assert members(Segment.SPONSORS, first) == {people["ananya"], people["vikram"]}
    assert members(Segment.EXHIBITORS, None) == set()
    assert members(Segment.OFFICERS, first) == {people["iyer"]}
    assert members(Segment.EVERYONE, first) == {people["ananya"], people["vikram"], people["iyer"]}


def test_an_announcement_is_drafted_previewed_sent_once_to_its_segment_and_then_frozen(
        client, wiring, tokens, directory):
    people, first = directory["people"], directory["first"]
    csrf = signed_in(client, tokens, "vetting")
    refused = client.post("/admin/announcements", data={"csrf_token": csrf, "segment": "everybody", "subject": "Hi",
                                                        "body": ""})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Choose who should receive it." in page and "Length must be between 3 and 200." in page, page

    created = client.post("/admin/announcements", data={
        "csrf_token": csrf, "segment": "approved_delegates", "edition_id": first, "subject": "Venue access",
        "body": "Gates open at 08:00.\n\nBring your <badge>."})
    assert created.status_code == 302
    detail = client.get(created.location).get_data(as_text=True)
    assert "2 people are in this segment now." in detail and "Dear Ananya Rao," in detail
    assert "All delegates of approved registrations</strong>, Defence Partnership Days 2026" in detail
    assert "Bring your &amp;lt;badge&amp;gt;." in detail  # escaped in the email, then again in the srcdoc attribute
    announcement_id = created.location.rsplit("/", 1)[1]

    assert client.post(f"/admin/announcements/{announcement_id}/send", data={"csrf_token": csrf}).status_code == 302
    again = client.post(f"/admin/announcements/{announcement_id}/send", data={"csrf_token": csrf}, follow_redirects=True)
    assert "This announcement has already been sent." in again.get_data(as_text=True)
    changed = client.post(f"/admin/announcements/{announcement_id}", follow_redirects=True, data={
        "csrf_token": csrf, "segment": "officers", "subject": "Venue access", "body": "Something else entirely."})
    assert "it can no longer change" in changed.get_data(as_text=True)

    fan_out = AnnouncementFanOut(wiring.engine, wiring.queue, batch_size=1)
    while fan_out.queue_next_batch():
        pass
    with wiring.engine.connect() as db:
        queued = db.execute(sa.select(outbound_emails.c.recipient_email, outbound_emails.c.text_body)
                            .where(outbound_emails.c.event_id == f"announcement:{announcement_id}")).all()
        row = db.execute(sa.select(announcements).where(announcements.c.id == announcement_id)).one()
    assert sorted(email for email, _ in queued) == sorted([people["ananya"], people["vikram"]])
    assert all("Gates open at 08:00.\n\nBring your <badge>." in text for _, text in queued)
    assert (row.status, row.recipients, row.sent_by) == ("sent", 2, "Test vetting")
    progress = client.get(f"/admin/announcements/{announcement_id}").get_data(as_text=True)
    assert "waiting to be sent" in progress and ">2</span> <span class=\"tile__label\">recipients" in progress
    with wiring.engine.connect() as db:
        actions = db.execute(sa.select(audit_log.c.action).where(audit_log.c.target_id == announcement_id)
                             .order_by(audit_log.c.at)).scalars().all()
    assert actions == ["announcement.drafted", "announcement.sent"]


def test_only_announcers_may_write_and_send(client, tokens, directory):
    csrf = signed_in(client, tokens, "finance")
    assert client.get("/admin/announcements").status_code == 200
    assert client.post("/admin/announcements", data={"csrf_token": csrf, "segment": "officers", "subject": "Hello",
                                                      "body": "A message for everyone."}).status_code == 403


def test_erasure_forgets_the_person_stops_their_waiting_emails_and_keeps_only_that_they_were_sent(
        client, wiring, tokens, run_id):
    ananya, vikram = delegate(f"ananya.{run_id}@example.in"), delegate(f"vikram.{run_id}@example.in", "Vikram Singh")
    apply(wiring, registration_event(c.REGISTRATION_APPROVED, [ananya, vikram], edition_id=str(uuid.uuid4())))

    apply(wiring, personal_data_erased(ananya["delegate_id"]))

    with wiring.engine.connect() as db:
        left = set(db.execute(sa.select(contacts.c.email)).scalars())
        rows = db.execute(sa.select(outbound_emails)).all()
    assert left == {vikram["email"]}
    [erased] = [row for row in rows if row.recipient_email != vikram["email"]]
    assert erased.recipient_email == f"erased+{erased.id}@invalid" and erased.subject == "(erased)"
    assert erased.text_body == "" and erased.recipient_name is None and erased.status == "failed"
    assert [row.status for row in rows if row.recipient_email == vikram["email"]] == ["pending"]
    csrf = signed_in(client, tokens, "vetting")
    refused = client.post(f"/admin/deliveries/{erased.id}/resend", data={"csrf_token": csrf}, follow_redirects=True)
    assert "personal data was erased" in refused.get_data(as_text=True)


def test_the_directory_follows_delegates_leaving_a_registration(wiring, run_id):
    edition, registration_id = str(uuid.uuid4()), str(uuid.uuid4())
    ananya, vikram = delegate(f"ananya.{run_id}@example.in"), delegate(f"vikram.{run_id}@example.in", "Vikram Singh")
    apply(wiring, registration_event(c.REGISTRATION_SUBMITTED, [ananya, vikram], edition_id=edition,
                                     registration_id=registration_id))
    apply(wiring, registration_event(c.REGISTRATION_SUBMITTED, [ananya], edition_id=edition,
                                     registration_id=registration_id))
    with wiring.engine.connect() as db:
        assert set(db.execute(sa.select(contacts.c.email)).scalars()) == {ananya["email"]}


def test_a_contacts_language_picks_their_version_of_an_email(wiring, run_id, tmp_path):
    for name in ("_layout.html", "badge_ready.txt", "badge_ready.html", "badge_ready.subject.txt"):
        (tmp_path / name).write_text((TEMPLATE_FOLDER / name).read_text())
    (tmp_path / "hi").mkdir()
    (tmp_path / "hi" / "badge_ready.subject.txt").write_text("आपका ई-बैज तैयार है")
    hindi, english = delegate(f"hindi.{run_id}@example.in"), delegate(f"english.{run_id}@example.in")
    apply(wiring, registration_event(c.REGISTRATION_SUBMITTED, [hindi, english], edition_id=str(uuid.uuid4())))
    with wiring.engine.begin() as db:
        db.execute(contacts.update().where(contacts.c.email == hindi["email"]).values(language="hi"))

    queue = EmailQueue(Renderer(tmp_path), sender="DPD <no-reply@dpd.test>")
    context = {"role": "Delegate", "png_url": "http://x/b.png", "pdf_url": "http://x/b.pdf"}
    with wiring.engine.begin() as db:
        queue.queue(db, Cause("badges-1", c.BADGE_ISSUED, "test"), [
            EmailToSend(Recipient(person["email"], person["full_name"]), "badge_ready",
                        {**context, "full_name": person["full_name"]}) for person in (hindi, english)])

    assert emails_to(wiring, hindi["email"])[-1].subject == "आपका ई-बैज तैयार है"
    assert emails_to(wiring, english["email"])[-1].subject == "Your e-badge for Defence Partnership Days"
