"""schemathesis against the running server's /openapi.json: every operation, generated
inputs, responses checked against the schema (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.live.harness import API_TOKEN, LiveServer, write_project
from tests.support.examples import examples

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback

HEADERS = {"Authorization": f"Bearer {API_TOKEN}"}
# Which segment names exist depends on the stored data, so a schema-valid `by` can rightly
# be refused (400, unknown segment); a training request is refused (409) while one runs.
# Every other check still runs there.
DATA_DEPENDENT = {
    path: [schemathesis.checks.positive_data_acceptance]
    for path in ("/api/metrics", "/api/model/train")
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    project = write_project(tmp_path_factory.mktemp("openapi"), None)
    running = LiveServer(project).start()
    yield running
    running.stop()


def _property_test(operation: Any, base_url: str) -> Callable[[], None]:
    excluded = DATA_DEPENDENT.get(operation.path, [])

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples(20),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base_url, headers=HEADERS, excluded_checks=excluded)

    return check  # type: ignore[no-any-return]


def test_every_operation_conforms_to_the_openapi_document(server: LiveServer) -> None:
    api_schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in api_schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert {"/api/leads", "/api/leads/{entity_id}", "/api/outbox", "/v1/batch"} <= paths
    assert {"/api/model", "/api/model/train"} <= paths
    for operation in operations:
        _property_test(operation, server.url)()
