"""`./dpd up` on this machine: the platform comes up, takes a registration, mails it, and stops on Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests

from shared.localinfra.ports import free_port, wait_until
from shared.localinfra.smtp import Mailbox
from shared.testing.fixtures import PROJECT_ROOT
from tests.support.registrations import registration_payload


@pytest.fixture
def env_file(tmp_path):
    """The committed dev.env with every port moved, so the test never meets a developer's running platform."""
    text = (PROJECT_ROOT / "deploy" / "local" / "dev.env").read_text()
    ports = {old: str(free_port()) for old in ("55432", "59092", "59093", "2525", "8001", "8002", "8003", "8004", "8005")}
    for old, new in ports.items():
        text = text.replace(old, new)
    text = text.replace(".run", str(tmp_path / "run"))
    path = tmp_path / "dev.env"
    path.write_text(text)
    return path, ports


def test_up_brings_the_platform_up_and_ctrl_c_stops_all_of_it(env_file, tmp_path):
    path, ports = env_file
    log = open(tmp_path / "up.log", "wb")
    up = subprocess.Popen([sys.executable, "-m", "shared.localinfra.up"], cwd=PROJECT_ROOT, stdout=log,
                          stderr=subprocess.STDOUT, env={**os.environ, "DPD_ENV_FILE": str(path)},
                          start_new_session=True)
    try:
        for port in (ports["8001"], ports["8002"], ports["8003"], ports["8004"]):
            wait_until(lambda: _ready(f"http://127.0.0.1:{port}/readyz"), timeout=180, interval=0.5,
                       message=lambda: (tmp_path / "up.log").read_text()[-3000:])
        response = requests.post(f"http://127.0.0.1:{ports['8001']}/api/v1/registrations",
                                 json=registration_payload("first.user@example.in"), timeout=10)
        assert response.status_code == 201
        [mail] = Mailbox(tmp_path / "run" / "mail").wait_for_count(1, to="first.user@example.in", timeout=60)
        assert mail["From"] == "Defence Partnership Days <no-reply@defencepartnershipdays.in>"
    finally:
        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            raise
        finally:
            log.close()
    assert up.returncode is not None
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "PostgreSQL, Kafka and the SMTP server stopped"
    assert not any(_ready(f"http://127.0.0.1:{ports[p]}/healthz") for p in ("8001", "8002", "8003", "8004")), \
        "every service stopped"


def _ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
