"""The pool of a task's draw, read from the 检查对象名录库 by the task's scope.

Scope of the task's bureau: its regions (``task.regions`` or the bureau's whole territory) and the task's
专业. A joint task adds each participating department's scope (its own targets, in the task's regions or its
territory, in the 专业 of its items in the joint plan). A target in several scopes (same 对象编码, i.e. USCC)
is one candidate, visited once for all departments (进一次门、查多项事): its 专业 and risk flags are merged
and its highest risk class counts.

A province-wide pool has a million candidates, so it is read column-wise, never as a Python object per row:
per scope one query for the targets and one for their 专业 links (on PostgreSQL streamed with ``COPY … TO
STDOUT`` and parsed by Arrow; elsewhere fetched in batches), dated flags only for the few targets that have
flag records (``directory.flag_services.effective_flags``). Every multi-valued field is a ``Categorical``
(codes into distinct values), so each distinct value (a flag list, a set of 专业, a date) is handled once.
Plain reads: the pool is read from a snapshot (MVCC) and locks no target row or table.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Field, Model, Q, QuerySet, TextField
from django.db.models.functions import Cast

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.directory.flag_services import effective_flags
from shuangsuiji.directory.models import RiskFlag, Specialty, Target, TargetFlagRecord, TargetStatus
from shuangsuiji.planning.models import JointPlanParticipant, Task


@dataclass(frozen=True)
class DepartmentScope:
    organization: Organization
    regions: tuple[Region, ...]
    specialty_ids: frozenset[int]  # empty = every 专业 of the department's targets

    def describe(self) -> str:
        regions = "、".join(r.name for r in self.regions)
        return f"{self.organization.name}（{regions}）"


@dataclass
class Categorical:
    """One value per row as codes (int32) into a list of distinct values: no object per row."""

    codes: np.ndarray
    values: list[Any]

    @classmethod
    def of(cls, items: Iterable[Hashable], count: int | None = None) -> Categorical:
        lookup: dict[Hashable, int] = {}
        if count is None:
            items = list(items)
            count = len(items)
        codes = np.fromiter((lookup.setdefault(v, len(lookup)) for v in items), dtype=np.int32, count=count)
        return cls(codes, list(lookup))

    @classmethod
    def constant(cls, value: Any, count: int) -> Categorical:
        return cls(np.zeros(count, dtype=np.int32), [value])

    def __len__(self) -> int:
        return len(self.codes)

    def value(self, row: int) -> Any:
        return self.values[int(self.codes[row])]

    def take(self, rows: np.ndarray) -> Categorical:
        return Categorical(self.codes[rows], self.values)

    def with_values(self, values: list[Any]) -> Categorical:
        """The same codes over other values (e.g. each distinct value converted once)."""
        return Categorical(self.codes, values)

    def rows_where(self, test: Any) -> np.ndarray:
        """Rows whose value passes ``test`` (called once per distinct value)."""
        if not self.values:
            return np.zeros(0, dtype=np.int64)
        keep = np.fromiter((bool(test(v)) for v in self.values), dtype=bool, count=len(self.values))
        return np.flatnonzero(keep[self.codes])

    @staticmethod
    def concatenate(parts: Sequence[Categorical]) -> Categorical:
        values: list[Any] = []
        codes = []
        for part in parts:
            codes.append(part.codes + np.int32(len(values)))
            values.extend(part.values)
        return Categorical(np.concatenate(codes).astype(np.int32, copy=False), values)


@dataclass
class PoolColumns:
    """The candidates of a draw, one per 对象编码, sorted by id (Unicode code point = UTF-8 byte order).

    ``ids`` is one numpy bytes array (UTF-8); the other fields are ``Categorical`` columns: region code, the
    sorted 专业 codes (``()`` when the target has none), risk class, the sorted risk flags that count, the date
    of the last inspection (``None`` if never), the Chinese reasons of the dated flags (for the draw page),
    and the risk score (the plan's region weight, ``""`` when the plan sets none).
    """

    ids: np.ndarray
    region: Categorical
    specialties: Categorical
    risk_class: Categorical
    risk_flags: Categorical
    last_inspected: Categorical
    reasons: Categorical
    risk_score: Categorical = field(default_factory=lambda: Categorical.constant("", 0))

    def __post_init__(self) -> None:
        if len(self.risk_score) != len(self.ids):
            self.risk_score = Categorical.constant("", len(self.ids))

    def __len__(self) -> int:
        return len(self.ids)

    def categoricals(self) -> dict[str, Categorical]:
        return {
            "region": self.region, "specialties": self.specialties, "risk_class": self.risk_class,
            "risk_flags": self.risk_flags, "last_inspected": self.last_inspected, "reasons": self.reasons,
            "risk_score": self.risk_score,
        }  # fmt: skip

    def take(self, rows: np.ndarray) -> PoolColumns:
        return PoolColumns(self.ids[rows], **{k: c.take(rows) for k, c in self.categoricals().items()})

    def id_texts(self, rows: np.ndarray | None = None) -> list[str]:
        chosen = self.ids if rows is None else self.ids[rows]
        return [b.decode("utf-8") for b in chosen.tolist()]

    def row(self, index: int) -> dict[str, Any]:
        """One candidate's fields (tests, messages)."""
        return {"id": self.ids[index].decode("utf-8"), **{k: c.value(index) for k, c in self.categoricals().items()}}

    @classmethod
    def empty(cls) -> PoolColumns:
        nothing = Categorical(np.zeros(0, dtype=np.int32), [])
        return cls(np.zeros(0, dtype="S1"), nothing, nothing, nothing, nothing, nothing, nothing)


def task_scopes(task: Task) -> list[DepartmentScope]:
    regions = tuple(task.regions.all())
    own_specialties = set(task.specialties.values_list("pk", flat=True))
    own_specialties |= set(task.items.values_list("specialty_id", flat=True))
    scopes = [
        DepartmentScope(task.owner, regions or (task.owner.region,), frozenset(own_specialties)),
    ]
    for org in task.participants.exclude(pk=task.owner_id).select_related("region"):
        specialties: set[int] = set()
        if task.joint_plan_id is not None:
            participant = JointPlanParticipant.objects.filter(joint_plan_id=task.joint_plan_id, organization=org).first()
            if participant is not None:
                specialties = set(participant.items.values_list("specialty_id", flat=True))
        if not specialties:
            specialties = set(org.specialties.values_list("pk", flat=True))
        scopes.append(DepartmentScope(org, regions or (org.region,), frozenset(specialties)))
    return scopes


RISK_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


# A target whose last inspection found a problem has an adverse record: never left alone by 非请勿扰 (玉溪: 对诚信守法类
# 企业实行“非请勿扰”). The pseudo-flag is not one of the mandatory flags, so it only keeps the target in the pool.
ADVERSE_FLAG = "adverse_result"
CLEAN_RESULTS = ("", "未发现问题")


# ---------------------------------------------------------------------------------------------- reading


def scope_queryset(scope: DepartmentScope) -> QuerySet[Target]:
    """The scope's candidates: 在营, not removed from the 名录库, in its regions (and 专业, if it names any)."""
    region_q = Q()
    for region in scope.regions:
        region_q |= Q(path__startswith=region.path)
    region_ids = list(Region.objects.filter(region_q).values_list("pk", flat=True))
    qs = Target.objects.filter(
        owner=scope.organization, is_retired=False, status=TargetStatus.OPERATING, region_id__in=region_ids
    )
    if scope.specialty_ids:
        links = Target.specialties.through.objects.filter(specialty_id__in=sorted(scope.specialty_ids))
        qs = qs.filter(pk__in=links.values("target_id"))
    return qs


@dataclass
class _Table:
    """A query's result column-wise: integer columns as int64 arrays, text columns as Categorical (except the
    codes: UTF-8 bytes), a date column as Categorical of ``date | None``, booleans as bool arrays."""

    columns: dict[str, Any]

    def __len__(self) -> int:
        first = next(iter(self.columns.values()))
        return len(first)


# Column kinds of the reads below: "int", "bytes" (the 对象编码), "text" (categorical), "date" (categorical), "bool".
# Model fields first, annotations last: the order of the SELECT list Django builds for values_list.
_TARGET_COLUMNS = {
    "pk": "int", "code": "bytes", "region_id": "int", "risk_class": "text", "last_inspected_on": "date",
    "flags_text": "text", "adverse": "bool",
}  # fmt: skip
_LINK_COLUMNS = {"target_id": "int", "specialty_id": "int"}


def _read_table(values_list: QuerySet[Any], kinds: dict[str, str]) -> _Table:
    sql, params = values_list.query.sql_with_params()
    if connection.vendor == "postgresql":
        return _read_copy(sql, params, kinds)
    return _read_fetch(sql, params, kinds)


def _read_copy(sql: str, params: Sequence[Any], kinds: dict[str, str]) -> _Table:
    """PostgreSQL: the query's rows streamed as CSV by ``COPY (…) TO STDOUT`` and parsed by Arrow."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    buffer = io.BytesIO()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor: its copy API
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            for block in copy:
                buffer.write(block)
    names = list(kinds)
    arrow_types = {"int": pa.int64(), "bytes": pa.string(), "text": pa.string(), "date": pa.string(), "bool": pa.bool_()}
    if not buffer.getbuffer().nbytes:
        return _Table({name: _empty_column(kind) for name, kind in kinds.items()})
    table = pacsv.read_csv(
        pa.py_buffer(buffer.getbuffer()),
        read_options=pacsv.ReadOptions(column_names=names),
        convert_options=pacsv.ConvertOptions(
            column_types={name: arrow_types[kind] for name, kind in kinds.items()},
            strings_can_be_null=False, true_values=["t"], false_values=["f"],
        ),
    )  # fmt: skip
    del buffer
    columns: dict[str, Any] = {}
    for name, kind in kinds.items():
        array = table.column(name).combine_chunks()
        if kind == "int":
            columns[name] = array.to_numpy().astype(np.int64, copy=False)
        elif kind == "bool":
            columns[name] = array.to_numpy(zero_copy_only=False).astype(bool, copy=False)
        elif kind == "bytes":
            columns[name] = _arrow_utf8_to_bytes(array)
        else:
            encoded = array.dictionary_encode()
            texts = encoded.dictionary.to_pylist()
            values: list[Any] = texts if kind == "text" else [datetime.date.fromisoformat(t) if t else None for t in texts]
            columns[name] = Categorical(encoded.indices.to_numpy().astype(np.int32, copy=True), values)
    del table
    pa.default_memory_pool().release_unused()  # Arrow keeps freed buffers for reuse: hand them back
    return _Table(columns)


def _arrow_utf8_to_bytes(array: Any) -> np.ndarray:
    """An Arrow string array as one numpy ``S<width>`` array (no str object per value)."""
    count = len(array)
    if not count:
        return np.zeros(0, dtype="S1")
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + count + 1]
    data_buffer = array.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    lengths = np.diff(offsets)
    width = max(int(lengths.max()), 1)
    start = int(offsets[0])
    if int(lengths.min()) == width:  # all of one length (18-character USCC codes): the buffer is the array
        return np.frombuffer(data[start : start + count * width].tobytes(), dtype=f"S{width}")
    out = np.zeros(count, dtype=f"S{width}")
    # Row-major order of the cells inside each value is exactly the order of the bytes in the buffer.
    inside = np.arange(width) < lengths[:, None]
    out.view(np.uint8).reshape(count, width)[inside] = data[start : int(offsets[-1])]
    return out


def _empty_column(kind: str) -> Any:
    if kind in ("int", "bool"):
        return np.zeros(0, dtype=np.int64 if kind == "int" else bool)
    if kind == "bytes":
        return np.zeros(0, dtype="S1")
    return Categorical(np.zeros(0, dtype=np.int32), [])


def _read_fetch(sql: str, params: Sequence[Any], kinds: dict[str, str]) -> _Table:
    """Other databases (SQLite: development and tests): the rows fetched in batches, then column-wise."""
    gathered: list[list[Any]] = [[] for _ in kinds]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            for k, column in enumerate(zip(*batch, strict=True)):
                gathered[k].extend(column)
    columns: dict[str, Any] = {}
    for (name, kind), values in zip(kinds.items(), gathered, strict=True):
        if kind == "int":
            columns[name] = np.asarray(values, dtype=np.int64)
        elif kind == "bool":
            columns[name] = np.asarray([bool(v) for v in values], dtype=bool)
        elif kind == "bytes":
            encoded = [str(v).encode("utf-8") for v in values]
            columns[name] = np.asarray(encoded, dtype=f"S{max((len(e) for e in encoded), default=1) or 1}")
        elif kind == "date":
            columns[name] = Categorical.of(
                (datetime.date.fromisoformat(v) if isinstance(v, str) and v else (v or None) for v in values),
                len(values),
            )
        else:
            columns[name] = Categorical.of(("" if v is None else str(v) for v in values), len(values))
    return _Table(columns)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int32) into the distinct values (ascending) of an integer array; a table lookup instead of a
    sort when the values are small (masks, region ids, codes)."""
    if len(values) and int(values.min()) >= 0 and int(values.max()) < 1 << 22:
        present = np.zeros(int(values.max()) + 1, dtype=bool)
        present[values] = True
        distinct = np.flatnonzero(present)
        position = np.cumsum(present, dtype=np.int32) - 1
        return position[values].astype(np.int32, copy=False), distinct.astype(values.dtype, copy=False)
    distinct, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int32).reshape(-1), distinct


