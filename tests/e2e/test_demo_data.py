"""The demo-data command fills an edition through the platform's own front doors."""
from __future__ import annotations

import sqlalchemy as sa

from services.notification.manage import migrate as migrate_notification
from services.registration import demo_data
from services.registration.manage import create_organiser
from services.registration.manage import migrate as migrate_registration
from tests.support.editions import open_edition


def test_demo_data_registers_confirms_and_approves_through_the_apis(services, platform_env, smtp_server, run_id):
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    open_edition(platform_env)
    create_organiser(["--email", f"admin.{run_id}@dpd.example.in", "--name", "Admin", "--roles", "admin"],
                     {**platform_env, "DPD_ORGANISER_PASSWORD": "demo passphrase 2026"})
    services.worker("registration")
    services.worker("notification")
    url = services.web("registration")

    assert demo_data.main(["--url", url, "--maildir", str(smtp_server.mailbox.path), "--admin-email",
                           f"admin.{run_id}@dpd.example.in", "--admin-password", "demo passphrase 2026",
                           "--officers", "12", "--companies", "10", "--seed", "7"]) == 0

    engine = sa.create_engine(platform_env["REGISTRATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        statuses = dict(db.execute(sa.text("SELECT status, count(*) FROM registrations GROUP BY status")).all())
        officers = db.execute(sa.text("SELECT count(*) FROM officers")).scalar()
    assert officers == 12
    assert sum(statuses.values()) == 10 and statuses.get("awaiting_verification", 0) == 0
    assert statuses.get("approved", 0) >= 6
