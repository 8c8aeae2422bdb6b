"""The Kubernetes manifests run what the code is: per service a migration Job, a web Deployment
probed on /readyz and /healthz with its Service and autoscaler, a worker Deployment no wider than
its topics, every variable its config.py requires, and Secrets referenced rather than inlined."""
from __future__ import annotations

import pytest
import yaml

from shared.auth import write_new_key_pair
from shared.config import SERVICE_NAMES
from tests.deploy.expectations import (
    DEPLOY, consumed_topics, known_variables, load_yaml_documents, required_variables, settings_classes,
    topic_partitions)

KUBERNETES = DEPLOY / "kubernetes"
CONSUMES = "dpd.defencepartnershipdays.in/consumes"


def documents(folder: str) -> list[dict]:
    return [d for path in sorted((KUBERNETES / folder).glob("*.yaml")) if path.name != "kustomization.yaml"
            for d in load_yaml_documents(path)]


def find(docs: list[dict], kind: str, name: str) -> dict:
    [found] = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


@pytest.fixture(scope="module")
def platform() -> list[dict]:
    return documents("platform")


@pytest.fixture(scope="module")
def secrets() -> dict[str, set[str]]:
    """{Secret name: its keys} as platform/secrets.example.yaml documents them."""
    return {d["metadata"]["name"]: set(d["stringData"]) for d in load_yaml_documents(KUBERNETES / "platform" / "secrets.example.yaml")}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def workloads(service: str) -> dict[str, dict]:
    docs = documents(service)
    return {"web": find(docs, "Deployment", f"{service}-web"), "worker": find(docs, "Deployment", f"{service}-worker"),
            "migrate": find(docs, "Job", f"{service}-migrate")}


def container_environment(service: str, pod: dict, platform: list[dict]) -> dict[str, str]:
    """Each variable the container gets: from its ConfigMaps, or `secret:<name>/<key>`."""
    [container] = pod["containers"]
    maps = {d["metadata"]["name"]: d["data"] for d in [*platform, *documents(service)] if d["kind"] == "ConfigMap"}
    env = {}
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]])
    for variable in container.get("env", []):
        ref = variable["valueFrom"]["secretKeyRef"]
        env[variable["name"]] = f"secret:{ref['name']}/{ref['key']}"
    return env


