"""Property-based API fuzzing from the OpenAPI document: no input may cause a 5xx.

Every operation gets a bounded number of generated requests, made as the platform administrator
(who reaches every operation) and as a data administrator, inside the per-test rolled-back
transaction, on both backends.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES = 10


@pytest.mark.slow
@pytest.mark.parametrize("username", ["admin", "xn_admin"])
def test_no_server_errors(app: Any, auth: Any, username: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = auth(username)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        run()
