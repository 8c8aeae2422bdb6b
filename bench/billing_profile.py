"""Where a gateway callback's CPU goes in billing's web process, profiled in-process.

Usage (from the repo root): .venv/bin/python bench/billing_profile.py [--orders 600] [--top 25]

On fresh local infrastructure (as bench/billing_callbacks.py): orders placed and given gateway
orders, then their three webhooks each (payment.authorized, payment.captured, order.paid),
signed as Razorpay signs them, are sent through billing's real Flask app (a test client: no
socket, no gunicorn) in this process, on its main thread, under cProfile with a per-thread
CPU clock. Prints the CPU per callback and the functions with the most cumulative and own time
(the profiler inflates small Python calls: read shares, not absolute times).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import secrets  # noqa: E402

from bench.billing_callbacks import WEBHOOK_PATH, open_sales, prepare_orders, signed_callbacks  # noqa: E402
from bench.harness import (  # noqa: E402
    describe_machine, local_infrastructure, platform_env, profile_cpu, run_benchmark, stop_on_sigterm)
from services.billing.bootstrap import bootstrap  # noqa: E402
from services.billing.manage import migrate  # noqa: E402
from services.billing.web.app import create_app  # noqa: E402
from shared.config import WebSettings, load_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--top", type=int, default=25, help="functions listed per order")
    parser.add_argument("--save", help="also write the profile to this file (for pstats or snakeviz)")
    args = parser.parse_args()
    stop_on_sigterm()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=False) as infra:
        env = platform_env(infra, topic_prefix=f"profile-{secrets.token_hex(3)}.", databases_for=("billing",))
        migrate(env)
        wiring = bootstrap(env)
        try:
            branding, _ = open_sales(wiring, 0)
            orders = prepare_orders(wiring, args.orders, branding)
            callbacks = signed_callbacks(orders, env["RAZORPAY_WEBHOOK_SECRET"])
            client = create_app(wiring, load_settings(WebSettings, env)).test_client()
            warm_up, measured = callbacks[:30], callbacks[30:]
            for body, headers in warm_up:
                client.post(WEBHOOK_PATH, data=body, headers=headers)

            def send_all() -> None:
                for body, headers in measured:
                    answer = client.post(WEBHOOK_PATH, data=body, headers=headers)
                    assert answer.status_code == 200, answer.get_data(as_text=True)

            profile_cpu("gateway callbacks", len(measured), "callback", send_all, top=args.top, save=args.save)
        finally:
            wiring.engine.dispose()
    return 0


if __name__ == "__main__":
    run_benchmark(main)
