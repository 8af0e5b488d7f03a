"""Page-number pagination with bounded input: an enormous `page` made the database overflow the OFFSET
(found by the schemathesis run; SQLite "datatype mismatch", PostgreSQL "bigint out of range")."""

from typing import Optional

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: Optional[int] = Field(None, ge=1, le=MAX_PAGE_SIZE)  # noqa: UP045 (ninja schema)