class _RowOf:
    """The row of each target pk: a table when the pks are dense (a bureau's library), else a sorted search."""

    def __init__(self, pks: np.ndarray) -> None:
        self.pks = pks
        self.low = int(pks.min()) if len(pks) else 0
        high = int(pks.max()) if len(pks) else -1
        self.table: np.ndarray | None = None
        self.order: np.ndarray | None = None
        if high - self.low + 1 <= 4 * len(pks) + 1024:
            self.table = np.full(high - self.low + 1, -1, dtype=np.int64)
            self.table[pks - self.low] = np.arange(len(pks))
        else:
            self.order = np.argsort(pks, kind="stable")

    def __call__(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, known): the row of each target pk, and which of them are in the pool."""
        if not len(self.pks):
            return np.zeros(len(targets), dtype=np.int64), np.zeros(len(targets), dtype=bool)
        if self.table is not None:
            offset = targets - self.low
            inside = (offset >= 0) & (offset < len(self.table))
            rows = np.full(len(targets), -1, dtype=np.int64)
            rows[inside] = self.table[offset[inside]]
            return rows.clip(min=0), rows >= 0
        assert self.order is not None
        position = np.searchsorted(self.pks, targets, sorter=self.order).clip(max=len(self.pks) - 1)
        rows = self.order[position]
        return rows, self.pks[rows] == targets


def _specialty_sets(qs: QuerySet[Target], pks: np.ndarray, row_of: _RowOf) -> Categorical:
    """Each target's 专业 codes (sorted tuple; ``()`` without any), in the order of ``pks``: one query for the
    links; each target's set is a bit mask, decoded once per distinct mask."""
    codes = dict(Specialty.objects.values_list("pk", "code"))
    links = Target.specialties.through.objects
    low, high = int(pks.min()), int(pks.max())
    if high - low + 1 <= 2 * len(pks):
        # Dense ids (a bureau's library): a range scan of the link index, links of other targets dropped below.
        chosen = links.filter(target_id__gte=low, target_id__lte=high)
    else:
        chosen = links.filter(target_id__in=qs.order_by().values("pk"))
    table = _read_table(chosen.values_list("target_id", "specialty_id"), _LINK_COLUMNS)
    targets, specialties = table.columns["target_id"], table.columns["specialty_id"]
    rows, known = row_of(targets)
    rows, specialties = rows[known], specialties[known]
    ids = sorted(codes, key=lambda pk: codes[pk])
    if len(ids) > 63:  # pragma: no cover - more 专业 than bits in a mask: sets per target
        groups: dict[int, set[str]] = {}
        for row, specialty in zip(rows.tolist(), specialties.tolist(), strict=True):
            groups.setdefault(row, set()).add(codes[specialty])
        return Categorical.of((tuple(sorted(groups.get(k, ()))) for k in range(len(pks))), len(pks))
    masks = np.zeros(len(pks), dtype=np.uint64)
    for bit, pk in enumerate(ids):
        masks[rows[specialties == pk]] |= np.uint64(1 << bit)
    inverse, distinct = _factorize(masks.astype(np.int64))
    decoded = [tuple(codes[pk] for bit, pk in enumerate(ids) if int(mask) >> bit & 1) for mask in distinct.tolist()]
    return Categorical(inverse, decoded)


