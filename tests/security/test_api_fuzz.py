"""schemathesis over the whole OpenAPI schema with an authenticated user: no request may cause a server
error (5xx or an exception). Bounded number of examples per operation so it runs in CI."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from shuangsuiji.accounts.services import api_token_create
from shuangsuiji.api.api import api
from tests.conftest import World

MAX_EXAMPLES = int(os.environ.get("SSJ_FUZZ_EXAMPLES", "20"))


def _send(client: Client, case: Any, token: str) -> int:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(kwargs["url"])
    query = urlencode(kwargs.get("params") or {}, doseq=True)
    path = url.path + (f"?{query}" if query else "")
    body: str | bytes = ""
    content_type = "application/json"
    if kwargs.get("files") is not None or isinstance(kwargs.get("data"), bytes):
        # a file upload (multipart/form-data): let requests encode the parts as a browser would
        try:
            prepared = requests.Request(
                "POST", "http://testserver/", files=kwargs.get("files"), data=kwargs.get("data"),
                headers=kwargs.get("headers"),
            ).prepare()
        except UnicodeEncodeError:  # a part name no HTTP client can send
            reject()
        body = prepared.body or b""
        content_type = prepared.headers.get("Content-Type", "multipart/form-data")
    elif "json" in kwargs:
        body = json.dumps(kwargs["json"])
    elif kwargs.get("data") is not None:
        body = kwargs["data"] if isinstance(kwargs["data"], str) else json.dumps(kwargs["data"])
    response = client.generic(
        kwargs["method"], path, body, content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )
    return int(response.status_code)


def _fuzz(operation: Any, *, label: str, client: Client, token: str, real_ids: dict[str, int]) -> list[int]:
    seen: list[int] = []

    @given(case=operation.as_strategy(), use_real_id=st.booleans())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any, use_real_id: bool) -> None:
        if use_real_id and case.path_parameters:  # half the time, aim at an existing object
            case.path_parameters = {k: real_ids.get(k, v) for k, v in case.path_parameters.items()}
        try:
            status = _send(client, case, token)
        except Exception as exc:  # the test client re-raises server exceptions: show the request
            raise AssertionError(f"{label} {case.path_parameters} {case.query} {case.body!r}: {exc!r}") from exc
        seen.append(status)
        assert status < 500, (label, case.path_parameters, case.query, case.body, status)

    check()
    return seen


def test_api_schema_fuzzing_finds_no_server_error(world: World) -> None:
    _, token = api_token_create(actor=world.users["a_admin"], name="fuzz")
    real_ids = {
        "item_id": world.items["a"].pk, "target_id": world.targets["a"].pk,
        "inspector_id": world.inspectors["a"].pk,
    }
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    client = Client()
    statuses: dict[str, list[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        statuses[label] = _fuzz(operation, label=label, client=client, token=token, real_ids=real_ids)
    assert all(statuses.values()), statuses
    # the fuzzing reached real handlers, not only validation errors
    assert any(200 <= s < 300 for codes in statuses.values() for s in codes)


def test_nul_characters_are_a_client_error_on_every_database(world: World) -> None:
    client = world.client("a_admin")
    body = '{"code": "A\\u0000", "specialty": "public_places", "name": "x", "legal_basis": "y", "subject": "z"}'
    response = client.post("/api/directory/items", body, content_type="application/json")
    assert response.status_code == 400  # refused by the parser (ninja: "Cannot parse request body")
    assert client.get("/api/directory/targets?q=%00").status_code in (200, 400)
    huge = client.get("/api/directory/items?page=184467440737095518")
    assert huge.status_code == 422
