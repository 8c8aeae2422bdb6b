"""Billing under the payment gateway's bursts: signed callbacks processed per second and their
latency, and the last-booth race at 100 concurrent buyers (oversells counted).

Usage (from the repo root): .venv/bin/python bench/billing_callbacks.py [--duration 20] [--rate 300]
    [--concurrency 16] [--racers 100] [--rounds 5] [--repeat 1]

On a fresh Kafka and durable PostgreSQL, billing's web process runs as deployed (gunicorn,
2 workers x 8 threads) with its worker (outbox relay to Kafka, hold sweeper, consumer).

1. Callbacks. Orders are placed through billing's own use case (each for branding items,
   priced with GST), and each gets a gateway order as a checkout would (its row written
   directly: the gateway is not what is measured). Each order then receives the three
   webhooks Razorpay sends for a successful payment, payment.authorized, payment.captured and
   order.paid, signed with the webhook secret (HMAC-SHA256 of the raw body) and with their
   own X-Razorpay-Event-Id, sent back to back so the three of an order arrive together on
   different connections, as the gateway's bursts do. Applying them verifies the signature
   and age, records the callback once per event id, moves the payment forward, and for the
   capture pays the order: items sold, GST invoice numbered and stored, five events in the
   outbox; the other two find the work done.
   - capacity: closed loop, --concurrency keep-alive connections for --duration seconds;
   - the target rate: open loop at --rate callbacks per second for --duration seconds
     (latency counted from when each was due).
   Afterwards every order must be paid exactly once, with exactly one tax invoice, and the
   invoice numbers must have no gap; the run says so.
2. The race. --rounds times, --racers approved buyers are released together (a barrier) to
   order the same last booth over HTTP; exactly one may win. Oversells are counted from the
   database (held + sold above the booth's quantity) and from the answers (more than one 201).

Figures are printed, nothing is asserted; exit status 0 when the checks above hold.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    describe_machine, local_infrastructure, percentile, platform_env, postgres_durability, print_runs,
    run_benchmark, stop_on_sigterm)
from bench.http_load import LoadResult, closed_loop, open_loop  # noqa: E402
from bench.registration_surge import CpuMeter  # noqa: E402
from services.billing import catalogue, ordering  # noqa: E402
from services.billing.adapters.razorpay import webhook_signature  # noqa: E402
from services.billing.adapters.tables import gateway_orders  # noqa: E402
from services.billing.bootstrap import bootstrap  # noqa: E402
from services.billing.domain.catalogue import BoothPlace, CatalogueItem, ItemKind  # noqa: E402
from services.billing.domain.orders import PaymentMethod, RequestedLine  # noqa: E402
from services.billing.manage import migrate  # noqa: E402
from shared.auth import ORGANISER, Principal  # noqa: E402
from shared.testing.fixtures import ServiceProcesses, TokenMaker  # noqa: E402
from tests.billing.support import EDITION_ID, approve_buyer  # noqa: E402

FINANCE = Principal(kind=ORGANISER, subject="bench", name="Benchmark", issued_at=None, roles=frozenset({"finance"}))
WEBHOOK_PATH = "/api/v1/gateway/razorpay/webhook"
EVENTS_PER_ORDER = ("payment.authorized", "payment.captured", "order.paid")
SETUP_THREADS = 8


def prepare_orders(wiring, count: int, branding_ids: list[str]) -> list[dict]:
    """`count` held orders of approved buyers, each with a gateway order: what the callbacks pay."""
    def one(n: int) -> dict:
        buyer = approve_buyer(wiring, name=f"Bench Buyer {n} Pvt Ltd", state=("DL", "MH", "KA")[n % 3])
        placed = ordering.place_order(wiring, registration_id=buyer,
                                      lines=[RequestedLine(branding_ids[n % len(branding_ids)], 1)],
                                      included_booth_id=None, payment_method=PaymentMethod.GATEWAY,
                                      placed_by="bench", client_request_id=None, correlation_id=f"bench-{n}")
        with wiring.engine.begin() as db:
            payable = db.exec_driver_sql("SELECT payable_paise FROM orders WHERE id = %s", (placed.order_id,)).scalar()
            gateway_order_id = f"order_{secrets.token_hex(7)}"
            db.execute(gateway_orders.insert().values(gateway_order_id=gateway_order_id, gateway="razorpay",
                                                      order_id=placed.order_id, amount_paise=payable, currency="INR"))
        return {"order_id": placed.order_id, "gateway_order_id": gateway_order_id, "amount": payable,
                "payment_id": f"pay_{secrets.token_hex(7)}"}

    with ThreadPoolExecutor(max_workers=SETUP_THREADS) as pool:
        return list(pool.map(one, range(count)))


def signed_callbacks(orders: list[dict], secret: str) -> list[tuple[bytes, dict[str, str]]]:
    """Three webhooks per order, in the order the gateway emits them, each signed like Razorpay's."""
    callbacks = []
    now = int(time.time())
    for order in orders:
        payment = {"id": order["payment_id"], "entity": "payment", "amount": order["amount"], "currency": "INR",
                   "order_id": order["gateway_order_id"], "method": "upi", "captured": True, "created_at": now}
        for event in EVENTS_PER_ORDER:
            entities = {"payment": {**payment, "status": "authorized" if event == "payment.authorized" else "captured"}}
            if event == "order.paid":
                entities["order"] = {"id": order["gateway_order_id"], "entity": "order", "amount": order["amount"],
                                     "status": "paid"}
            body = json.dumps({"entity": "event", "account_id": "acc_bench", "event": event,
                               "contains": list(entities),
                               "payload": {name: {"entity": entity} for name, entity in entities.items()},
                               "created_at": now}).encode()
            callbacks.append((body, {"X-Razorpay-Signature": webhook_signature(body, secret),
                                     "X-Razorpay-Event-Id": f"evt_{secrets.token_hex(8)}"}))
    return callbacks