def _undated_reasons(flags: Iterable[str]) -> tuple[str, ...]:
    """The reasons ``effective_flags`` gives for flags of the 名录库 without any dated record."""
    labels = dict(RiskFlag.choices)
    return tuple(dict.fromkeys(f"{labels.get(flag, flag)}（名录库标记，未登记日期）" for flag in flags))


def _parse_flags(text: str) -> list[str]:
    value = json.loads(text) if text else []
    return [str(v) for v in value] if isinstance(value, list) else []


def _scope_columns(
    scope: DepartmentScope, flags_window: tuple[datetime.date, datetime.date] | None
) -> PoolColumns:
    """One scope's candidates column-wise, sorted by id."""
    qs = scope_queryset(scope)
    rows = qs.annotate(
        flags_text=Cast("risk_flags", TextField()),
        adverse=ExpressionWrapper(~Q(last_result__in=CLEAN_RESULTS), output_field=BooleanField()),
    ).order_by().values_list(*_TARGET_COLUMNS)
    table = _read_table(rows, _TARGET_COLUMNS).columns
    pks: np.ndarray = table["pk"]
    count = len(pks)
    if not count:
        return PoolColumns.empty()
    region_rows, region_ids = _factorize(table["region_id"])
    region_codes = dict(Region.objects.filter(pk__in=region_ids.tolist()).values_list("pk", "code"))
    region = Categorical(region_rows, [region_codes[pk] for pk in region_ids.tolist()])
    row_of = _RowOf(pks)
    current: Categorical = table["flags_text"]
    current_lists = [_parse_flags(text) for text in current.values]
    if flags_window is None:
        flags = current.with_values([tuple(sorted(set(f))) for f in current_lists])
        reasons = Categorical.constant((), count)
    else:
        # Targets without dated flag records (nearly all): their 名录库 flags count as they are, plus the
        # adverse pseudo-flag — one value per (flag list, adverse) pair. Targets with records: effective_flags.
        adverse: np.ndarray = table["adverse"]
        pair = current.codes.astype(np.int64) * 2 + adverse.astype(np.int64)
        codes, distinct = _factorize(pair)
        flag_values: list[Any] = []
        reason_values: list[Any] = []
        for key in distinct.tolist():
            listed = current_lists[key // 2]
            flag_values.append(tuple(sorted(set(listed) | ({ADVERSE_FLAG} if key % 2 else set()))))
            reason_values.append(_undated_reasons(listed))
        recorded = sorted(
            set(TargetFlagRecord.objects.filter(target_id__in=qs.order_by().values("pk")).values_list("target_id", flat=True))
        )
        if recorded:
            dated, why = effective_flags(recorded, since=flags_window[0], until=flags_window[1])
            where, _known = row_of(np.asarray(recorded, dtype=np.int64))
            for pk, row in zip(recorded, where.tolist(), strict=True):
                codes[row] = len(flag_values)
                flag_values.append(tuple(sorted(dated.get(pk, set()) | ({ADVERSE_FLAG} if adverse[row] else set()))))
                reason_values.append(tuple(why.get(pk, [])))
        flags = Categorical(codes, flag_values)
        reasons = Categorical(codes.copy(), reason_values)
    columns = PoolColumns(
        ids=table["code"], region=region, specialties=_specialty_sets(qs, pks, row_of), risk_class=table["risk_class"],
        risk_flags=flags, last_inspected=table["last_inspected_on"], reasons=reasons,
    )  # fmt: skip
    return columns.take(np.argsort(columns.ids))  # ids are unique within a scope (one per 对象编码 and bureau)


def _merge(parts: list[PoolColumns]) -> PoolColumns:
    """Several scopes' candidates: one per 对象编码 (专业, flags and reasons merged, the highest risk class, the
    latest inspection); the first scope (the task bureau's) gives the region."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return PoolColumns.empty()
    if len(parts) == 1:
        return parts[0]
    width = max(p.ids.dtype.itemsize for p in parts)
    ids = np.concatenate([p.ids.astype(f"S{width}") for p in parts])
    merged = PoolColumns(
        ids, **{k: Categorical.concatenate([getattr(p, k) for p in parts]) for k in parts[0].categoricals()}
    )
    merged = merged.take(np.argsort(ids, kind="stable"))  # stable: equal ids stay in scope order
    starts = np.ones(len(merged), dtype=bool)
    starts[1:] = merged.ids[1:] != merged.ids[:-1]
    if bool(starts.all()):
        return merged
    heads = np.flatnonzero(starts)
    group_of = np.cumsum(starts) - 1
    for group in np.unique(group_of[~starts]).tolist():
        head = int(heads[group])
        members = list(range(head, int(heads[group + 1]) if group + 1 < len(heads) else len(merged)))
        specialties: set[str] = set()
        flags: set[str] = set()
        reasons: list[str] = []
        risk = merged.risk_class.value(head)
        last = None
        for row in members:
            specialties |= set(merged.specialties.value(row))
            flags |= set(merged.risk_flags.value(row))
            reasons.extend(r for r in merged.reasons.value(row) if r not in reasons)
            candidate = merged.risk_class.value(row)
            if RISK_ORDER.get(candidate, 1) > RISK_ORDER.get(risk, 1):
                risk = candidate
            day = merged.last_inspected.value(row)
            if day and (last is None or day > last):
                last = day
        for column, value in (
            (merged.specialties, tuple(sorted(specialties))), (merged.risk_flags, tuple(sorted(flags))),
            (merged.reasons, tuple(reasons)), (merged.risk_class, risk), (merged.last_inspected, last),
        ):  # fmt: skip
            column.codes[head] = len(column.values)
            column.values.append(value)
    return merged.take(heads)


def collect_pool(
    task: Task, *, flags_window: tuple[datetime.date, datetime.date] | None = None
) -> tuple[PoolColumns, list[DepartmentScope]]:
    """Candidates in scope (在营, not removed from the 名录库), one per 对象编码, sorted by id.

    With ``flags_window`` (since, until) the risk flags are the dated ones of that window (directory
    ``effective_flags``) instead of the 名录库's current list, and an adverse last result adds ``ADVERSE_FLAG``.
    """
    scopes = task_scopes(task)
    return _merge([_scope_columns(scope, flags_window) for scope in scopes]), scopes


def quoted_column(model: type[Model], name: str) -> str:
    """The quoted database column of a model field (for the few statements written as SQL: COPY, = ANY)."""
    found = model._meta.get_field(name)
    assert isinstance(found, Field) and found.column
    return str(connection.ops.quote_name(found.column))


def targets_for_ids(task: Task, ids: list[str]) -> dict[str, int]:
    """Map drawn ids back to target rows (the task bureau's own record first, else the lowest pk).

    On PostgreSQL the ids go as one array parameter (``= ANY``): tens of thousands of drawn targets, not as many
    placeholders; elsewhere in chunks (SQLite allows at most 32,766 variables a statement)."""
    owners = [s.organization.pk for s in task_scopes(task)]
    found: dict[str, tuple[bool, int]] = {}
    if connection.vendor == "postgresql":
        column = {name: quoted_column(Target, name) for name in ("id", "code", "owner")}
        table = connection.ops.quote_name(Target._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column['id']}, {column['code']}, {column['owner']} FROM {table} "  # nosec B608 - names from the model, values as parameters
                f"WHERE {column['owner']} = ANY(%s) AND {column['code']} = ANY(%s)",
                [owners, ids],
            )
            rows: Iterable[tuple[int, str, int]] = cursor.fetchall()
    else:
        rows = [
            row
            for start in range(0, len(ids), 500)
            for row in Target.objects.filter(code__in=ids[start : start + 500], owner_id__in=owners).values_list(
                "pk", "code", "owner_id"
            )
        ]
    for pk, code, owner_id in rows:
        key = (owner_id != task.owner_id, pk)
        if code not in found or key < found[code]:
            found[code] = key
    return {code: key[1] for code, key in found.items()}
