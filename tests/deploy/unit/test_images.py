"""Each service's Dockerfile builds the image the compose files and manifests run: multi-stage
on a slim base, pinned dependencies, a non-root user, gunicorn by default, only its own code."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from shared.config import SERVICE_NAMES
from shared.metrics_endpoints import worker_metrics_variable
from tests.deploy.expectations import DEPLOY

ROOT = DEPLOY.parent


@dataclass
class Stage:
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for name, argument in self.instructions if name == keyword]


def stages(service: str) -> tuple[dict[str, str], list[Stage]]:
    """The Dockerfile's global ARG defaults and its stages (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "docker" / f"{service}.Dockerfile").read_text())
    arguments, found = {}, []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, argument = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not found:
            name, _, default = argument.partition("=")
            arguments[name] = default
        elif keyword == "FROM":
            base = re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], argument.split(" AS ")[0].strip())
            found.append(Stage(base))
        else:
            found[-1].instructions.append((keyword, argument))
    return arguments, found


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_image_is_built_in_stages_on_a_slim_pinned_base_and_runs_as_nobody_special(service):
    _arguments, built = stages(service)
    assert len(built) >= 2, "a build stage keeps compilers and caches out of the image"
    for stage in built:
        assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", stage.base), stage.base
    final = built[-1]
    [user] = final.all("USER")
    assert user.split(":")[0] not in ("root", "0") and user.split(":")[0] == "10001"
    assert any("--from=build" in copy for copy in final.all("COPY"))


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_image_holds_its_own_service_only_and_runs_gunicorn_with_the_worker_and_migrate_at_hand(service):
    final = stages(service)[1][-1]
    copied = [copy.split()[0] for copy in final.all("COPY") if not copy.startswith("--from")]
    assert f"services/{service}/" in copied and "shared/" in copied and "ops/" in copied
    assert not any(c.startswith("services/") and c not in (f"services/{service}/", "services/__init__.py")
                   for c in copied), "no other service's code"
    [command] = final.all("CMD")
    assert command == f'["gunicorn", "-c", "services/{service}/gunicorn.conf.py"]'
    for module in (f"services/{service}/gunicorn.conf.py", f"services/{service}/worker.py", f"services/{service}/manage.py"):
        assert (ROOT / module).is_file()
    environment = " ".join(final.all("ENV"))
    assert f"{service.upper()}_BIND=0.0.0.0:8000" in environment
    assert f"{worker_metrics_variable(service)}=0.0.0.0:9100" in environment
    assert final.all("EXPOSE") == ["8000 9100"]


def test_dependencies_are_installed_from_the_pinned_requirements():
    for service in SERVICE_NAMES:
        build = stages(service)[1][0]
        assert any("-r /tmp/requirements.txt" in run for run in build.all("RUN"))
    requirements = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    unpinned = [line for line in requirements if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line)]
    assert requirements and not unpinned, f"pin these: {unpinned}"


def test_the_build_context_leaves_out_everything_but_the_code_and_requirements():
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert rules[0] == "**", "exclude everything, then allow what the images copy"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == {"requirements.txt", "shared", "ops", "services"}
