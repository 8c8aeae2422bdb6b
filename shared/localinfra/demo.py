"""`./dpd demo`: fill the running local platform (`./dpd up`) with demo data, signed in as its
first administrator: registration's (officers, companies, approvals), then billing's (the
catalogue, and orders of the approved companies, paid on the gateway simulator or by transfer),
then matchmaking's (meeting requests and answers, a published schedule). Extra arguments go to
services/registration/demo_data.py; its --companies reaches the others too."""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from honcho.environ import parse as parse_env_file

from shared.localinfra.setup import LOCAL_EDITION
from shared.localinfra.up import LOCAL, run_dir


def main(argv: list[str]) -> int:
    environ = {**os.environ, **parse_env_file(Path(os.environ.get("DPD_ENV_FILE", LOCAL / "dev.env")).read_text())}
    password_file = run_dir(environ) / "admin-password"
    if not password_file.exists():
        print("dpd demo: start the platform first with ./dpd up", file=sys.stderr)
        return 1
    signed_in = ["--maildir", str(run_dir(environ) / "mail"), "--admin-email", environ["DEV_ADMIN_EMAIL"],
                 "--admin-password", password_file.read_text().strip(), "--edition", LOCAL_EDITION]
    companies = argparse.ArgumentParser(add_help=False)
    companies.add_argument("--companies", type=int)
    chosen = companies.parse_known_args(argv)[0].companies
    same_companies = ["--companies", str(chosen)] if chosen else []
    registration = ["--registration-url", environ["REGISTRATION_PUBLIC_URL"]]
    steps = [("services.registration.demo_data", ["--url", environ["REGISTRATION_PUBLIC_URL"], *signed_in, *argv]),
             ("services.billing.demo_data", [*registration, "--billing-url", environ["BILLING_PUBLIC_URL"],
                                             *signed_in, *same_companies]),
             ("services.matchmaking.demo_data", [*registration, "--matchmaking-url",
                                                 environ["MATCHMAKING_PUBLIC_URL"], *signed_in, *same_companies])]
    for module, arguments in steps:
        failed = importlib.import_module(module).main(arguments)
        if failed:
            return failed
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
