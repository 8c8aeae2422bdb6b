"""The demo-data commands (`./dpd demo` runs them in turn) fill an edition through the platform's
own front doors: registration's (officers, companies, approvals), billing's (catalogue, orders
paid online or by transfer) and matchmaking's (meeting requests, answers, a published schedule)."""
from __future__ import annotations

import sqlalchemy as sa

from services.billing import demo_data as billing_demo
from services.billing.manage import migrate as migrate_billing
from services.matchmaking import demo_data as matchmaking_demo
from services.matchmaking.manage import migrate as migrate_matchmaking
from services.notification.manage import migrate as migrate_notification
from services.registration import demo_data
from services.registration.manage import create_organiser
from services.registration.manage import migrate as migrate_registration
from tests.support.editions import open_edition
from tests.support.platform import gateway_simulator

PASSWORD = "demo passphrase 2026"


def counts(url: str, sql: str) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        return dict(db.execute(sa.text(sql)).all())


def test_demo_data_registers_approves_sells_and_schedules_meetings_through_the_apis(services, platform_env, smtp_server, run_id):
    admin = f"admin.{run_id}@dpd.example.in"
    with gateway_simulator(platform_env) as gateway:
        env = {**platform_env, "RAZORPAY_API_URL": gateway.url}
        for migrate in (migrate_registration, migrate_notification, migrate_billing, migrate_matchmaking):
            migrate(env)
        open_edition(env)
        create_organiser(["--email", admin, "--name", "Admin", "--roles", "admin"],
                         {**env, "DPD_ORGANISER_PASSWORD": PASSWORD})
        for service in ("registration", "notification", "billing", "matchmaking"):
            services.worker(service, extra_env={"RAZORPAY_API_URL": gateway.url})
        registration = services.web("registration")
        billing = services.web("billing", extra_env={"RAZORPAY_API_URL": gateway.url})
        matchmaking = services.web("matchmaking")
        signed_in = ["--maildir", str(smtp_server.mailbox.path), "--admin-email", admin, "--admin-password", PASSWORD]

        assert demo_data.main(["--url", registration, *signed_in, "--officers", "12", "--companies", "10",
                               "--seed", "7"]) == 0
        assert billing_demo.main(["--registration-url", registration, "--billing-url", billing, *signed_in,
                                  "--companies", "10", "--seed", "7"]) == 0
        assert matchmaking_demo.main(["--registration-url", registration, "--matchmaking-url", matchmaking,
                                      *signed_in, "--companies", "10", "--time-limit", "3", "--seed", "7"]) == 0

    statuses = counts(env["REGISTRATION_DATABASE_URL"], "SELECT status, count(*) FROM registrations GROUP BY status")
    officers = counts(env["REGISTRATION_DATABASE_URL"], "SELECT 'officers', count(*) FROM officers")
    assert officers == {"officers": 12}
    assert sum(statuses.values()) == 10 and statuses.get("awaiting_verification", 0) == 0
    assert statuses.get("approved", 0) >= 6

    items = counts(env["BILLING_DATABASE_URL"], "SELECT kind, count(*) FROM catalogue_items GROUP BY kind")
    assert items["booth"] >= 20 and items["sponsorship"] == 3 and items["branding"] == 4
    orders = counts(env["BILLING_DATABASE_URL"], "SELECT status, count(*) FROM orders GROUP BY status")
    assert orders.get("paid", 0) >= 3, orders
    unbilled = counts(env["BILLING_DATABASE_URL"], """
        SELECT 'paid without an invoice', count(*) FROM orders o WHERE o.status = 'paid'
        AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id AND i.kind = 'tax_invoice')""")
    assert unbilled == {"paid without an invoice": 0}

    requests_made = counts(env["MATCHMAKING_DATABASE_URL"],
                           "SELECT status, count(*) FROM meeting_requests GROUP BY status")
    assert sum(requests_made.values()) >= 10 and requests_made.get("accepted", 0) >= 5, requests_made
    published = counts(env["MATCHMAKING_DATABASE_URL"], "SELECT 'meetings', count(*) FROM meetings")
    assert 5 <= published["meetings"] <= requests_made["accepted"], (published, requests_made)
