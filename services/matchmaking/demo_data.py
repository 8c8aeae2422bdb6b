"""Matchmaking's demo data, through the platform's own front doors: the organiser sets the
schedule frame over the edition's days, approved companies sign in by their emailed link and
ask the officers and companies recommended to them for meetings, officers and companies answer
(most accept, some decline with a reason), and the organiser runs the scheduler and publishes.

    .venv/bin/python -m services.matchmaking.demo_data --registration-url http://127.0.0.1:8001 \\
        --matchmaking-url http://127.0.0.1:8002 --maildir .run/mail --admin-email admin@... --admin-password ...

Run it after registration's demo data (`./dpd demo` runs all of them in turn): its companies'
first delegates are delegate0.company<N>@demo.in, and its officers are on the roster.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta

import requests

from shared.localinfra.demo_people import DemoRun, sign_in

AGENDAS = ("Indigenous {sector} solutions for your current requirement",
           "Joint development under the Make-II route: {sector}",
           "Field trials and after-sales support of our {sector} line",
           "Technology transfer and local manufacture: {sector}")
DECLINE_REASONS = ("Not a current requirement of our directorate.", "Our team is fully booked on these days.",
                   "Please approach us after the RFP is issued.")
RUN_TIMEOUT_SECONDS = 300


def frame(edition: dict) -> dict:
    """Two B2B/B2G meeting days at most, 10:00-17:00 in 20-minute slots, with lunch and tea."""
    first = date.fromisoformat(edition["starts_on"])
    last = min(date.fromisoformat(edition["ends_on"]), first + timedelta(days=1))
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return {"time_zone": "Asia/Kolkata", "slot_minutes": 20, "b2g_tables": 12, "b2b_tables": 6,
            "max_open_requests_per_company": 12, "max_meetings_per_officer_per_day": 14, "response_hours": 72,
            "days": [{"date": day, "opens": "10:00", "closes": "17:00",
                      "breaks": [{"starts": "13:00", "ends": "14:00", "label": "Lunch"},
                                 {"starts": "15:40", "ends": "16:00", "label": "Tea"}]} for day in days]}


def ask_for_meetings(matchmaking: str, sessions: dict[str, dict], rng: random.Random) -> int:
    """Each company asks a few of its best-matched officers and one company for a meeting."""
    asked = 0
    for headers in sessions.values():
        found = requests.get(f"{matchmaking}/api/v1/me/recommendations", headers=headers, timeout=20)
        if found.status_code != 200:
            continue  # matchmaking has not heard of this company's approval (yet)
        recommended = found.json()["recommendations"]
        officers = [r for r in recommended if r["kind"] == "officer"][:rng.randint(2, 5)]
        companies = [r for r in recommended if r["kind"] == "company"][:1]
        for match in officers + companies:
            sector = (match["shared_sectors"] or ["defence"])[0].replace("_", " ")
            made = requests.post(f"{matchmaking}/api/v1/requests", headers=headers, timeout=20, json={
                "receiver": match["key"], "agenda": rng.choice(AGENDAS).format(sector=sector)})
            asked += made.status_code == 201
    return asked


def answer_requests(matchmaking: str, sessions: dict[str, dict], rng: random.Random) -> tuple[int, int]:
    """Everyone signed in answers what they received: (accepted, declined)."""
    accepted = declined = 0
    for headers in sessions.values():
        received = requests.get(f"{matchmaking}/api/v1/me/requests", headers=headers, timeout=20)
        if received.status_code != 200:
            continue
        for request in received.json()["received"]:
            if request["status"] != "pending":
                continue
            if rng.random() < 0.8:
                answer = requests.post(f"{matchmaking}/api/v1/requests/{request['id']}/accept", headers=headers,
                                       json={"starred": rng.random() < 0.2}, timeout=20)
                accepted += answer.status_code == 200
            else:
                answer = requests.post(f"{matchmaking}/api/v1/requests/{request['id']}/decline", headers=headers,
                                       json={"reason": rng.choice(DECLINE_REASONS)}, timeout=20)
                declined += answer.status_code == 200
    return accepted, declined


def schedule(matchmaking: str, staff: dict, edition_id: str, time_limit: int) -> dict:
    """Run the scheduler (the worker solves it), wait for it, publish it: the run's figures."""
    queued = requests.post(f"{matchmaking}/api/v1/editions/{edition_id}/schedule-runs", headers=staff,
                           json={"time_limit_seconds": time_limit}, timeout=20)
    queued.raise_for_status()
    run_url = f"{matchmaking}/api/v1/schedule-runs/{queued.json()['id']}"
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while (run := requests.get(run_url, headers=staff, timeout=20).json())["status"] in ("queued", "running"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the scheduler run did not end within {RUN_TIMEOUT_SECONDS} s: is the worker up?")
        time.sleep(1)
    if run["status"] != "finished":
        raise RuntimeError(f"the scheduler run ended {run['status']}: {run}")
    requests.post(f"{run_url}/publish", headers=staff, json={}, timeout=60).raise_for_status()
    return run["figures"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registration-url", required=True)
    parser.add_argument("--matchmaking-url", required=True)
    parser.add_argument("--maildir", required=True, help="where the local SMTP server keeps the mail")
    parser.add_argument("--admin-email", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--edition", default="dpd-2026")
    parser.add_argument("--companies", type=int, default=60, help="companies of registration's demo that ask")
    parser.add_argument("--officers", type=int, default=None, help="officers of the roster who sign in and answer "
                                                                    "(default: all)")
    parser.add_argument("--time-limit", type=int, default=20, help="seconds the scheduler may search")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    matchmaking = args.matchmaking_url.rstrip("/")
    run = DemoRun.signed_in(args.registration_url, admin_email=args.admin_email, admin_password=args.admin_password,
                            edition=args.edition)
    staff, edition = run.staff, run.edition
    requests.put(f"{matchmaking}/api/v1/editions/{edition['id']}/frame", json=frame(edition), headers=staff,
                 timeout=20).raise_for_status()
    print(f"frame: {len(frame(edition)['days'])} days of meetings")

    companies = run.sign_in_companies(args.maildir, args.companies)
    roster = requests.get(f"{run.registration_url}/api/v1/editions/{args.edition}/officers", headers=staff,
                          timeout=20).json()["officers"]
    officer_emails = [officer["email"] for officer in roster[:args.officers or len(roster)]]
    officers = sign_in(run.registration_url, args.maildir, officer_emails, timeout=120, expected=len(officer_emails))
    print(f"signed in: {len(companies)} companies, {len(officers)} officers")

    bearer = {email: {"Authorization": f"Bearer {session}"} for email, session in {**companies, **officers}.items()}
    asked = ask_for_meetings(matchmaking, {email: bearer[email] for email in companies}, rng)
    accepted, declined = answer_requests(matchmaking, bearer, rng)
    print(f"meeting requests: {asked} asked, {accepted} accepted, {declined} declined")
    figures = schedule(matchmaking, staff, edition["id"], args.time_limit)
    print("schedule published: " + ", ".join(f"{name} {value}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
