"""Load under locust (headless, loopback, bounded), then every promise checked: nothing lost,
nothing doubled, and `python -m ops consistency` clean. The figures (throughput, p50/p95/p99)
are printed.

- The registration opening surge: each registrant registered once, emailed once per step,
  known to every service. Bounded for CI: `DPD_LOAD_REGISTRATIONS` registrations (150) from
  `DPD_LOAD_USERS` users (20), at most `DPD_LOAD_SECONDS` (60) seconds.
- A burst of payment callbacks: the gateway's signed webhooks for `DPD_LOAD_CALLBACK_ORDERS`
  paid orders (60), repeated and out of order, fired at billing by `DPD_LOAD_CALLBACK_USERS`
  connections (16): each order paid once, one tax invoice and one email of each, no payment
  counted twice, only the stray payments flagged.

Long runs: e.g. `DPD_LOAD_REGISTRATIONS=5000 DPD_LOAD_USERS=64 DPD_LOAD_SECONDS=300
./dpd test tests/e2e/test_load.py -s`, or `DPD_LOAD_CALLBACK_ORDERS=270 ./dpd test
tests/e2e/test_load.py -k callbacks -s` (about 1,000 callbacks).
"""
from __future__ import annotations

import os
import re
import time

from shared.testing.fixtures import PROJECT_ROOT, SERVICES
from tests.support.load import (
    PaymentBurst, Registrant, approve_all, confirm_all, expect_each_registered_once,
    expect_one_email_each, run_locust, wait_until_idle)
from tests.support.platform import Platform, gateway_simulator

REGISTRATIONS = int(os.environ.get("DPD_LOAD_REGISTRATIONS", "150"))
USERS = int(os.environ.get("DPD_LOAD_USERS", "20"))
SECONDS = int(os.environ.get("DPD_LOAD_SECONDS", "60"))
CALLBACK_ORDERS = int(os.environ.get("DPD_LOAD_CALLBACK_ORDERS", "60"))
CALLBACK_USERS = int(os.environ.get("DPD_LOAD_CALLBACK_USERS", "16"))
BENCH = PROJECT_ROOT / "bench"


def described(name: str, figures: dict) -> str:
    return (f"\n{name}: {figures['requests']} requests, {figures['failures']} failed, {figures['per_second']}/s; "
            f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
            f"max {figures['max_ms']} ms")


def test_the_registration_surge_under_locust_loses_and_doubles_nothing(services, platform_env, signing_keys,
                                                                       mailbox, run_id, tmp_path):
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate(*SERVICES)
    platform.start(webs=("registration",), workers=SERVICES, web_workers=2, threads=8)

    figures = run_locust(BENCH / "locust_registration_surge.py", platform.urls["registration"], tmp_path,
                         users=USERS, seconds=SECONDS,
                         env={"DPD_LOAD_REGISTRATIONS": str(REGISTRATIONS), "DPD_LOAD_TAG": run_id})
    print(described("registration surge", figures))
    assert (figures["requests"], figures["failures"]) == (REGISTRATIONS, 0), figures

    registrants = [Registrant(f"surge{n}.{run_id}@locust.example.in") for n in range(REGISTRATIONS)]
    ids = platform.registration_ids_by_email([r.email for r in registrants])
    for registrant in registrants:
        registrant.registration_id = ids.get(registrant.email)
    confirm_all(platform, [r.registration_id for r in registrants])
    wait_until_idle(platform, SERVICES, timeout=180)
    expect_each_registered_once(platform, registrants)
    expect_one_email_each(mailbox, registrants, "Confirm your email", timeout=180)
    expect_one_email_each(mailbox, registrants, "Registration received", timeout=180)

    approve_all(platform, [r.registration_id for r in registrants])
    expect_one_email_each(mailbox, registrants, "approved", timeout=180)
    printed = platform.consistency_report()
    assert f"every approved organisation has its matchmaking profile ({REGISTRATIONS} checked)" in printed


def test_a_burst_of_payment_callbacks_pays_each_order_once(services, platform_env, signing_keys, mailbox, run_id,
                                                           tmp_path):
    started = time.monotonic()
    platform = Platform(services, platform_env, signing_keys)
    platform.migrate(*SERVICES)
    with gateway_simulator(platform_env) as gateway:
        platform.start(webs=("registration", "billing"), workers=SERVICES, web_workers=2, threads=8,
                       extra_env={"RAZORPAY_API_URL": gateway.url})
        print(f"\nplatform migrated and started in {time.monotonic() - started:.1f} s")
        burst = PaymentBurst(platform, gateway, run_id, orders=CALLBACK_ORDERS, strays=max(1, CALLBACK_ORDERS // 50))
        started = time.monotonic()
        callbacks = burst.prepare(tmp_path)
        print(f"{len(burst.buyers)} buyers approved, ordered and paid in {time.monotonic() - started:.1f} s")

        figures = run_locust(BENCH / "locust_payment_callbacks.py", platform.urls["billing"], tmp_path,
                             users=CALLBACK_USERS, seconds=SECONDS, env={"DPD_LOAD_CALLBACKS": str(callbacks)})
    print(described("payment callbacks", figures) + f"\n  {burst.described()}; billing answered {figures['outcomes']}")
    assert (figures["requests"], figures["failures"]) == (len(burst.callbacks), 0), figures

    outcomes = burst.callbacks_recorded()
    lost, doubled = burst.lost_and_doubled()
    flagged = burst.expect_only_the_strays_flagged()
    print(f"  recorded once each: {dict(outcomes)}; {len(lost)} lost, {len(doubled)} doubled of "
          f"{len(burst.buyers)} orders; {flagged} callbacks flagged (all for the stray payments)")
    assert (lost, doubled) == ([], [])
    assert figures["outcomes"]["duplicate"] == len(burst.callbacks) - sum(outcomes.values())

    started = time.monotonic()
    wait_until_idle(platform, ("billing", "notification"), timeout=180)
    expect_one_email_each(mailbox, burst.buyers, "Payment received", timeout=180)
    expect_one_email_each(mailbox, burst.buyers, "Tax invoice", timeout=180)
    printed = platform.consistency_report()
    print(f"  emails and consistency checked in {time.monotonic() - started:.1f} s")
    assert re.search(rf"paid order\b.*\({CALLBACK_ORDERS} checked\)", printed), printed
