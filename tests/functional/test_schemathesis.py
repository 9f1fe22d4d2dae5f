"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation, writes included (with a key), gets generated requests, valid and not:
the app must never answer 5xx, and what it answers must match the document (status
codes, content types, headers, response schemas), and invalid requests must be refused.
1,000+ cases per run.
"""

from __future__ import annotations

import json
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from search.settings import Settings
from tests.conftest import SEEDS

KEY = "schemathesis-key"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from search.index.build import build_index

    root = tmp_path_factory.mktemp("schemathesis")
    index_settings = Settings(index_dir=root / "index", extractor="none", build_processes=1,
                              api_keys=KEY)
    build_index([SEEDS], index_settings)
    yield create_app(index_settings)
    shutil.rmtree(root, ignore_errors=True)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value) -> bytes:
    """The bulk body: the document describes its lines as an array of articles."""
    items = value if isinstance(value, list) else [value]
    return "\n".join(json.dumps(item) for item in items).encode()


# Generated cases per operation (7 operations: over 1,000 in all).
CASES_PER_OPERATION = 150


def test_no_5xx_and_every_answer_as_documented(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    ran: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        check = _checker(operation, ran)
        check()
    print(ran)  # counts per operation, in -s runs
    assert len(ran) >= 7, ran
    assert sum(ran.values()) >= 1_000, ran


def _checker(operation, ran: dict[str, int]):
    @given(case=operation.as_strategy())
    @settings(max_examples=CASES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {KEY}"}
        # Not checked: that every schema-valid request is accepted. A query string can be
        # valid text and still not a valid query ("*b": a prefix needs 2 letters), a 400.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])
        ran[operation.label] = ran.get(operation.label, 0) + 1

    return check
