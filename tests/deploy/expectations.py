"""What the deploy files must agree with, read from the code itself: the variables each process
of each service reads (its config.py, shared/config.py, gunicorn and metrics settings), the
topics each worker consumes (its real components), and the partitions of every topic."""
from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import yaml

from shared.config import SERVICE_NAMES, KafkaSettings, WebSettings
from shared.metrics_endpoints import MULTIPROCESS_DIR_VARIABLE, worker_metrics_variable
from shared.testing.fixtures import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
PROCESSES = ("migrate", "web", "worker")


def settings_classes(service: str, process: str) -> list[type]:
    """The settings dataclasses `process` of `service` loads at start-up."""
    module = importlib.import_module(f"services.{service}.config")
    own = [value for value in vars(module).values()
           if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__
           and any("env" in field.metadata for field in dataclasses.fields(value))]
    return [*own, KafkaSettings, *([WebSettings] if process == "web" else [])]


def required_variables(service: str, process: str) -> set[str]:
    return {field.metadata["env"] for cls in settings_classes(service, process) for field in dataclasses.fields(cls)
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING}


def known_variables(service: str) -> set[str]:
    """Every variable any process of `service` reads: a deploy file setting another is a typo."""
    prefix = service.upper()
    settings = {field.metadata["env"] for process in PROCESSES for cls in settings_classes(service, process)
                for field in dataclasses.fields(cls)}
    gunicorn = {f"{prefix}_BIND", f"{prefix}_WEB_WORKERS", f"{prefix}_WEB_THREADS", f"{prefix}_ACCESS_LOG"}
    return settings | gunicorn | {worker_metrics_variable(service), MULTIPROCESS_DIR_VARIABLE, "LOG_LEVEL"}


def topic_partitions() -> dict[str, int]:
    """Every topic any service's migrate step creates, with its partitions."""
    return {spec.name: spec.partitions for service in SERVICE_NAMES
            for spec in importlib.import_module(f"services.{service}.bootstrap").TOPICS}


def load_yaml_documents(path: Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip('"')
    return values


_INTERPOLATION = re.compile(r"\$\{([A-Za-z0-9_]+)(?:(:?[-?])([^}]*))?\}")


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}; a required one missing fails."""
    def replace(match: re.Match) -> str:
        name, operator, argument = match.groups()
        value = values.get(name)
        if operator in (":?", "?") and not value:
            raise KeyError(f"{name} must be set: {argument}")
        if operator in (":-", "-") and not value:
            return argument
        return value or ""
    return _INTERPOLATION.sub(replace, text)


class _NoProducer:
    def close(self, timeout=None) -> None: ...


def consumed_topics(service: str, environ: dict[str, str], monkeypatch) -> dict[str, list[str]]:
    """{consumer group: topics} of `service`'s worker as its main() really builds it (with `environ`),
    stopped short of connecting to anything."""
    import shared.worker

    built: list = []
    monkeypatch.setattr(shared.worker, "new_producer", lambda *args, **kwargs: _NoProducer())
    monkeypatch.setattr(shared.worker, "run_worker", lambda components, stop=None: built.extend(components) or 0)
    worker = importlib.import_module(f"services.{service}.worker")
    monkeypatch.setattr(worker, "configure_logging", lambda name: None)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert worker.main() == 0
    return {component.group: list(component.topics) for component in built
            if hasattr(component, "group") and hasattr(component, "topics")}
