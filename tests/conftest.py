"""Loads the shared fixtures and marks every test by its level, from the folder it sits in:
`./dpd test -m unit` runs only the fast ones, `-m "not e2e"` leaves out whole-process tests."""
from pathlib import Path

import pytest

pytest_plugins = ["shared.testing.fixtures", "shared.testing.browser"]

LEVELS = ("unit", "integration", "e2e", "platform")


def pytest_collection_modifyitems(items):
    for item in items:
        parts = Path(str(item.fspath)).parts
        for level in LEVELS:
            if level in parts:
                item.add_marker(getattr(pytest.mark, level))