class BillingCpu(CpuMeter):
    """CPU time of billing's processes (and PostgreSQL and Kafka) over a phase, and of everyone else's."""

    _ROLES = (("billing/gunicorn.conf.py", "billing web"), ("services.billing.worker", "billing worker"),
              ("postgres", "postgres"), ("java", "kafka"))


def cpu_figures(meter: BillingCpu, callbacks: int) -> dict[str, float]:
    """CPU per callback of the platform's side (web, worker, PostgreSQL, Kafka): what a machine of
    its own would need; and the share of the two cores other people's work took meanwhile."""
    elapsed, used = meter.read()
    ours = sum(seconds for role, seconds in used.items() if role not in ("others", "client (this process)"))
    cores = os.cpu_count() or 1
    per_role = {f"  {role} CPU ms/callback": 1000 * seconds / max(callbacks, 1) for role, seconds in used.items()
                if role not in ("others", "client (this process)")}
    return {"platform CPU ms/callback": 1000 * ours / max(callbacks, 1), **per_role,
            "others' CPU % of machine": 100 * used.get("others", 0.0) / (elapsed * cores)}


def callback_figures(prefix: str, result: LoadResult, elapsed: float) -> dict[str, float]:
    ok = [o for o in result.outcomes if o.status == 200]
    latencies = [(o.done - o.due) * 1000 for o in ok]
    return {f"{prefix} callbacks/s": len(ok) / elapsed,
            f"{prefix} p50 ms": percentile(latencies, 50), f"{prefix} p99 ms": percentile(latencies, 99),
            f"{prefix} errors": len(result.outcomes) - len(ok)}


def check_payments(wiring, orders: list[dict]) -> tuple[int, int, bool]:
    """(orders paid, tax invoices, invoice numbers without a gap)."""
    ids = [order["order_id"] for order in orders]
    with wiring.engine.connect() as db:
        paid = db.execute(sa.text("SELECT count(*) FROM orders WHERE status = 'paid' AND id = ANY(:ids)"),
                          {"ids": ids}).scalar()
        invoices = db.execute(sa.text("SELECT count(*) FROM invoices WHERE kind = 'tax_invoice' AND order_id = ANY(:ids)"),
                              {"ids": ids}).scalar()
        numbers = db.exec_driver_sql("SELECT number FROM invoices WHERE kind = 'tax_invoice'").scalars().all()
    sequence = sorted(int(number.rsplit("/", 1)[1]) for number in numbers)
    return paid, invoices, sequence == list(range(1, len(sequence) + 1))


def race(url: str, wiring, tokens: TokenMaker, booth_id: str, racers: int) -> tuple[int, int]:
    """(201 answers, held + sold of the booth afterwards)."""
    sessions = []
    for n in range(racers):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens.participant(approve_buyer(wiring, name=f'Racer {n} Ltd'))}"
        sessions.append(session)
    start = threading.Barrier(racers)

    def attempt(session) -> int:
        start.wait()
        return session.post(f"{url}/api/v1/me/orders", json={"lines": [{"item_id": booth_id}]}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=racers) as pool:
        answers = list(pool.map(attempt, sessions))
    with wiring.engine.connect() as db:
        taken = db.exec_driver_sql("SELECT held + sold FROM catalogue_items WHERE id = %s", (booth_id,)).scalar()
    return answers.count(201), taken


BRANDING = ("Lanyards", "Delegate bags", "Backdrop logo", "Hall banners", "Badge ribbons")


