"""The worker as deployed, against the real Kafka, PostgreSQL and SMTP server: every email once,
nothing lost while the mail server is down, undeliverable mail parked on the dead-letter topic
without holding up the rest, calendar invites that update one entry, and digests."""
from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from icalendar import Calendar

from services.notification import contracts as c
from services.notification.adapters.tables import digest_items
from shared.localinfra.ports import free_port, wait_until
from shared.localinfra.smtp import SmtpSink
from shared.testing.kafka_topics import committed_offsets, produce_raw, read_topic
from tests.notification.integration.published import (
    SLOT_START, delegate, email_verification, meeting, meeting_event, placed, registration_event)

FAST_RETRIES = {"NOTIFICATION_FIRST_RETRY_SECONDS": "0.3"}


def rows(env, where: str = "true") -> list:
    engine = sa.create_engine(env["NOTIFICATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        return db.execute(sa.text(f"SELECT * FROM outbound_emails WHERE {where} ORDER BY created_at")).all()


def committed(kafka_settings, topic: str) -> int:
    return sum(offset for partition, offset in committed_offsets(kafka_settings, "notification").items()
               if partition.topic == kafka_settings.topic(topic))


def test_an_event_delivered_twice_gives_one_email(env, services, bus, mailbox, run_id, kafka_settings):
    email = f"twice.{run_id}@example.in"
    event = email_verification(email)
    bus.publish(c.IDENTITY_EVENTS_TOPIC, event)
    bus.publish(c.IDENTITY_EVENTS_TOPIC, event)

    services.worker("notification")

    mailbox.wait_for_count(1, to=email, timeout=60)
    wait_until(lambda: committed(kafka_settings, c.IDENTITY_EVENTS_TOPIC) == 2, timeout=30,
               message="the worker never acknowledged both copies")
    wait_until(lambda: not rows(env, "status = 'pending'"), timeout=30)
    assert len(mailbox.messages_to(email)) == 1
    assert len(rows(env)) == 1


def test_emails_queued_while_the_mail_server_is_down_all_arrive_once_it_is_back(env, services, bus, tmp_path, run_id):
    sink = SmtpSink(tmp_path / "mail", port=free_port())  # this test's own server: others share the session's
    addresses = [f"patient{i}.{run_id}@example.in" for i in range(5)]
    services.worker("notification", extra_env={"SMTP_PORT": str(sink.port), **FAST_RETRIES})
    for address in addresses:
        bus.publish(c.IDENTITY_EVENTS_TOPIC, email_verification(address))
    wait_until(lambda: len(rows(env, "status = 'pending' AND last_error IS NOT NULL")) == 5, timeout=60,
               message="the dispatcher never found the server down")

    try:
        sink.start()
        delivered = sink.mailbox.wait_for_count(5, timeout=60)
        wait_until(lambda: len(rows(env, "status = 'sent'")) == 5, timeout=30)
    finally:
        sink.stop()
    assert sorted(message["X-Delivered-To"] for message in delivered) == sorted(addresses), "each once"
    assert all(row.last_error is None and row.attempts >= 1 for row in rows(env))


def test_a_refused_address_lands_on_the_dead_letter_topic_and_the_others_are_delivered(
        env, services, bus, mailbox, run_id, kafka_settings):
    bounce, first, second = (f"{name}.{run_id}@example.in" for name in ("bounce", "first", "second"))
    for address in (first, bounce, second):
        bus.publish(c.IDENTITY_EVENTS_TOPIC, email_verification(address))

    services.worker("notification")

    mailbox.wait_for_count(1, to=first, timeout=60)
    mailbox.wait_for_count(1, to=second, timeout=60)
    [dead] = read_topic(kafka_settings, c.EMAILS_DEAD_LETTER_TOPIC, at_least=1)
    envelope = json.loads(dead.value)
    assert envelope["type"] == c.EMAIL_DEAD_LETTERED
    assert envelope["data"]["recipient"] == bounce and envelope["data"]["permanent"] is True
    assert "550" in envelope["data"]["error"] and envelope["data"]["attempts"] == 1
    [failed] = rows(env, "status = 'failed'")
    assert failed.recipient_email == bounce and str(failed.id) == envelope["data"]["email_id"]
    assert mailbox.messages_to(bounce) == []


def test_an_email_still_failing_after_its_bounded_attempts_is_dead_lettered_with_its_error(
        env, services, bus, run_id, kafka_settings):
    nobody_listens = free_port()
    services.worker("notification", extra_env={"SMTP_PORT": str(nobody_listens), "NOTIFICATION_FIRST_RETRY_SECONDS": "0.2",
                                               "NOTIFICATION_MAX_DELIVERY_ATTEMPTS": "3"})
    bus.publish(c.IDENTITY_EVENTS_TOPIC, email_verification(f"unlucky.{run_id}@example.in"))

    [dead] = read_topic(kafka_settings, c.EMAILS_DEAD_LETTER_TOPIC, at_least=1, timeout=60)
    data = json.loads(dead.value)["data"]
    assert (data["permanent"], data["attempts"]) == (False, 3)
    assert "ConnectionRefusedError" in data["error"]
    [failed] = rows(env)
    assert (failed.status, failed.attempts) == ("failed", 3)


def test_a_poison_message_amid_a_backlog_is_dead_lettered_alone(env, services, bus, mailbox, run_id, kafka_settings):
    before, after = f"before.{run_id}@example.in", f"after.{run_id}@example.in"
    key = str(uuid.uuid4())  # one partition: the poison sits between the two in the same batch
    bus.publish(c.IDENTITY_EVENTS_TOPIC, email_verification(before), key=key)
    produce_raw(kafka_settings, c.IDENTITY_EVENTS_TOPIC, b"{not json", key=key.encode())
    bus.publish(c.IDENTITY_EVENTS_TOPIC, email_verification(after), key=key)

    services.worker("notification")

    mailbox.wait_for_count(1, to=before, timeout=60)
    mailbox.wait_for_count(1, to=after, timeout=60)
    [dead] = read_topic(kafka_settings, "notification.dead-letter", at_least=1)
    assert dead.value == b"{not json" and "not valid JSON" in dict(dead.headers)["dead-letter.error"].decode()


def calendar_in(message) -> tuple[str, object]:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    return part.get_param("method"), event


def test_a_meetings_invites_add_update_and_remove_one_calendar_entry_for_both_sides(
        env, services, bus, mailbox, run_id):
    company, officer = f"ananya.{run_id}@example.in", f"iyer.{run_id}@navy.example.in"
    the_meeting = meeting(company, officer)
    bus.publish(c.MATCHMAKING_EVENTS_TOPIC, meeting_event(c.MEETING_SCHEDULED, placed(the_meeting, sequence=1)))
    bus.publish(c.MATCHMAKING_EVENTS_TOPIC, meeting_event(
        c.MEETING_MOVED, placed(the_meeting, sequence=2, starts_at=SLOT_START.replace(hour=6), table="G7")))
    bus.publish(c.MATCHMAKING_EVENTS_TOPIC, meeting_event(
        c.MEETING_CANCELLED, placed(the_meeting, sequence=3, starts_at=SLOT_START.replace(hour=6), table="G7")))

    services.worker("notification")

    for person in (company, officer):
        scheduled, moved, cancelled = mailbox.wait_for_count(3, to=person, timeout=60)
        invites = [calendar_in(message) for message in (scheduled, moved, cancelled)]
        assert [method for method, _ in invites] == ["REQUEST", "REQUEST", "CANCEL"]
        assert {str(event["UID"]) for _, event in invites} == {f"{the_meeting['meeting_id']}@matchmaking.dpd"}
        assert [event["SEQUENCE"] for _, event in invites] == [1, 2, 3]
        assert invites[1][1]["DTSTART"].to_ical() == b"20261128T063000Z"
        assert moved["Subject"] == "Meeting with Cdr R. Iyer moved: now 28 Nov 2026, 12:00–12:20 IST, table G7" \
            if person == company else moved["Subject"].startswith("Meeting with Tejas Avionics Private Limited moved")
        assert [a.get_filename() for a in cancelled.iter_attachments()] == ["invite.ics"]


PERIOD_SECONDS = 45
WITHIN_PERIOD_SECONDS = 15  # the bound of each wait inside the period: both together end well before it


def waiting_for_digest(env, email: str) -> int:
    """Requests stored for `email`'s next digest."""
    engine = sa.create_engine(env["NOTIFICATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        return db.execute(sa.select(sa.func.count()).select_from(digest_items)
                          .where(digest_items.c.recipient_email == email, digest_items.c.digest_id.is_(None))).scalar()


def test_an_officer_gets_at_most_one_request_email_per_period_listing_every_new_request(
        env, services, bus, mailbox, run_id):
    busy, other = f"busy.{run_id}@navy.example.in", f"other.{run_id}@navy.example.in"
    services.worker("notification", extra_env={"NOTIFICATION_DIGEST_PERIOD_SECONDS": str(PERIOD_SECONDS)})
    bus.publish(c.MATCHMAKING_EVENTS_TOPIC, meeting_event(
        c.MEETING_REQUESTED, meeting(f"a.{run_id}@example.in", busy, agenda="Sonar domes")))
    [first] = mailbox.wait_for_count(1, to=busy, timeout=60)
    assert first["Subject"].startswith("Meeting request from Tejas Avionics Private Limited")

    agendas = ["Composite masts", "Towed array sonar", "Mine countermeasure UUVs"]
    for number, agenda in enumerate(agendas):
        bus.publish(c.MATCHMAKING_EVENTS_TOPIC, meeting_event(
            c.MEETING_REQUESTED, meeting(f"b{number}.{run_id}@example.in", busy, agenda=agenda,
                                         company=f"Company {number}")))
    bus.publish(c.MATCHMAKING_EVENTS_TOPIC, meeting_event(
        c.MEETING_REQUESTED, meeting(f"c.{run_id}@example.in", other, agenda="Radar")))
    # On three partitions, the requests may be stored in any order: all must be before the period ends.
    wait_until(lambda: waiting_for_digest(env, busy) == 3, timeout=WITHIN_PERIOD_SECONDS,
               message=lambda: f"{waiting_for_digest(env, busy)} of 3 requests wait for the digest")
    mailbox.wait_for_count(1, to=other, timeout=WITHIN_PERIOD_SECONDS)  # another officer's period is their own
    assert len(mailbox.messages_to(busy)) == 1, "the period after the first email is not over"

    _, digest = mailbox.wait_for_count(2, to=busy, timeout=60)
    assert digest["Subject"] == "3 new meeting requests for you at Defence Partnership Days"
    text = digest.get_body(("plain",)).get_content()
    assert all(agenda in text for agenda in agendas) and "Sonar domes" not in text
    [single, grouped] = rows(env, f"recipient_email = '{busy}'")
    assert (grouped.created_at - single.created_at).total_seconds() >= PERIOD_SECONDS
    assert len(mailbox.messages_to(busy)) == 2


def test_an_announcement_reaches_its_segment_and_its_page_shows_progress_and_failures(
        env, services, bus, mailbox, run_id, client, tokens):
    edition = str(uuid.uuid4())
    welcome, bounce, waiting = (f"{name}.{run_id}@example.in" for name in ("welcome", "bounce", "waiting"))
    bus.publish(c.REGISTRATION_EVENTS_TOPIC, registration_event(
        c.REGISTRATION_APPROVED, [delegate(welcome, "Meera Nair"), delegate(bounce, "Bo Unce")], edition_id=edition))
    bus.publish(c.REGISTRATION_EVENTS_TOPIC, registration_event(
        c.REGISTRATION_WAITLISTED, [delegate(waiting)], edition_id=edition))
    services.worker("notification")
    mailbox.wait_for_count(1, to=welcome, timeout=60)  # approved: the directory has them now
    client.set_cookie("dpd_session", tokens.organiser("vetting"))
    client.get("/admin/announcements")
    csrf = client.get_cookie("dpd_csrf").value

    created = client.post("/admin/announcements", data={
        "csrf_token": csrf, "segment": "approved_delegates", "edition_id": edition,
        "subject": "Venue access on 28 November", "body": "Gates of the Manekshaw Centre open at 08:00."})
    assert client.post(f"{created.location}/send", data={"csrf_token": csrf}).status_code == 302

    _, announcement = mailbox.wait_for_count(2, to=welcome, timeout=60)
    assert announcement["Subject"] == "Venue access on 28 November"
    assert "Dear Meera Nair,\n\nGates of the Manekshaw Centre open at 08:00." in \
        announcement.get_body(("plain",)).get_content()

    def progress() -> str:
        return client.get(created.location).get_data(as_text=True)
    wait_until(lambda: 'tile__figure">1</span> <span class="tile__label">failed' in progress(), timeout=60,
               message="the refused address never showed as failed")
    page = progress()
    assert 'tile__figure">1</span> <span class="tile__label">sent' in page and bounce in page
    assert "550 5.1.1 mailbox unavailable" in page
    assert 'tile__figure">2</span> <span class="tile__label">recipients' in page, "the waitlisted are not in it"
    assert all(m["Subject"] != "Venue access on 28 November" for m in mailbox.messages_to(waiting))
