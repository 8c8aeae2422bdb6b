"""Fill an edition with realistic data through the platform's own front doors, so a newcomer
sees it alive: an officer roster (CSV import), companies of every kind registering with their
delegates, confirming their email from the mailbox, and organisers approving most of them.

    .venv/bin/python -m services.registration.demo_data --url http://127.0.0.1:8001 \\
        --maildir .run/mail --admin-email admin@... --admin-password ...

(`./dpd demo` does this for the local platform.)
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import requests

from services.registration.domain.identifiers import gstin_check_character
from services.registration.domain.india import STATES_BY_KEY
from services.registration.domain.model import SECTORS, OrganisationType
from shared.localinfra.smtp import Mailbox

FIRST_NAMES = ["Ananya", "Rohan", "Kavya", "Arjun", "Meera", "Vikram", "Priya", "Siddharth", "Lakshmi", "Aditya",
               "Neha", "Karthik", "Divya", "Rahul", "Sneha", "Manoj", "Pooja", "Harish", "Isha", "Naveen"]
LAST_NAMES = ["Rao", "Sharma", "Iyer", "Menon", "Nair", "Reddy", "Singh", "Gupta", "Das", "Kulkarni", "Pillai",
              "Chatterjee", "Verma", "Joshi", "Bhat", "Mehta"]
RANKS = {"army": ["Colonel", "Brigadier", "Major General", "Lieutenant Colonel"],
         "navy": ["Commander", "Captain", "Commodore", "Rear Admiral"],
         "air_force": ["Wing Commander", "Group Captain", "Air Commodore"],
         "coast_guard": ["Commandant", "Deputy Inspector General"],
         "drdo": ["Scientist E", "Scientist F", "Scientist G", "Director"],
         "mod": ["Joint Secretary", "Director", "Deputy Secretary"],
         "dpsu": ["General Manager", "Chief General Manager"]}
COMPANY_WORDS = ["Bharat", "Vajra", "Garuda", "Agni", "Trishul", "Astra", "Nirbhay", "Prithvi", "Tejas", "Arjun",
                 "Dhruv", "Nag", "Akash", "Kavach", "Sudarshan", "Indus", "Himalaya", "Saraswati"]
COMPANY_KINDS = ["Aerospace", "Defence Systems", "Electronics", "Composites", "Robotics", "Optronics",
                 "Precision Engineering", "Cyber Labs", "Marine Technologies", "Drones"]
CAPABILITIES = ["ruggedised mission computers", "thermal imaging sights", "carbon-fibre radomes",
                "software-defined radios", "autonomous underwater vehicles", "loitering munitions",
                "armour steel castings", "satellite ground stations", "electronic warfare suites",
                "simulators for armoured vehicles", "secure communication gateways", "small-arms ammunition"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def roster_csv(rng: random.Random, count: int) -> str:
    lines = ["name,rank,organisation,appointment,email,phone,sectors,requirements"]
    for index in range(count):
        organisation = rng.choice(list(RANKS))
        sectors = ";".join(rng.sample(sorted(SECTORS), k=rng.randint(1, 3)))
        need = rng.choice(CAPABILITIES)
        lines.append(f"{person(rng)},{rng.choice(RANKS[organisation])},{organisation},"
                     f"\"Director, {need.title()} Procurement\",officer{index}@{organisation.replace('_', '-')}.demo.in,,"
                     f"{sectors},\"Looking for Indian sources of {need}\"")
    return "\n".join(lines) + "\n"


def company(rng: random.Random, index: int, edition: str) -> dict:
    kind = rng.choices([t.value for t in OrganisationType], weights=[2, 1, 6, 4, 1, 1, 1])[0]
    name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {index}"
    foreign = kind == "foreign_oem"
    state = None if foreign else rng.choice(sorted(k for k, s in STATES_BY_KEY.items() if s.kind.value != "other_territory"))
    organisation = {
        "legal_name": f"{name} {'GmbH' if foreign else 'Private Limited'}", "type": kind,
        "country": rng.choice(["FR", "DE", "IL", "US"]) if foreign else "IN", "state": state,
        "address": f"{rng.randint(1, 200)} Industrial Area", "city": "Bengaluru" if not foreign else "Paris",
        "postal_code": f"{rng.randint(110001, 799999)}", "sectors": rng.sample(sorted(SECTORS), k=rng.randint(1, 3)),
        "capabilities": f"We design and manufacture {rng.choice(CAPABILITIES)} and {rng.choice(CAPABILITIES)}.",
        "products": f"{name} Mk {rng.randint(1, 5)}",
    }
    if not foreign:
        first14 = f"{STATES_BY_KEY[state].gst_code}AAAC{chr(65 + index % 26)}{index % 10000:04d}{chr(65 + index % 23)}1Z"
        organisation["gstin"] = first14 + gstin_check_character(first14)
    if kind == "msme":
        organisation["udyam_number"] = f"UDYAM-KA-{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
    delegates = []
    for number in range(rng.randint(1, 3)):
        delegates.append({"full_name": person(rng), "designation": rng.choice(["CEO", "CTO", "Director", "Manager"]),
                          "email": f"delegate{number}.company{index}@demo.in", "phone": f"+91 9{rng.randint(100000000, 999999999)}",
                          "nationality": organisation["country"],
                          "id_document": {"type": "passport", "number": f"Z{rng.randint(1000000, 9999999)}"}})
    return {"edition": edition, "organisation": organisation, "delegates": delegates,
            "meeting_interests": rng.sample(["b2g", "b2b"], k=rng.randint(1, 2)),
            "participation_interests": [rng.choice(["delegate_only", "exhibition_booth", "sponsorship", "branding"])]}


def confirm_emails(url: str, maildir: str, addresses: set[str], timeout: float) -> int:
    """Follow each confirmation link that reached these addresses, as the registrants would."""
    confirmed, seen, deadline = 0, set(), time.monotonic() + timeout
    mailbox = Mailbox(Path(maildir))
    while addresses - seen and time.monotonic() < deadline:
        for message in mailbox.messages_to(*addresses - seen):
            recipient = message["To"]
            if recipient not in addresses or recipient in seen or "Confirm your email" not in message["Subject"]:
                continue
            link = re.search(r"(http://\S+/verify/\S+)", message.get_body(("plain",)).get_content()).group(1)
            browser = requests.Session()
            browser.get(link, timeout=10)
            confirmed += browser.post(link, data={"csrf_token": browser.cookies.get("dpd_csrf", "")}, timeout=10).ok
            seen.add(recipient)
        time.sleep(0.5)
    return confirmed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="registration's base URL")
    parser.add_argument("--maildir", required=True, help="where the local SMTP server keeps the mail")
    parser.add_argument("--admin-email", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--edition", default="dpd-2026")
    parser.add_argument("--officers", type=int, default=160)
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--approve-share", type=float, default=0.85)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    token = requests.post(f"{args.url}/api/v1/auth/token", json={"email": args.admin_email,
                                                                  "password": args.admin_password}, timeout=10)
    token.raise_for_status()
    staff = {"Authorization": f"Bearer {token.json()['token']}"}

    roster = requests.post(f"{args.url}/api/v1/editions/{args.edition}/officers/import",
                           data=roster_csv(rng, args.officers), headers={**staff, "Content-Type": "text/csv"}, timeout=60)
    roster.raise_for_status()
    print(f"officers: {roster.json()}")

    ids, addresses = [], set()
    for index in range(args.companies):
        payload = company(rng, index, args.edition)
        response = requests.post(f"{args.url}/api/v1/registrations", json=payload, timeout=10,
                                 headers={"Idempotency-Key": f"demo-{args.seed}-{index}"})
        response.raise_for_status()
        ids.append(response.json()["id"])
        addresses.update(delegate["email"] for delegate in payload["delegates"])
    print(f"registrations: {len(ids)}")
    print(f"confirmed by email: {confirm_emails(args.url, args.maildir, addresses, timeout=300)}")

    chosen = [registration_id for registration_id in ids if rng.random() < args.approve_share]
    approved = requests.post(f"{args.url}/api/v1/registrations/bulk-approve", json={"registration_ids": chosen},
                             headers=staff, timeout=600).json()["results"]
    print(f"approved: {sum(1 for r in approved if r.get('status') == 'approved')}, "
          f"waitlisted: {sum(1 for r in approved if r.get('status') == 'waitlisted')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
