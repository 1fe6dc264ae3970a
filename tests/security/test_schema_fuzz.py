"""Schemathesis against the OpenAPI schema (/api/schema/), in-process through the WSGI app, with a
token of each role: no request may end in a 5xx, and every documented response must match its
schema. A bounded run is in the default suite; `-m slow` runs many more examples.

Every call runs in a savepoint that is rolled back, so the fixture's objects stay as they were
and a database error inside one request cannot poison the test's transaction."""
from __future__ import annotations

import logging
import os
import re
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db

ROLES = {"annotator": "alice", "no_role": "mallory", "reviewer": "rita", "admin": "carol"}
CHECKS = [not_a_server_error, response_schema_conformance]


class _ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


@pytest.fixture
def wsgi_app():
    """Like django.test.Client: keep the test's connection (and its transaction) across requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _known_ids(world, alice) -> dict[str, int]:
    return {"campaigns": world.campaign.pk, "assignments": world.alice_lease["assignment"], "pairs": world.pair.pk,
            "uploads": world.video.pk, "datasets": world.version.pk}


def _with_real_ids(case, ids, user_pk):
    """Point the generated path at objects that exist (random ids mostly only reach the 404 path)."""
    params = dict(case.path_parameters or {})
    resource = re.match(r"/api/(?:review/)?(\w+)/", case.operation.path)
    if "id" in params and resource and resource.group(1) in ids:
        params["id"] = ids[resource.group(1)]
    if "user_id" in params:
        params["user_id"] = user_pk
    if "path" in params:
        params["path"] = "README.md"
    case.path_parameters = params
    return case


def _runner(strategy, token: str, max_examples: int, seen: Counter):
    headers = {"Authorization": f"Token {token}"}

    @given(case=strategy)
    @hsettings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
               suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        seen[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    return run


def fuzz(request, world, wsgi_app, max_examples: int, roles=ROLES):
    from django.contrib.auth.models import User

    users = {role: User.objects.get(username=name) for role, name in roles.items()}
    tokens = {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items()}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app,
                                            headers={"Authorization": f"Token {tokens['admin']}"})
    ids = _known_ids(world, users["annotator"])
    errors = _ErrorLog()
    logging.getLogger("django.request").addHandler(errors)
    failures = []
    operations = 0
    seen: Counter = Counter()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            base = operation.as_strategy()
            strategy = st.one_of(base, base.map(lambda c: _with_real_ids(c, ids, users["annotator"].pk)))
            for role, token in tokens.items():
                run = _runner(strategy, token, max_examples, seen)
                try:
                    run()
                except Exception as exc:  # noqa: BLE001 - collect every operation's failure, report together
                    failures.append(f"[{role}] {operation.method.upper()} {operation.path}: "
                                    f"{type(exc).__name__}: {str(exc)[:1500]}")
    finally:
        logging.getLogger("django.request").removeHandler(errors)
    print(f"schemathesis: {operations} operations x {len(tokens)} roles, status codes {sorted(seen.items())}")
    assert operations >= 25, "the schema lost operations"
    assert sum(n for code, n in seen.items() if 200 <= code < 300) > operations, seen  # real objects were reached
    assert not failures, "\n\n".join(failures + ["server tracebacks:"] + errors.records[:5])


def test_schema_fuzz_quick(request, world, wsgi_app):
    fuzz(request, world, wsgi_app, max_examples=6)


@pytest.mark.slow
def test_schema_fuzz_thorough(request, world, wsgi_app):
    """About 6,500 requests (5 min on 2 cores). pytest.ini does not deselect slow tests, so this
    one only runs when asked: `-m slow` or SECURITY_FUZZ_SLOW=1."""
    if "slow" not in (request.config.getoption("-m") or "") and not os.environ.get("SECURITY_FUZZ_SLOW"):
        pytest.skip("long fuzz run: use -m slow or SECURITY_FUZZ_SLOW=1")
    fuzz(request, world, wsgi_app, max_examples=60)
