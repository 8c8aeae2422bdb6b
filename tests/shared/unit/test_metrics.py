"""The metrics every process records, and how they are served, without any server behind them."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from shared import metrics
from shared.access import public
from shared.config import ConfigError, KafkaSettings
from shared.metrics_endpoints import gunicorn_hooks, install_metrics, worker_metrics_endpoint

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none"


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str) -> dict[str, float]:
    """{'name{label=value,...}': value} of every sample in a /metrics answer."""
    return {f"{s.name}{{{','.join(f'{k}={v}' for k, v in sorted(s.labels.items()))}}}": s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def app():
    app = Flask(__name__)

    @app.get("/things/<thing_id>")
    @public
    def thing(thing_id):
        return {"id": thing_id}

    engine = sa.create_engine(UNREACHABLE_DATABASE, connect_args={"connect_timeout": 1})
    install_metrics(app, engine)
    yield app
    engine.dispose()


def test_each_request_is_timed_under_its_route_not_its_url(app):
    before = sample("dpd_http_request_duration_seconds_count", method="GET", route="/things/<thing_id>", status="200")
    client = app.test_client()

    client.get("/things/a")
    client.get("/things/b")
    client.get("/nowhere")

    assert sample("dpd_http_request_duration_seconds_count",
                  method="GET", route="/things/<thing_id>", status="200") == before + 2
    assert sample("dpd_http_request_duration_seconds_count", method="GET", route="unmatched", status="404") >= 1


def test_metrics_answer_even_when_the_database_does_not(app):
    app.test_client().get("/things/a")

    response = app.test_client().get("/metrics")

    assert response.status_code == 200
    values = scraped(response.get_data(as_text=True))
    assert values["dpd_scrape_database_up{}"] == 0
    assert "dpd_outbox_pending_events{}" not in values  # unknown, rather than a reassuring zero
    assert values["dpd_http_request_duration_seconds_count{method=GET,route=/things/<thing_id>,status=200}"] >= 1


def test_metrics_are_not_served_to_requests_that_came_through_the_proxy(app):
    assert app.test_client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_payments_are_counted_with_their_amount_and_unknown_outcomes_refused():
    before = sample("dpd_payments_total", outcome="failed"), sample("dpd_payment_amount_paise_total", outcome="failed")

    metrics.record_payment("failed", 11_800_00)

    assert sample("dpd_payments_total", outcome="failed") == before[0] + 1
    assert sample("dpd_payment_amount_paise_total", outcome="failed") == before[1] + 11_800_00
    with pytest.raises(ValueError, match="not one of"):
        metrics.record_payment("lost", 100)


def test_gunicorn_hooks_clear_stale_files_at_start_and_remove_a_directory_they_made(tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_4242.db").write_bytes(b"stale")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    hooks = gunicorn_hooks(created_dir=True)

    hooks["on_starting"](None)
    assert list(directory.iterdir()) == []

    (directory / "counter_4343.db").write_bytes(b"live")
    hooks["on_exit"](None)
    assert not directory.exists()


class _Consumer:
    name = "consumer:notification"
    group = "notification"
    topics = ["registration.events", "identity.events"]

    def run(self, stop: threading.Event) -> None: ...


def test_a_worker_serves_metrics_only_where_it_is_told_and_says_so_when_told_wrong():
    kafka = KafkaSettings(bootstrap_servers="127.0.0.1:1")
    engine = sa.create_engine(UNREACHABLE_DATABASE)

    assert worker_metrics_endpoint("notification", engine, kafka, [_Consumer()], environ={}) == []
    with pytest.raises(ConfigError, match="NOTIFICATION_WORKER_METRICS_BIND='9100' is not valid"):
        worker_metrics_endpoint("notification", engine, kafka, [], environ={"NOTIFICATION_WORKER_METRICS_BIND": "9100"})
    [endpoint] = worker_metrics_endpoint("notification", engine, kafka, [_Consumer()],
                                         environ={"NOTIFICATION_WORKER_METRICS_BIND": "0.0.0.0:9100"})
    assert (endpoint.host, endpoint.port) == ("0.0.0.0", 9100)


def test_every_scraped_gauge_is_documented_and_named_like_the_rest():
    names = [metric._name for metric in vars(metrics).values() if hasattr(metric, "_name")]
    assert len(names) >= 7 and all(name.startswith("dpd_") for name in names)
    assert all(name.startswith("dpd_") and help_text for name, help_text in metrics.SCRAPED_GAUGES.items())