def test_the_kustomization_applies_every_manifest_and_names_each_services_image():
    top = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert set(SERVICE_NAMES) <= set(top["resources"])
    assert {image["name"] for image in top["images"]} == {f"dpd/{service}" for service in SERVICE_NAMES}
    for service in SERVICE_NAMES:
        listed = set(yaml.safe_load((KUBERNETES / service / "kustomization.yaml").read_text())["resources"])
        assert listed == {p.name for p in (KUBERNETES / service).glob("*.yaml")} - {"kustomization.yaml"}


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_web_is_probed_served_and_autoscaled(service):
    docs = documents(service)
    web = find(docs, "Deployment", f"{service}-web")
    [container] = pod_spec(web)["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    service_object = find(docs, "Service", f"{service}-web")
    assert service_object["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()
    autoscaler = find(docs, "HorizontalPodAutoscaler", f"{service}-web")
    assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service}-web"}
    assert 2 <= autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]
    assert web["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == "8000"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_one_image_runs_the_migration_job_the_web_process_and_the_worker(service):
    found = workloads(service)
    commands = {process: pod_spec(w)["containers"][0].get("command") for process, w in found.items()}
    assert commands == {"web": None, "worker": ["python", "-m", f"services.{service}.worker"],
                        "migrate": ["python", "-m", f"services.{service}.manage", "migrate"]}
    assert {pod_spec(w)["containers"][0]["image"] for w in found.values()} == {f"dpd/{service}"}
    assert found["migrate"]["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for workload in found.values():
        assert pod_spec(workload)["securityContext"]["runAsNonRoot"] is True
        assert pod_spec(workload)["securityContext"]["runAsUser"] == 10001  # the images' USER
        assert pod_spec(workload)["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
        assert {"name": "tmp", "mountPath": "/tmp"} in pod_spec(workload)["containers"][0]["volumeMounts"]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_process_gets_every_variable_its_config_requires_from_config_maps_and_secrets(
        service, platform, secrets, tmp_path):
    write_new_key_pair(tmp_path / "signing.pem", tmp_path / "signing.pub.pem")
    for process, workload in workloads(service).items():
        env = container_environment(service, pod_spec(workload), platform)
        missing = required_variables(service, process) - set(env)
        assert not missing, f"{service} {process} lacks {sorted(missing)}"
        unknown = set(env) - known_variables(service)
        assert not unknown, f"{service} {process} sets {sorted(unknown)}, which nothing reads"
        for name, value in env.items():
            if value.startswith("secret:"):
                secret, key = value.removeprefix("secret:").split("/")
                assert key in secrets.get(secret, set()), f"{name}: {secret}/{key} is not in secrets.example.yaml"
        check_files_are_mounted(service, process, workload, env)


def check_files_are_mounted(service: str, process: str, workload: dict, env: dict[str, str]) -> None:
    """Key files named by variables this process reads lie in Secret volumes it mounts."""
    read = {f.metadata["env"] for cls in settings_classes(service, process) for f in cls.__dataclass_fields__.values()}
    [container] = pod_spec(workload)["containers"]
    secret_volumes = {v["name"] for v in pod_spec(workload)["volumes"] if "secret" in v}
    mounted = [m["mountPath"] for m in container["volumeMounts"] if m["name"] in secret_volumes]
    for name in ("AUTH_SIGNING_KEY_FILE", "AUTH_PUBLIC_KEY_FILES"):
        if name in read:
            for path in env[name].split(","):
                assert any(path.startswith(folder + "/") for folder in mounted), f"{service} {process}: {path}"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_workers_say_what_they_consume_and_are_no_wider_than_its_partitions(service, platform, tmp_path, monkeypatch):
    from tests.deploy.unit.test_compose import compose, environment
    write_new_key_pair(tmp_path / "signing.pem", tmp_path / "signing.pub.pem")
    key_files = {"/run/secrets/token_signing_key": str(tmp_path / "signing.pem")}
    groups = consumed_topics(service, environment(compose("compose.yaml")["services"][f"{service}-worker"], key_files),
                             monkeypatch)
    worker = workloads(service)["worker"]
    consumed = {topic for topics in groups.values() for topic in topics}
    assert set(worker["metadata"]["annotations"][CONSUMES].split(",")) == consumed
    partitions = topic_partitions()
    assert worker["spec"]["replicas"] <= max((partitions[t] for t in consumed), default=1)
    assert [p["containerPort"] for p in pod_spec(worker)["containers"][0]["ports"]] == [9100]


def test_the_ingress_gives_each_service_its_prefix(platform):
    for service in SERVICE_NAMES:
        ingress = find(platform, "Ingress", service)
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/x-forwarded-prefix"] == f"/{service}"
        [path] = ingress["spec"]["rules"][0]["http"]["paths"]
        assert path["path"].startswith(f"/{service}(") and path["backend"]["service"]["name"] == f"{service}-web"
    config = find(platform, "ConfigMap", "dpd-platform")["data"]
    assert config["PROXY_HOPS"] == "1" and config["KAFKA_REPLICATION_FACTOR"] == "3"
    assert all(config[f"{s.upper()}_PUBLIC_URL"].endswith(f"/{s}") for s in SERVICE_NAMES)


def test_the_operators_run_the_engines_the_services_expect():
    kafka = {d["kind"]: d for d in load_yaml_documents(KUBERNETES / "operators" / "strimzi-kafka.yaml")}
    assert kafka["KafkaNodePool"]["spec"]["replicas"] == 3
    assert kafka["Kafka"]["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    bootstrap = f"{kafka['Kafka']['metadata']['name']}-kafka-bootstrap.dpd.svc:9092"
    assert find(documents("platform"), "ConfigMap", "dpd-platform")["data"]["KAFKA_BOOTSTRAP_SERVERS"] == bootstrap
    postgres = load_yaml_documents(KUBERNETES / "operators" / "cloudnative-pg.yaml")
    databases = {d["spec"]["name"]: d["spec"]["owner"] for d in postgres if d["kind"] == "Database"}
    assert databases == {service: service for service in SERVICE_NAMES}
