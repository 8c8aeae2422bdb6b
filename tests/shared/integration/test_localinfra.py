"""The local infrastructure launchers start real servers that behave like production's.

One server of each kind per module (starting them is the slow part); every
test uses its own topic, database or mail address so they stay independent.
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterator
from email.message import EmailMessage

import psycopg
import pytest
import sqlalchemy

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from shared.localinfra.kafka import KafkaBroker
from shared.localinfra.ports import wait_until
from shared.localinfra.postgres import PostgresServer
from shared.localinfra.smtp import SmtpSink


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


# --- Kafka -------------------------------------------------------------------


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    with KafkaBroker(tmp_path_factory.mktemp("kafka")) as broker:
        yield broker


def create_topic(broker: KafkaBroker, partitions: int = 3) -> str:
    topic = unique("topic")
    with KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers) as admin:
        admin.create_topics({topic: {"num_partitions": partitions, "replication_factor": 1}})
        # The create response only says the controller accepted it; a loaded machine can take
        # seconds more to give every partition a leader in the metadata we describe.
        admin.wait_for_topics([topic], timeout_ms=60_000)
        described = admin.describe_topics([topic])
    assert len(described[0]["partitions"]) == partitions
    return topic


def produce(broker: KafkaBroker, topic: str, key: bytes, value: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    try:
        producer.send(topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()


def consume_from_start(broker: KafkaBroker, topic: str, expected: int) -> list[tuple[bytes, bytes]]:
    """Read `topic` from the beginning, as a fresh consumer group, until `expected` records arrived."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap_servers,
        group_id=unique("group"),
        auto_offset_reset="earliest",
    )
    received: list[tuple[bytes, bytes]] = []

    def all_received() -> bool:
        for records in consumer.poll(timeout_ms=500).values():
            received.extend((record.key, record.value) for record in records)
        return len(received) >= expected

    try:
        wait_until(all_received, timeout=60, message=lambda: f"consumed {received} from {topic}")
    finally:
        consumer.close()
    return received


def test_kafka_message_produced_to_a_created_topic_is_consumed_back(kafka_broker: KafkaBroker) -> None:
    topic = create_topic(kafka_broker, partitions=3)
    record = (b"registration-42", b'{"event": "registered"}')

    produce(kafka_broker, topic, *record)

    assert consume_from_start(kafka_broker, topic, expected=1) == [record]


def test_kafka_restart_on_the_same_data_dir_keeps_messages(kafka_broker: KafkaBroker) -> None:
    topic = create_topic(kafka_broker)
    produce(kafka_broker, topic, b"k", b"kept across restarts")
    port = kafka_broker.port

    kafka_broker.stop()
    assert not kafka_broker.is_running()
    kafka_broker.start()

    assert kafka_broker.port == port
    assert consume_from_start(kafka_broker, topic, expected=1) == [(b"k", b"kept across restarts")]


# --- PostgreSQL --------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    settings = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
    with PostgresServer(tmp_path_factory.mktemp("postgres"), settings=settings) as server:
        yield server


