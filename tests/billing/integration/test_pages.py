"""Billing's pages in use: a buyer picks a booth on the floor plan and pays; finance manages the
catalogue and follows orders, payments, invoices and reconciliation."""
from __future__ import annotations

import re

from services.billing import payments
from shared.auth import ORGANISER, Principal
from tests.billing.support import EDITION_ID, approve_buyer, scalar

FINANCE = Principal(kind=ORGANISER, subject="fin-1", name="Farah Finance", issued_at=None, roles=frozenset({"finance"}))


class Browser:
    """A signed-in person's browser: the token as the session, the CSRF cookie echoed in forms."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, data: dict):
        if self.client.get_cookie("dpd_csrf") is None:
            self.get("/me/orders")
        return self.client.post(path, data={**data, "csrf_token": self.client.get_cookie("dpd_csrf").value},
                                headers=self.headers)


def test_a_buyer_picks_a_booth_on_the_floor_plan_orders_and_is_sent_to_the_gateway(client, wiring, tokens, catalogue,
                                                                                    gateway):
    rival, buyer = approve_buyer(wiring, name="Rival Ltd"), approve_buyer(wiring, name="Tejas Avionics Ltd")
    client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["A-2"]}]},
                headers={"Authorization": f"Bearer {tokens.participant(rival)}"})
    browser = Browser(client, tokens.participant(buyer))

    shop = browser.get("/me/shop").get_data(as_text=True)
    assert "<svg" in shop and "Floor plan of Hall A: 4 booths" in shop
    assert f"/me/shop?booth={catalogue['A-1']}" in shop, "an available booth links to its pick"
    assert f"/me/shop?booth={catalogue['A-2']}" not in shop and "A-2, 9 m², ₹1,50,000.00 + GST: held" in shop

    picked = browser.get(f"/me/shop?booth={catalogue['A-1']}").get_data(as_text=True)
    assert re.search(rf'<option value="{catalogue["A-1"]}" selected>', picked)
    placed = browser.post("/me/orders", {"booth": catalogue["A-1"], f"branding.{catalogue['Lanyards']}": "20",
                                         "payment_method": "gateway", "request_id": "form-1"})
    assert placed.status_code == 302
    order_page = browser.get(placed.location).get_data(as_text=True)
    assert "Held for you until" in order_page and "Pay ₹1,81,720.00 now" in order_page

    order_id = placed.location.rsplit("/", 1)[1]
    checkout = browser.post(f"/me/orders/{order_id}/pay", {}).get_data(as_text=True)
    assert f'action="{gateway.url}/v1/checkout/embedded"' in checkout
    assert re.search(r'name="order_id" value="order_\w+"', checkout)


def test_a_buyers_form_mistakes_are_shown_beside_the_form_and_nothing_is_held(client, wiring, tokens, catalogue):
    browser = Browser(client, tokens.participant(approve_buyer(wiring)))
    refused = browser.post("/me/orders", {"sponsorship": catalogue["Gold"], "payment_method": "gateway"})
    assert refused.status_code == 422
    assert "Gold includes a booth: pick one on the floor plan." in refused.get_data(as_text=True)
    assert browser.post("/me/orders", {f"branding.{catalogue['Lanyards']}": "many"}).status_code == 422
    assert scalar(wiring, "SELECT count(*) FROM orders") == 0


def test_a_participant_not_yet_approved_is_told_so(client, tokens, catalogue):
    page = Browser(client, tokens.participant()).get("/me/shop")
    assert page.status_code == 200 and "once its registration is approved" in page.get_data(as_text=True)


def test_finance_adds_a_booth_in_rupees_and_sees_who_holds_what(client, wiring, tokens, catalogue):
    finance = Browser(client, tokens.organiser("finance"))
    bad = finance.post(f"/admin/catalogue/{EDITION_ID}/items",
                       {"kind": "booth", "name": "B-1", "unit_price": "one lakh", "gst_rate": "18",
                        "booth.hall": "Hall B", "booth.booth_number": "B-1", "booth.x_m": "0", "booth.y_m": "0",
                        "booth.width_m": "0", "booth.depth_m": "3"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Type an amount in rupees" in text and "width and depth must be above zero" in text

    added = finance.post(f"/admin/catalogue/{EDITION_ID}/items",
                         {"kind": "booth", "name": "B-1", "unit_price": "₹1,75,000.50", "gst_rate": "18",
                          "booth.hall": "Hall B", "booth.booth_number": "B-1", "booth.x_m": "0", "booth.y_m": "0",
                          "booth.width_m": "6", "booth.depth_m": "3"})
    assert added.status_code == 302
    assert scalar(wiring, "SELECT unit_price_paise FROM catalogue_items WHERE name = 'B-1'") == 1_75_000_50
    buyer = approve_buyer(wiring, name="Holder of A-3 Ltd")
    client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["A-3"]}]},
                headers={"Authorization": f"Bearer {tokens.participant(buyer)}"})

    plan = finance.get("/admin/floor-plan").get_data(as_text=True)
    assert "Floor plan of Hall B: 1 booths" in plan and "Holder of A-3 Ltd" in plan
    catalogue_page = finance.get("/admin/catalogue").get_data(as_text=True)
    assert "₹1,75,000.50" in catalogue_page and "Holder of A-3 Ltd" in catalogue_page


def test_finance_follows_an_order_from_hold_to_invoice_and_exports_what_it_sees(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring, name="=HYPERLINK(\"http://evil\") Ltd")
    order = client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["Silver"]}],
                                                   "payment_method": "bank_transfer"},
                        headers={"Authorization": f"Bearer {tokens.participant(buyer)}"}).json
    finance = Browser(client, tokens.organiser("finance"))

    recorded = finance.post(f"/admin/orders/{order['id']}/bank-transfer", {"reference": "UTR-77", "amount": "2,36,000"})
    assert recorded.status_code == 302
    page = finance.get(f"/admin/orders/{order['id']}").get_data(as_text=True)
    assert "Tax invoice DPD/" in page and "pays the order" in page
    for path in ("/admin/", "/admin/orders", "/admin/payments", "/admin/invoices", "/admin/refunds",
                 "/admin/reconciliation"):
        assert finance.get(path).status_code == 200, path
    assert "adds up" in finance.get("/admin/reconciliation").get_data(as_text=True)

    exported = finance.get("/admin/orders.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in exported and order["number"] in exported
    assert scalar(wiring, "SELECT count(*) FROM audit_log WHERE action = 'orders.exported'") == 1
    assert "DPD/" in finance.get("/admin/invoices.csv").get_data(as_text=True)


def test_finance_refunds_from_the_order_page_and_a_viewer_sees_no_buttons(client, wiring, tokens, catalogue):
    buyer = approve_buyer(wiring)
    order = client.post("/api/v1/me/orders", json={"lines": [{"item_id": catalogue["A-4"]}],
                                                   "payment_method": "bank_transfer"},
                        headers={"Authorization": f"Bearer {tokens.participant(buyer)}"}).json
    payments.record_bank_transfer(wiring, order_id=order["id"], reference="UTR-1", amount_paise=order["payable_paise"],
                                  actor=FINANCE, correlation_id="test")
    finance = Browser(client, tokens.organiser("finance"))

    missing_reference = finance.post(f"/admin/orders/{order['id']}/refunds", {"reason": "Withdrawn", "amount": ""})
    assert missing_reference.status_code == 422 and "refund it by bank transfer" in missing_reference.get_data(as_text=True)
    done = finance.post(f"/admin/orders/{order['id']}/refunds", {"reason": "Withdrawn", "reference": "UTR-BACK-1",
                                                                 "cancel_order": "on"})
    assert done.status_code == 302
    assert "Credit note DPDC/" in finance.get(f"/admin/orders/{order['id']}").get_data(as_text=True)
    viewer_page = Browser(client, tokens.organiser("viewer")).get(f"/admin/orders/{order['id']}").get_data(as_text=True)
    assert "Refund</button>" not in viewer_page and "Mark paid" not in viewer_page
