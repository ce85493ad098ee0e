"""Schemathesis generates requests from the service's own OpenAPI document and sends them to a
real server: no input may produce a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.e2e.conftest import start_service


@pytest.fixture(scope="module")
def api_server(warehouse_path, tmp_path_factory):
    process, base = start_service(warehouse_path, tmp_path_factory.mktemp("fuzz") / "state.sqlite",
                                  CHATBI_REFERENCE_DATE="2025-07-01", CHATBI_RATE_LIMIT_PER_MIN="0")
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_no_input_produces_a_server_error(api_server):
    schema = schemathesis.openapi.from_url(f"{api_server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case) -> None:
            case.call_and_validate(base_url=api_server, checks=[not_a_server_error])

        exercise()