def open_sales(wiring, booths: int) -> tuple[list[str], list[str]]:
    """Branding items (enough units for every order) and --rounds booths to race for."""
    catalogue.save_edition(wiring.engine, edition_id=EDITION_ID, name="Benchmark edition", venue_state="DL",
                           actor=FINANCE, correlation_id="bench")
    branding = [catalogue.add_item(wiring.engine, EDITION_ID, CatalogueItem(ItemKind.BRANDING, name, 200_00, 10_000),
                                   actor=FINANCE, correlation_id="bench") for name in BRANDING]
    booth_ids = [catalogue.add_item(wiring.engine, EDITION_ID, CatalogueItem(
        ItemKind.BOOTH, f"R-{n}", 1_50_000_00, 1, booth=BoothPlace("Hall R", f"R-{n}", 3 * n, 0, 3, 3)),
        actor=FINANCE, correlation_id="bench") for n in range(booths)]
    return branding, booth_ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds per callback phase")
    parser.add_argument("--rate", type=float, default=300, help="callbacks per second in the open-loop phase")
    parser.add_argument("--concurrency", type=int, default=16, help="connections in the capacity phase")
    parser.add_argument("--racers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="last-booth races per run")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    stop_on_sigterm()
    print(describe_machine(), flush=True)
    runs, healthy = [], True
    with local_infrastructure(smtp=False) as infra:
        print(f"PostgreSQL durability: {postgres_durability(infra.postgres)}", flush=True)
        for run in range(1, args.repeat + 1):
            env = platform_env(infra, topic_prefix=f"bench{run}.", databases_for=["billing"],
                               databases=lambda service, run=run: infra.postgres.ensure_database(
                                   f"{service}_{run}", owner=f"{service}_{run}", password=secrets.token_hex(8)))
            migrate(env)
            wiring = bootstrap(env)
            processes = ServiceProcesses(env, infra.root)
            try:
                url = processes.web("billing", workers=2, threads=8)
                processes.worker("billing")
                branding, booths = open_sales(wiring, args.rounds)
                capacity_count = int(args.duration * 300) + 300  # callbacks for up to 900/s: none sent twice
                rate_count = int(args.duration * args.rate / 3) + 1
                print(f"run {run}: placing {capacity_count + rate_count} orders ...", flush=True)
                orders = prepare_orders(wiring, capacity_count + rate_count, branding)
                secret = env["RAZORPAY_WEBHOOK_SECRET"]
                capacity_calls = signed_callbacks(orders[:capacity_count], secret)
                rate_calls = signed_callbacks(orders[capacity_count:], secret)
                print(f"run {run}: capacity ({args.concurrency} connections, {args.duration:g} s) ...", flush=True)
                meter = BillingCpu()
                meter.start()
                result = closed_loop(f"{url}{WEBHOOK_PATH}", lambda i: capacity_calls[i % len(capacity_calls)],
                                     concurrency=args.concurrency, duration=args.duration)
                figures = callback_figures("capacity", result, args.duration)
                figures |= cpu_figures(meter, len(result.outcomes))
                sent = len(result.outcomes)
                print(f"run {run}: open loop at {args.rate:g}/s ...", flush=True)
                result = open_loop(f"{url}{WEBHOOK_PATH}", lambda i: rate_calls[i], rate=args.rate,
                                   count=len(rate_calls))
                figures |= callback_figures(f"at {args.rate:g}/s", result, result.finished - result.started)
                paid_orders = orders[:min(sent, len(capacity_calls)) // 3] + orders[capacity_count:]
                paid, invoices, gapless = check_payments(wiring, paid_orders)
                figures |= {"orders paid once": paid, "orders sent callbacks": len(paid_orders),
                            "tax invoices": invoices, "numbering gapless": int(gapless)}
                healthy &= paid == invoices == len(paid_orders) and gapless
                tokens = TokenMaker(Path(env["AUTH_SIGNING_KEY_FILE"]))
                winners, oversells = 0, 0
                for booth in booths:
                    wins, taken = race(url, wiring, tokens, booth, args.racers)
                    winners += wins
                    oversells += max(wins - 1, 0) + max(taken - 1, 0)
                figures |= {f"races of {args.racers}": len(booths), "race winners": winners, "oversells": oversells}
                healthy &= oversells == 0 and winners == len(booths)
                runs.append(figures)
            finally:
                processes.stop_all()
                wiring.engine.dispose()
    print_runs(runs)
    print("checks:", "every order paid once, invoices gapless, no oversell" if healthy else "FAILED")
    return 0 if healthy else 1


if __name__ == "__main__":
    run_benchmark(main)
