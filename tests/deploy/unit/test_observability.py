"""The dashboard, the alert rules and Prometheus' scrape jobs name only metrics the code records
(shared/metrics.py), and every alert points a person at a runbook that exists."""
from __future__ import annotations

import json
import re

import pytest
import yaml
from prometheus_client import Counter, Histogram

from shared import metrics
from shared.config import SERVICE_NAMES
from tests.deploy.expectations import DEPLOY

OBSERVABILITY = DEPLOY / "observability"
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
                "offset", "le", "inf", "nan"}
PROMETHEUS_OWN = {"up"}  # series Prometheus itself records per target


def defined_series() -> set[str]:
    """Every series name shared/metrics.py makes Prometheus see."""
    names = set(metrics.SCRAPED_GAUGES)
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names |= {f"{value._name}_total", f"{value._name}_created"}
        elif isinstance(value, Histogram):
            names |= {f"{value._name}_bucket", f"{value._name}_sum", f"{value._name}_count", f"{value._name}_created"}
    return names


def series_in(expression: str) -> set[str]:
    """The metric names a PromQL expression reads (labels, functions, keywords and numbers removed)."""
    stripped = re.sub(r'"[^"]*"', "", expression)
    stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", stripped)
    stripped = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", stripped)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", stripped):
        following = stripped[match.end():].lstrip()[:1]
        if following != "(" and match.group() not in PROMQL_WORDS:
            names.add(match.group())
    return names


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load((OBSERVABILITY / "alerts.yml").read_text())["groups"]
            for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((OBSERVABILITY / "grafana" / "dashboards" / "dpd-platform.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_parser_of_expressions_finds_metric_names_and_nothing_else():
    assert series_in('histogram_quantile(0.95, sum by (service, le) (rate(a_bucket{status=~"5.."}[5m]))) > 1') \
        == {"a_bucket"}
    assert series_in("max by (group) (sum by (group, instance) (b)) > 1000 and c / clamp_min(d, 1)") == {"b", "c", "d"}


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_expression_reads_metrics_the_code_defines(source):
    expressions = [rule["expr"] for rule in alert_rules()] if source == "alerts" else dashboard_expressions()
    defined = defined_series()
    assert expressions
    for expression in expressions:
        names = series_in(expression)
        assert names, expression
        assert names <= defined | PROMETHEUS_OWN, f"{sorted(names - defined - PROMETHEUS_OWN)} in {expression}"


def test_alerts_cover_what_needs_a_person_and_each_names_an_existing_runbook():
    rules = alert_rules()
    watched = set().union(*(series_in(rule["expr"]) for rule in rules))
    assert {"dpd_outbox_oldest_pending_age_seconds", "dpd_consumer_lag_messages", "dpd_dead_letters_total",
            "dpd_payments_total"} <= watched
    for rule in rules:
        assert rule["labels"]["severity"] in ("page", "ticket")
        runbook = DEPLOY.parent / rule["annotations"]["runbook"].split("#")[0]
        assert runbook.is_file(), f"{rule['alert']}: no runbook at {runbook}"


def test_prometheus_scrapes_every_web_process_and_worker_labelled_by_service_and_process():
    config = yaml.safe_load((OBSERVABILITY / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for service in SERVICE_NAMES:
        for process, port in (("web", 8000), ("worker", 9100)):
            job = jobs[f"{service}-{process}"]
            assert job["dns_sd_configs"] == [{"names": [f"{service}-{process}"], "type": "A", "port": port}]
            labels = {rule["target_label"]: rule["replacement"] for rule in job["relabel_configs"]}
            assert labels == {"service": service, "process": process}
