"""Small helpers shared by the server-rendered views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from shuangsuiji.common.exceptions import ApplicationError


@contextmanager
def user_errors(request: HttpRequest) -> Iterator[None]:
    """Show a refused operation's Chinese message on the next page instead of failing the request.

    For POST actions that redirect whatever happens::

        with user_errors(request):
            services.plan_line_delete(actor=request.user, line=line)
            messages.success(request, "已从计划中移除")
        return redirect(...)

    The service ran in its own transaction, so nothing of a refused operation was saved.
    """
    try:
        yield
    except ApplicationError as error:
        messages.error(request, error.message)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download with a UTF-8 (Chinese) file name."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
