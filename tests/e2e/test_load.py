"""The registration opening surge under locust (headless, loopback, bounded), then every promise
checked: each registrant registered once, emailed once per step, known to every service, and
`python -m ops consistency` clean. The figures (throughput, p50/p95/p99) are printed.

Bounded for CI: `DPD_LOAD_REGISTRATIONS` registrations (150) from `DPD_LOAD_USERS` users (20),
at most `DPD_LOAD_SECONDS` (60) seconds. A long run: e.g. `DPD_LOAD_REGISTRATIONS=5000
DPD_LOAD_USERS=64 DPD_LOAD_SECONDS=300 ./dpd test tests/e2e/test_load.py -s`.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

from ops.__main__ import main as ops
from shared.localinfra.ports import wait_until
from shared.testing.fixtures import PROJECT_ROOT, SERVICES
from tests.support.load import Registrant, expect_each_registered_once, expect_one_email_each, wait_until_idle
from tests.support.platform import Platform

REGISTRATIONS = int(os.environ.get("DPD_LOAD_REGISTRATIONS", "150"))
USERS = int(os.environ.get("DPD_LOAD_USERS", "20"))
SECONDS = int(os.environ.get("DPD_LOAD_SECONDS", "60"))
PIPELINE = ("registration", "matchmaking", "notification")
SCENARIO = PROJECT_ROOT / "bench" / "locust_registration_surge.py"


def run_locust(host: str, tag: str, folder) -> dict:
    """The scenario, headless, against `host`; its figures (the report it writes when it ends)."""
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(SCENARIO), "--headless", "--host", host, "--users", str(USERS),
         "--spawn-rate", str(USERS), "--run-time", f"{SECONDS}s", "--only-summary",
         "--stop-timeout", "10", "--exit-code-on-error", "0"],
        env={**os.environ, "DPD_LOAD_REGISTRATIONS": str(REGISTRATIONS), "DPD_LOAD_TAG": tag,
             "DPD_LOAD_REPORT": str(folder / "surge.json"),
             "PYTHONPATH": str(PROJECT_ROOT)},
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=SECONDS + 120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((folder / "surge.json").read_text())


def test_the_registration_surge_under_locust_loses_and_doubles_nothing(services, platform_env, signing_keys,
                                                                       mailbox, run_id, tmp_path):
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate(*SERVICES)
    platform.start(webs=("registration",), workers=PIPELINE, web_workers=2, threads=8)

    figures = run_locust(platform.urls["registration"], run_id, tmp_path)
    print(f"\nregistration surge: {figures['requests']} requests, {figures['failures']} failed, "
          f"{figures['per_second']}/s; p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
          f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms")
    assert (figures["requests"], figures["failures"]) == (REGISTRATIONS, 0), figures

    registrants = [Registrant(f"surge{n}.{run_id}@locust.example.in") for n in range(REGISTRATIONS)]
    ids = platform.registration_ids_by_email([r.email for r in registrants])
    for registrant in registrants:
        registrant.registration_id = ids.get(registrant.email)
    with ThreadPoolExecutor(max_workers=8) as pool:  # every delegate confirms their address
        list(pool.map(lambda r: platform.confirm_emails(r.registration_id), registrants))
    wait_until_idle(platform, PIPELINE, timeout=180)
    expect_each_registered_once(platform, registrants)
    expect_one_email_each(mailbox, registrants, "Confirm your email", timeout=180)
    expect_one_email_each(mailbox, registrants, "Registration received", timeout=180)

    approved = requests.post(platform.url("registration", "/api/v1/registrations/bulk-approve"),
                             json={"registration_ids": [r.registration_id for r in registrants]},
                             headers=platform.organiser("vetting"), timeout=120)
    assert {r.get("status") for r in approved.json()["results"]} == {"approved"}, approved.text
    expect_one_email_each(mailbox, registrants, "approved", timeout=180)

    def consistent():
        out = io.StringIO()
        return ops(["consistency"], environ=platform.env, out=out) == 0 and out.getvalue()
    printed = wait_until(consistent, 120, interval=1, message="the services never agreed")
    assert f"every approved organisation has its matchmaking profile ({REGISTRATIONS} checked)" in printed

