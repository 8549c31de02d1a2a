"""Property-based fuzzing of the whole OpenAPI document with schemathesis.

Every operation of ``/api/openapi.json`` is called with generated requests, valid and
invalid, once with a federation-staff token and once unauthenticated. Each response must
not be a server error, must have a documented status and content type, and its body must
conform to the documented schema (the error envelope included).

Bounded so the run stays within a few minutes on a busy machine: ``GONGHUI_FUZZ_EXAMPLES``
examples per operation in the fuzzing phase (default 10) plus schemathesis' deterministic
coverage phase (boundary and wrong-type values, one parameter at a time; methods an
operation does not have are left to tests/test_api_errors.py), and a fixed seed
(``GONGHUI_FUZZ_SEED``) so CI runs are repeatable. Raise the examples and change the seed
to search wider.

Requests go through Django's own WSGI handler in-process (real middleware, real CSRF
checks), inside each operation's test transaction, so what one operation writes never
reaches the next one.
"""

import json
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gonghui.api import api
from gonghui.core.actors import SYSTEM
from gonghui.integration.domain.tokens import SCOPES, set_token_policy
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role

from .conftest import SUMMARY_KEY

EXAMPLES = int(os.environ.get("GONGHUI_FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("GONGHUI_FUZZ_SEED", "20261201"))

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _document() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))


class _InProcess:
    """Django's WSGI handler, keeping the test's database connection: a real server closes
    "old" connections around each request, which would end the test's transaction."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        return self.handler(environ, start_response)


config = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES, "database": "none"},
        "phases": {"coverage": {"unexpected-methods": []}},
    }
)
schema = schemathesis.openapi.from_dict(_document(), config=config)
schema.app = _InProcess()


#: What the run did, printed at its end (run this file alone to see it: under xdist a
#: worker's terminal is not shown).
TALLY: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _keep_test_connection(request):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    started = time.monotonic()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    if TALLY["operations"]:
        statuses = ", ".join(
            f"{k[7:]}: {v}" for k, v in sorted(TALLY.items()) if k.startswith("status ")
        )
        # Printed by tests/conftest.py's pytest_terminal_summary.
        request.config.stash.setdefault(SUMMARY_KEY, []).append(
            f"schemathesis: {TALLY['operations']} operations, {TALLY['cases']} cases, "
            f"{TALLY['requests']} requests in {time.monotonic() - started:.0f} s "
            f"(examples {EXAMPLES}, seed {SEED}); statuses {statuses}"
        )


def _call(case, **kwargs):
    response = case.call_and_validate(checks=CHECKS, **kwargs)
    TALLY["requests"] += 1
    TALLY[f"status {response.status_code}"] += 1


@pytest.fixture
def staff_token(county, settings):
    settings.GONGHUI_API_TOKEN_RATE_LIMIT = 0  # the fuzzer outpaces any real integration
    token, key = issue_api_token(
        county.county, name="模糊测试", role=Role.FEDERATION_STAFF,
        actor=county.users["federation_staff"],
    )  # fmt: skip
    # Every scope, so the modules a token reaches only by name (webhook subscriptions) are
    # fuzzed past the scope check too; otherwise as a token without a policy.
    set_token_policy(token, scopes=SCOPES, expires_at=None, rate_limit=None, actor=SYSTEM)
    return key


@schema.parametrize()
@hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api(case, staff_token):
    if case.operation.label not in _SEEN:
        _SEEN.add(case.operation.label)
        TALLY["operations"] += 1
    TALLY["cases"] += 1
    _call(case, headers={"Authorization": f"Bearer {staff_token}"})
    _call(case)  # unauthenticated


_SEEN: set[str] = set()
