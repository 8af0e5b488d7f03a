"""CSV / .xlsx downloads of the open-data tables (exports.DATASETS), with ETag / If-None-Match."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuangsuiji.disclosure.exports import DATASETS, Dataset
from shuangsuiji.disclosure.page_cache import public_page
from shuangsuiji.disclosure.ratelimit import allow, search_limit
from shuangsuiji.disclosure.verification import download, etag_for

XLSX_MAX_ROWS = 200_000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(dataset: Dataset, params: dict[str, Any]) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff".encode()  # BOM: spreadsheet programs then read the UTF-8 Chinese text correctly
    yield writer.writerow(dataset.columns).encode("utf-8")
    batch: list[str] = []
    for row in dataset.rows(params):
        batch.append(writer.writerow(row))
        if len(batch) >= 1000:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


def csv_bytes(dataset: Dataset, params: dict[str, Any]) -> bytes:
    return b"".join(_csv_stream(dataset, params))


def xlsx_bytes(dataset: Dataset, params: dict[str, Any]) -> bytes:
    import xlsxwriter

    with tempfile.TemporaryDirectory() as folder:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "tmpdir": folder, "in_memory": False})
        sheet = book.add_worksheet(dataset.title[:31])
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, dataset.columns, bold)
        for n, row in enumerate(dataset.rows(params), start=1):
            if n > XLSX_MAX_ROWS:
                sheet.write(n, 0, f"数据超过 {XLSX_MAX_ROWS} 行，其余请下载 CSV 格式或缩小筛选范围")
                break
            sheet.write_row(n, 0, ["" if v is None else v for v in row])
        book.close()
        return buffer.getvalue()


def _download_gate(request: HttpRequest) -> HttpResponse | None:
    """Bulk downloads count against the client's rate limit, served from the cache or not."""
    match = request.resolver_match
    found = DATASETS.get(match.kwargs.get("dataset", "")) if match is not None else None
    if found is None or not found.large or allow(request, scope="download", limit=max(1, search_limit() // 6)):
        return None
    return HttpResponse("请求过于频繁，请稍后再试", status=429, content_type="text/plain; charset=utf-8")


@require_GET
@public_page()
def data_index(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/data_index.html", {
        "title": "开放数据", "datasets": DATASETS.values(), "published_at": None,
    })


@require_GET
@public_page(gate=_download_gate)
def dataset_download(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    found = DATASETS.get(dataset)
    if found is None or fmt not in ("csv", "xlsx"):
        raise Http404("没有这个数据集")
    params = {k: v for k, v in request.GET.items() if k in ("q", "region", "specialty", "year", "result")}
    filename = f"{found.key}.{fmt}"
    if found.large and fmt == "csv":
        tag = etag_for(f"{found.version(params)}|{fmt}".encode())
        if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = tag
            return not_modified
        response = StreamingHttpResponse(_csv_stream(found, params), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["ETag"] = tag
        return response
    content = csv_bytes(found, params) if fmt == "csv" else xlsx_bytes(found, params)
    return download(request, content, filename, CSV_TYPE if fmt == "csv" else XLSX_TYPE)
