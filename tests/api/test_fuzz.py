"""Property-based fuzzing of the whole HTTP API from its OpenAPI spec: never a 5xx, one error shape."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from kefu.main import create_app
from kefu.wiring import Container
from tests.conftest import Tenant

FUZZ_CONFIG: dict[str, Any] = {
    "seed": 20261122,
    "generation": {"max-examples": 10, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"enabled": False}, "negative_data_rejection": {"enabled": False}},
    "operations": [
        {
            "include-path": ["/api/v1/customers/resolve", "/api/v1/customers/lookup"],
            "checks": {"unsupported_method": {"enabled": False}, "allow_header_conformance": {"enabled": False}},
        }
    ],
}


@pytest.fixture
def api_schema(container: Container, tenant: Tenant) -> OpenApiSchema:
    """The app's own OpenAPI document, loaded in-process; every request carries the admin's token."""
    app = create_app(container, start_worker=False)
    config = schemathesis.Config.from_dict(
        {**FUZZ_CONFIG, "headers": {"Authorization": f"Bearer {tenant.token}"}}
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@schema.parametrize()
def test_no_client_input_causes_a_server_error(case: Case) -> None:
    response = case.call()
    case.validate_response(response)
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "details"}, body
