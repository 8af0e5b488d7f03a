"""Hostile input (huge ids, NUL characters) never causes a server error."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("url", [
    "/gs/items/99999999999999999999/", "/gs/plans/99999999999999999999/", "/gs/tasks/99999999999999999999/",
    "/gs/draws/99999999999999999999/", "/gs/results/99999999999999999999/", "/gs/results/?q=%00%00abc",
    "/gs/results/?region=99999999999999999999", "/gs/items/?org=99999999999999999999",
    "/api/public/results?q=%00ab", "/api/public/items/99999999999999999999", "/gs/results/e/%00/",
    "/gs/data/results.csv?year=99999999999999999999",
])
def test_edge(url: str) -> None:
    assert Client().get(url).status_code < 500
