"""`./dpd demo`: fill the running local platform (`./dpd up`) with demo data, signed in as its
first administrator. Extra arguments go to services/registration/demo_data.py."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from honcho.environ import parse as parse_env_file

from shared.localinfra.up import LOCAL, run_dir
from shared.localinfra.setup import LOCAL_EDITION


def main(argv: list[str]) -> int:
    environ = {**os.environ, **parse_env_file(Path(os.environ.get("DPD_ENV_FILE", LOCAL / "dev.env")).read_text())}
    password_file = run_dir(environ) / "admin-password"
    if not password_file.exists():
        print("dpd demo: start the platform first with ./dpd up", file=sys.stderr)
        return 1
    return importlib.import_module("services.registration.demo_data").main([
        "--url", environ["REGISTRATION_PUBLIC_URL"], "--maildir", str(run_dir(environ) / "mail"),
        "--admin-email", environ["DEV_ADMIN_EMAIL"], "--admin-password", password_file.read_text().strip(),
        "--edition", LOCAL_EDITION, *argv])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
