"""schemathesis over the public API's OpenAPI schema, anonymous: no request may cause a server error."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.disclosure.api import public_api
from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = int(os.environ.get("SSJ_FUZZ_EXAMPLES", "20"))


def test_public_api_fuzzing_finds_no_server_error(portal: Portal) -> None:
    real_ids = {"item_id": portal.item.pk, "plan_id": portal.plan_v2.pk, "task_id": portal.task.pk,
                "draw_id": portal.draw.pk, "result_id": portal.results[0].pk}
    schema = schemathesis.openapi.from_dict(public_api.get_openapi_schema())
    client = Client()
    statuses: dict[str, list[int]] = {}
    for operation in [result.ok() for result in schema.get_all_operations()]:
        label = f"{operation.method.upper()} {operation.path}"
        statuses[label] = fuzz(operation, label, client, real_ids)
    assert all(statuses.values()), statuses
    assert any(200 <= s < 300 for codes in statuses.values() for s in codes)


def fuzz(operation: Any, label: str, client: Client, real_ids: dict[str, int]) -> list[int]:
    seen: list[int] = []

    @given(case=operation.as_strategy(), use_real_id=st.booleans())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any, use_real_id: bool) -> None:
        if use_real_id and case.path_parameters:
            case.path_parameters = {k: real_ids.get(k, v) for k, v in case.path_parameters.items()}
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        query = urlencode(kwargs.get("params") or {}, doseq=True)
        path = urlsplit(kwargs["url"]).path + (f"?{query}" if query else "")
        cache.clear()  # the search rate limit is not what is tested here
        try:
            status = client.get(path).status_code
        except Exception as exc:
            raise AssertionError(f"{label} {path}: {exc!r}") from exc
        seen.append(status)
        assert status < 500, (label, path, status)

    check()
    return seen
