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


# The kafka client library logs every refused connection as an error: noise beside ours.
_NOISY_LOGGERS = ('"logger": "kafka.',)
_SERVICE_LOGS = ("*-web-*.log", "*-worker-*.log")
_ERROR_LINES_SHOWN = 40


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that ran services as processes shows their errors (from the logs in its
    tmp_path), so a failure on CI, whose temp directories are gone afterwards, can be read."""
    outcome = yield
    report = outcome.get_result()
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    if not report.failed or tmp_path is None:
        return
    lines = []
    for pattern in _SERVICE_LOGS:
        for log in sorted(Path(tmp_path).rglob(pattern)):
            lines += [f"{log.name}: {line[:600]}" for line in log.read_text(errors="replace").splitlines()
                      if ('"level": "ERROR"' in line or '"level": "CRITICAL"' in line or " died" in line)
                      and not any(noise in line for noise in _NOISY_LOGGERS)]
    if lines:
        report.sections.append(("service processes' errors", "\n".join(lines[-_ERROR_LINES_SHOWN:])))
