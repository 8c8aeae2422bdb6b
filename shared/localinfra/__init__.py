"""Real local infrastructure (Kafka, PostgreSQL, SMTP) for development and tests.

Each module starts a genuine server on 127.0.0.1 as a child process: the `up`
Procfile runs their `main()` under honcho, and the pytest fixtures start them
once per test run.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The repository root: the pom, the git-ignored `.cache/` and `.run/` live here."""
