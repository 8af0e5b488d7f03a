"""schemathesis over the endpoints of issue 20 items 6, 7, 10 (合法性审查, 专项督查, national exports) as an upper-level
user: no request causes a server error (an out-of-range id once overflowed SQLite; long texts PostgreSQL)."""

from __future__ import annotations

import schemathesis
from django.test import Client

from shuangsuiji.accounts.services import api_token_create
from shuangsuiji.api.api import api
from tests.conftest import World
from tests.security.test_api_fuzz import _fuzz


def test_issue20b_endpoints_fuzz_without_server_error(world: World) -> None:
    _, token = api_token_create(actor=world.users["city_admin"], name="fuzz")
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    client = Client()
    ops = [r.ok() for r in schema.get_all_operations()]
    mine = [o for o in ops if any(p in o.path for p in ("item-reviews", "national-exports", "/supervision/"))]
    assert len(mine) >= 15
    for operation in mine:
        _fuzz(operation, label=f"{operation.method.upper()} {operation.path}", client=client, token=token, real_ids={})
