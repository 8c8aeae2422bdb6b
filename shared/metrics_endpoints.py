"""Where Prometheus reads the metrics of shared/metrics.py, and the gauges computed as it reads.

- Web processes: gunicorn runs several per service, so their counts live in files under
  PROMETHEUS_MULTIPROC_DIR (shared/gunicorn_settings.py prepares it) and `/metrics` adds
  them up. Timing a request costs one histogram observation, never a query.
- Workers: one process each; `<NAME>_WORKER_METRICS_BIND` (host:port, e.g. 0.0.0.0:9100)
  makes it serve `/metrics` there. Unset, the worker serves none (tests that do not look).
- Gauges that need a query (outbox backlog, consumer lag) are computed when Prometheus
  scrapes, so they cost one query per scrape, not one per request or per event.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import start_wsgi_server
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from shared.access import public
from shared.config import ConfigError, KafkaSettings
from shared.kafka import broker_answers
from shared.metrics import (
    CONSUMER_LAG, DATABASE_UP, KAFKA_UP, OUTBOX_OLDEST_AGE, OUTBOX_PENDING, SCRAPED_GAUGES, record_request)
from shared.ops.consumer_groups import consumer_group_lag, new_admin
from shared.outbox import outbox_table, pending_backlog

log = logging.getLogger(__name__)

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# Every service's outbox is made by shared.outbox.outbox_table, so its shape is known here.
_OUTBOX = outbox_table(sa.MetaData())


def _gauge(name: str, value: float | None = None, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, SCRAPED_GAUGES[name], value=value, labels=labels)


class OutboxBacklogCollector:
    """How many outbox events wait for the relay, and how long the oldest has waited (one query per scrape)."""

    def __init__(self, engine: sa.engine.Engine):
        self._engine = engine

    def describe(self):
        return [_gauge(OUTBOX_PENDING), _gauge(OUTBOX_OLDEST_AGE), _gauge(DATABASE_UP)]

    def collect(self):
        try:
            backlog = pending_backlog(self._engine, _OUTBOX)
        except sa.exc.SQLAlchemyError as error:
            log.warning("metrics: outbox backlog unavailable: %s", getattr(error, "orig", error))
            return [_gauge(DATABASE_UP, 0)]
        return [_gauge(OUTBOX_PENDING, backlog.count), _gauge(OUTBOX_OLDEST_AGE, backlog.oldest_age_seconds),
                _gauge(DATABASE_UP, 1)]


class ConsumerLagCollector:
    """Messages each consumer group has yet to process, per partition, as the broker sees it
    (committed offsets against the partitions' ends): true even while a consumer is stuck or dead."""

    def __init__(self, kafka: KafkaSettings, subscriptions: dict[str, list[str]]):
        self._kafka = kafka
        self._subscriptions = subscriptions
        self._admin = None
        self._lock = threading.Lock()

    def describe(self):
        return [_gauge(CONSUMER_LAG, labels=["group", "topic", "partition"]), _gauge(KAFKA_UP)]

    def collect(self):
        lag = _gauge(CONSUMER_LAG, labels=["group", "topic", "partition"])
        with self._lock:
            try:
                # A probe first: an admin client that cannot bootstrap leaks its thread, every scrape.
                if self._admin is None and not broker_answers(self._kafka.bootstrap_servers):
                    raise ConnectionError("no broker answers")
                self._admin = self._admin or new_admin(self._kafka, client_id="metrics")
                for group, topics in self._subscriptions.items():
                    for partition, behind in consumer_group_lag(self._admin, self._kafka, group, topics).items():
                        lag.add_metric([group, partition.topic.removeprefix(self._kafka.topic_prefix),
                                        str(partition.partition)], behind)
            except Exception as error:  # a scrape must answer whatever the broker does
                log.warning("metrics: consumer lag unavailable: %s", error)
                return [_gauge(KAFKA_UP, 0)]
        return [lag, _gauge(KAFKA_UP, 1)]

    def close(self) -> None:
        with self._lock:
            if self._admin is not None:
                self._admin.close()
                self._admin = None


class _ThisProcess:
    """The metrics above as this one process counted them (a worker, or a web app outside gunicorn)."""

    def collect(self):
        return REGISTRY.collect()


def _web_registry(engine) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(OutboxBacklogCollector(engine))
    return registry


def install_metrics(app: Flask, engine) -> None:
    """Time every request of `app` and serve `/metrics` to Prometheus, which reaches the process
    directly; a request that came through a reverse proxy (X-Forwarded-For) gets a 404."""

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def stop_clock(response):
        started = g.pop("request_started", None)
        if started is not None:
            rule = request.url_rule
            record_request(request.method, rule.rule if rule else "unmatched", response.status_code,
                           time.perf_counter() - started)
        return response

    blueprint = Blueprint("metrics", __name__)

    @blueprint.get("/metrics")
    @public
    def metrics():
        if "X-Forwarded-For" in request.headers:
            abort(404)  # it came through the reverse proxy, from outside: counts are for Prometheus only
        return Response(generate_latest(_web_registry(engine)), content_type=CONTENT_TYPE_LATEST)

    app.register_blueprint(blueprint)


def gunicorn_hooks(created_dir: bool) -> dict:
    """gunicorn server hooks that keep the web workers' shared metric files right: stale files
    cleared at start, a dead worker's live gauges dropped, a directory we made removed at exit."""
    directory = Path(os.environ[MULTIPROCESS_DIR_VARIABLE])

    def on_starting(server):
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()

    def child_exit(server, worker):
        mark_process_dead(worker.pid, str(directory))

    def on_exit(server):
        if created_dir:
            for leftover in directory.glob("*.db"):
                leftover.unlink()
            directory.rmdir()

    return {"on_starting": on_starting, "child_exit": child_exit, "on_exit": on_exit}


def worker_metrics_variable(service: str) -> str:
    return f"{service.upper()}_WORKER_METRICS_BIND"


class WorkerMetricsEndpoint:
    """A worker component serving `/metrics` on host:port until the worker stops."""

    name = "metrics-endpoint"

    def __init__(self, host: str, port: int, registry: CollectorRegistry, lag: ConsumerLagCollector):
        self.host, self.port = host, port
        self._registry = registry
        self._lag = lag

    def run(self, stop: threading.Event) -> None:
        server, _thread = start_wsgi_server(self.port, addr=self.host, registry=self._registry)
        log.info("worker metrics on http://%s:%s/metrics", self.host, self.port)
        try:
            stop.wait()
        finally:
            server.shutdown()
            server.server_close()
            self._lag.close()


def worker_metrics_endpoint(service: str, engine, kafka: KafkaSettings, components: Iterable,
                            environ=None) -> list[WorkerMetricsEndpoint]:
    """The metrics endpoint of `service`'s worker, if `<NAME>_WORKER_METRICS_BIND` asks for one
    (a list to add to the worker's components: empty when unset). Consumer lag is reported for
    every component that consumes (has `group` and `topics`)."""
    environ = os.environ if environ is None else environ
    variable = worker_metrics_variable(service)
    bind = environ.get(variable, "")
    if not bind:
        return []
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"{variable}={bind!r} is not valid (host:port): where the worker serves /metrics")
    subscriptions = {c.group: list(c.topics) for c in components if hasattr(c, "group") and hasattr(c, "topics")}
    lag = ConsumerLagCollector(kafka, subscriptions)
    registry = CollectorRegistry()
    for collector in (_ThisProcess(), OutboxBacklogCollector(engine), lag):
        registry.register(collector)
    return [WorkerMetricsEndpoint(host.strip("[]"), int(port), registry, lag)]
