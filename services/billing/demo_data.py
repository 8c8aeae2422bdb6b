"""Billing's demo data, through the platform's own front doors: finance sets up the local
edition's catalogue (sponsorship tiers, two halls of booths, branding), then delegates of
approved companies sign in by their emailed link and buy: most pay on the gateway simulator's
checkout, some leave their hold to expire, some pay by bank transfer, which finance records.

    .venv/bin/python -m services.billing.demo_data --registration-url http://127.0.0.1:8001 \\
        --billing-url http://127.0.0.1:8004 --maildir .run/mail --admin-email admin@... --admin-password ...

Run it after registration's demo data (`./dpd demo`): its buyers are the companies that demo
registered and approved, whose first delegates it wrote as delegate0.company<N>@demo.in.
"""
from __future__ import annotations

import argparse
import random
import sys
from html.parser import HTMLParser

import requests

from shared.localinfra.demo_people import DemoRun

TIERS = [("Platinum", 25_00_000_00, 2, 30, True, "Opening-session address, the largest booth, logo on every screen"),
         ("Gold", 10_00_000_00, 5, 20, True, "A booth in Hall A, logo on the stage backdrop"),
         ("Silver", 5_00_000_00, 10, 10, False, "Logo on the website and the delegate kit")]
BRANDING = [("Lanyard branding", 3_00_000_00, 1, "Your logo on every delegate's lanyard"),
            ("Delegate kit insert", 15_000_00, 60, "A brochure or gift in the delegate kit"),
            ("Stage backdrop logo", 1_00_000_00, 6, "Your logo on the main stage backdrop"),
            ("Foyer banner", 60_000_00, 12, "A 2 x 1 m banner in the foyer")]


def booths() -> list[dict]:
    """Hall A: 4 rows of 5 booths, 3 x 3 m with 2 m aisles; Hall B: 3 rows of 4 larger ones."""
    made = []
    for hall, rows, columns, width, depth, price in (("Hall A", 4, 5, 3, 3, 1_50_000_00),
                                                     ("Hall B", 3, 4, 4, 3, 2_25_000_00)):
        for row in range(rows):
            for column in range(columns):
                number = f"{hall[-1]}-{row + 1}{column + 1:02d}"
                corner = column in (0, columns - 1)
                made.append({"kind": "booth", "name": number, "unit_price_paise": price + (25_000_00 if corner else 0),
                             "quantity": 1, "description": "Corner booth" if corner else "",
                             "booth": {"hall": hall, "booth_number": number, "x_m": str(column * (width + 1)),
                                       "y_m": str(row * (depth + 2)), "width_m": str(width), "depth_m": str(depth)}})
    return made


def catalogue_items() -> list[dict]:
    items = [{"kind": "sponsorship", "name": name, "unit_price_paise": price, "quantity": quantity,
              "matchmaking_priority": priority, "includes_booth": with_booth, "description": benefits}
             for name, price, quantity, priority, with_booth, benefits in TIERS]
    items += booths()
    items += [{"kind": "branding", "name": name, "unit_price_paise": price, "quantity": quantity,
               "description": description} for name, price, quantity, description in BRANDING]
    return items