def run_sql(url: str, statement: str) -> object:
    """Run one statement through SQLAlchemy, as the services will; return the first value, if any."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sqlalchemy.text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL without its driver name, for psycopg.connect."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_ensure_database_is_idempotent(postgres: PostgresServer) -> None:
    name = unique("registration")

    first = postgres.ensure_database(name, name, "secret one")
    second = postgres.ensure_database(name, name, "secret/two@x")  # same database, password reset

    assert first != second
    assert run_sql(second, "SELECT current_user || '@' || current_database()") == f"{name}@{name}"
    with pytest.raises(sqlalchemy.exc.OperationalError, match="password authentication failed"):
        run_sql(first, "SELECT 1")


def test_a_service_role_cannot_connect_to_another_services_database(postgres: PostgresServer) -> None:
    registration, billing = unique("registration"), unique("billing")
    postgres.ensure_database(registration, registration, "registration-pw")
    postgres.ensure_database(billing, billing, "billing-pw")

    intruder = postgres.url(billing, registration, "registration-pw")
    with pytest.raises(psycopg.OperationalError, match=f'permission denied for database "{billing}"'):
        psycopg.connect(libpq_url(intruder)).close()


def test_postgres_restart_keeps_data_and_recovers_from_a_crash(postgres: PostgresServer) -> None:
    name = unique("notification")
    url = postgres.ensure_database(name, name, "pw")
    run_sql(url, "CREATE TABLE note AS SELECT 'kept' AS text")

    postgres.restart()
    assert run_sql(url, "SELECT text FROM note") == "kept"

    postgres.kill()
    assert not postgres.is_running()
    postgres.start()
    assert run_sql(url, "SELECT text FROM note") == "kept"


def test_drop_database_disconnects_and_removes_it(postgres: PostgresServer) -> None:
    name = unique("scratch")
    url = postgres.ensure_database(name, name, "pw")

    with psycopg.connect(libpq_url(url)) as open_session:
        postgres.drop_database(name)
        with pytest.raises(psycopg.OperationalError, match="terminating connection"):
            open_session.execute("SELECT 1")

    assert run_sql(postgres.admin_url, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == 0
    postgres.drop_database(name)  # dropping a missing database is fine


# --- SMTP --------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpSink]:
    maildir = tmp_path_factory.mktemp("smtp") / "mail"
    with SmtpSink(maildir, reject_recipients=r"^bounce-.*@example\.org$") as sink:
        yield sink


def email(subject: str, to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Defence Partnership Days <noreply@example.org>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"{subject}\n.\nA line with only a dot above: SMTP dot-stuffing round trip.\n")
    return message


def test_messages_sent_on_one_connection_all_arrive(smtp_sink: SmtpSink) -> None:
    to = f"{unique('delegate')}@example.org"

    with smtplib.SMTP(smtp_sink.host, smtp_sink.port) as client:
        client.send_message(email("Welcome", to))
        client.send_message(email("Your badge", to))

    messages = smtp_sink.mailbox.wait_for_count(2, to=to)
    assert [message["Subject"] for message in messages] == ["Welcome", "Your badge"]
    assert messages[0]["X-Delivered-To"] == to
    assert "\n.\nA line with only a dot" in messages[0].get_content()


def test_rejected_recipient_gets_550_while_the_others_receive_the_message(smtp_sink: SmtpSink) -> None:
    good, bounced = f"{unique('delegate')}@example.org", f"{unique('bounce-delegate')}@example.org"

    with smtplib.SMTP(smtp_sink.host, smtp_sink.port) as client:
        refused = client.send_message(email("Invoice", good), to_addrs=[good, bounced])
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.send_message(email("Nobody home", bounced))

    assert refused == {bounced: (550, b"5.1.1 mailbox unavailable")}
    assert [message["Subject"] for message in smtp_sink.mailbox.wait_for_count(1, to=good)] == ["Invoice"]
    assert smtp_sink.mailbox.messages_to(bounced) == []


def test_mailbox_wait_reports_how_many_arrived(smtp_sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError, match=r"expected 1 message\(s\) to nobody@example.org .* 0 arrived"):
        smtp_sink.mailbox.wait_for_count(1, to="nobody@example.org", timeout=0.2)


def test_mailbox_finds_each_recipients_copies_also_after_a_mail_client_has_read_them(smtp_sink: SmtpSink) -> None:
    contact, delegate = f"{unique('contact')}@example.org", f"{unique('Delegate')}@example.org"
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port) as client:
        client.send_message(email("Registration received", contact), to_addrs=[contact, delegate])
        client.send_message(email("Confirm your email", delegate))
    smtp_sink.mailbox.wait_for_count(2, to=delegate)
    assert [message["Subject"] for message in smtp_sink.mailbox.messages_to(contact)] == ["Registration received"]

    # The contact reads their copy in mutt, which moves it from new/ to cur/ and flags it seen.
    [read_copy] = [file for file in (smtp_sink.maildir / "new").iterdir()
                   if f"X-Delivered-To: {contact}".encode() in file.read_bytes()]
    read_copy.rename(smtp_sink.maildir / "cur" / f"{read_copy.name}:2,S")

    assert [(message["X-Delivered-To"], message["Subject"])
            for message in smtp_sink.mailbox.messages_to(delegate.upper(), contact)] == [
        (contact, "Registration received"), (delegate, "Registration received"), (delegate, "Confirm your email")]
