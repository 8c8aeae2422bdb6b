"""Fuzz a running service through its own OpenAPI document (shared/openapi.py) with schemathesis.

For every documented operation, Hypothesis draws requests that fit the document (positive) and
requests that break it (negative); each is sent to the real process and its answer checked:

- no 5xx, ever;
- the status is one the document lists, with the declared content type, headers and body schema;
- a request that breaks the document is refused with a 4xx (never accepted).

Who calls is chosen per operation from its `x-access` (public, participant, organiser,
signed_in) by the caller's `credentials`, so the fuzzer reaches past the sign-in wall. Bounded by
`examples` per operation and mode; `DPD_FUZZ_EXAMPLES` raises it for long runs.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import hypothesis.errors
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, response_headers_conformance, response_schema_conformance,
    status_code_conformance)

from shared.openapi import OPENAPI_PATH

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]
DEFAULT_EXAMPLES = 12


def examples_per_operation() -> int:
    """`DPD_FUZZ_EXAMPLES` (long runs) or the bounded default CI uses."""
    return int(os.environ.get("DPD_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


@dataclass
class FuzzReport:
    operations: int = 0
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def fuzz_service(base_url: str, credentials: Callable[[str], dict[str, str]], *, examples: int | None = None,
                 skip: Callable[[str, str], bool] = lambda method, path: False) -> FuzzReport:
    """Fuzz every operation the service at `base_url` documents; `credentials(access)` gives the
    headers of a caller allowed in (`{}` for public ones); `skip(method, path)` leaves one out."""
    document = requests.get(f"{base_url}{OPENAPI_PATH}", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    rejection = schema.config.checks.negative_data_rejection
    # An address too long for gunicorn's request line is refused before any route runs (414): a refusal too.
    rejection.expected_statuses = [*rejection.expected_statuses, "414"]
    report = FuzzReport()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        if skip(operation.method.upper(), operation.path):
            continue
        report.operations += 1
        access = operation.definition.raw.get("x-access") or "public"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_operation(operation, mode, base_url, session, credentials(access), examples, report)
            except hypothesis.errors.Unsatisfiable:
                pass  # nothing of this operation can be made invalid (no body, no parameters)
            except (Exception, BaseExceptionGroup) as failure:  # every operation's failures, together
                report.failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {failure}")
    return report


def _fuzz_operation(operation, mode, base_url, session, headers, examples, report: FuzzReport) -> None:
    @hypothesis.settings(max_examples=examples or examples_per_operation(), deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck), derandomize=True,
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink])
    # The caller's credentials are given, not generated: negative cases break the request, not the sign-in.
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, headers=headers or None))
    def exchange(case):
        response = case.call(base_url=base_url, session=session, timeout=30)
        report.cases += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    exchange()