class _HiddenFields(HTMLParser):
    """The hidden inputs of a page's first form, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("type") == "hidden" and self.action and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value", ""))


def hidden_form(html: str) -> tuple[str, dict[str, str]]:
    parser = _HiddenFields()
    parser.feed(html)
    return parser.action, parser.fields


def set_up_catalogue(billing: str, staff: dict, edition_id: str, edition_name: str) -> dict[str, dict]:
    requests.put(f"{billing}/api/v1/editions/{edition_id}", json={"name": edition_name, "venue_state": "DL"},
                 headers=staff, timeout=10).raise_for_status()
    existing = requests.get(f"{billing}/api/v1/editions/{edition_id}/catalogue", headers=staff, timeout=10).json()
    if not existing["items"]:
        for item in catalogue_items():
            requests.post(f"{billing}/api/v1/editions/{edition_id}/items", json=item, headers=staff,
                          timeout=10).raise_for_status()
        existing = requests.get(f"{billing}/api/v1/editions/{edition_id}/catalogue", headers=staff, timeout=10).json()
    return {item["name"]: item for item in existing["items"]}


def pay_on_the_simulator(billing: str, buyer: dict, order_id: str) -> bool:
    """Checkout as the buyer's browser: to the gateway's page, press Pay, come back."""
    form = requests.post(f"{billing}/api/v1/me/orders/{order_id}/checkout", headers=buyer, timeout=20)
    if form.status_code != 200:
        return False
    checkout = form.json()
    pay_url = checkout["action_url"].replace("/embedded", f"/{checkout['fields']['order_id']}/pay")
    paid_page = requests.post(pay_url, data={"callback_url": checkout["fields"]["callback_url"]}, timeout=20)
    action, fields = hidden_form(paid_page.text)
    return requests.post(action, data=fields, allow_redirects=False, timeout=20).status_code == 303


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registration-url", required=True)
    parser.add_argument("--billing-url", required=True)
    parser.add_argument("--maildir", required=True, help="where the local SMTP server keeps the mail")
    parser.add_argument("--admin-email", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--edition", default="dpd-2026")
    parser.add_argument("--companies", type=int, default=30, help="companies of registration's demo to try as buyers")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    billing = args.billing_url.rstrip("/")
    run = DemoRun.signed_in(args.registration_url, admin_email=args.admin_email, admin_password=args.admin_password,
                            edition=args.edition)
    staff, edition = run.staff, run.edition
    print(f"catalogue: {len(set_up_catalogue(billing, staff, edition['id'], edition['name']))} items")

    tokens = run.sign_in_companies(args.maildir, args.companies)
    print(f"buyers signed in: {len(tokens)}")
    outcomes = {"paid online": 0, "left to expire": 0, "paid by transfer": 0, "awaiting transfer": 0,
                "not approved": 0}
    for index, session in enumerate(tokens.values()):
        buyer = {"Authorization": f"Bearer {session}"}
        on_sale = requests.get(f"{billing}/api/v1/me/catalogue", headers=buyer, timeout=20).json()["items"]
        available = [item for item in on_sale if item["available"] > 0]
        if not available:
            outcomes["not approved"] += not on_sale
            continue
        booths_free = [item for item in available if item["kind"] == "booth"]
        rng.shuffle(booths_free)
        tiers = [item for item in available if item["kind"] == "sponsorship"]
        lines, extra = ([{"item_id": booths_free.pop()["id"]}] if booths_free else []), {}
        if index % 4 == 0 and tiers:
            tier = rng.choice(tiers)
            lines = [{"item_id": tier["id"]}]
            if tier.get("includes_booth"):
                if not booths_free:
                    continue
                extra["included_booth_id"] = booths_free.pop()["id"]
        branding = [item for item in available if item["kind"] == "branding"]
        if branding and (rng.random() < 0.4 or not lines):
            lines.append({"item_id": rng.choice(branding)["id"], "quantity": 1})
        by_transfer = index % 5 == 4
        placed = requests.post(f"{billing}/api/v1/me/orders", headers=buyer, timeout=20,
                               json={"lines": lines, "payment_method": "bank_transfer" if by_transfer else "gateway",
                                     **extra})
        if placed.status_code != 201:  # another buyer was quicker: as at the real event
            continue
        order = placed.json()
        if by_transfer:
            if rng.random() < 0.5:
                requests.post(f"{billing}/api/v1/orders/{order['id']}/bank-transfers", headers=staff, timeout=20,
                              json={"reference": f"SBIN{rng.randint(10**11, 10**12 - 1)}",
                                    "amount_paise": order["payable_paise"]}).raise_for_status()
                outcomes["paid by transfer"] += 1
            else:
                outcomes["awaiting transfer"] += 1
        elif rng.random() < 0.8 and pay_on_the_simulator(billing, buyer, order["id"]):
            outcomes["paid online"] += 1
        else:
            outcomes["left to expire"] += 1
    print("orders: " + ", ".join(f"{count} {what}" for what, count in outcomes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
