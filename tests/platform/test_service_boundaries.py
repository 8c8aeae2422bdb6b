"""The shape of the platform: services stay independent, and each database is what its code expects."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.testing.fixtures import PROJECT_ROOT, SERVICES


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another_service(service):
    others = {f"services.{other}" for other in SERVICES if other != service}
    for path in (PROJECT_ROOT / "services" / service).rglob("*.py"):
        leaks = {name for name in imported_modules(path) if any(name.startswith(o) for o in others)}
        assert not leaks, f"{path.relative_to(PROJECT_ROOT)} imports {leaks}"


def test_shared_code_imports_no_service():
    for path in (PROJECT_ROOT / "shared").rglob("*.py"):
        leaks = {name for name in imported_modules(path) if name.startswith("services")}
        assert not leaks, f"{path.relative_to(PROJECT_ROOT)} imports {leaks}"


@pytest.mark.parametrize("service", ["registration", "notification", "matchmaking", "billing"])
def test_domain_layers_import_no_framework(service):
    frameworks = ("flask", "sqlalchemy", "kafka", "marshmallow", "alembic")
    for path in (PROJECT_ROOT / "services" / service / "domain").rglob("*.py"):
        leaks = {name for name in imported_modules(path) if name.split(".")[0] in frameworks}
        assert not leaks, f"{path.relative_to(PROJECT_ROOT)} imports {leaks}"


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_build_exactly_the_schema_the_code_declares(service, platform_env):
    importlib.import_module(f"services.{service}.manage").migrate(platform_env)
    metadata = importlib.import_module(f"services.{service}.adapters.tables").metadata
    engine = sa.create_engine(platform_env[f"{service.upper()}_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_server_default": True})
        differences = compare_metadata(context, metadata)
    assert differences == [], f"{service}: migrations and tables.py disagree: {differences}"
