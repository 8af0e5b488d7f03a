"""The draw pool: candidates in canonical order (by id), stored column-wise, and its Merkle root.

A million candidates are never a million Python objects here: ids are a list of strings (or, from the fast
reader, one numpy bytes array decoded on access) and every other field is a categorical column (int32 codes
into the sorted canonical texts).

Two CSV readers give identical pools and digests:
- the fast reader, for canonical files (the seven columns in order, sorted by id, canonical values, no
  quotes; `pool_to_csv` writes them): each line is then the canonical row with "," for U+001F, so the file
  is split at row k = the largest power of two below n and each half is checked, parsed column-wise
  (Arrow's CSV reader, categorical columns dictionary-encoded, no Python object per row) and hashed into its
  own Merkle subtree in its own process (`parallel.fork_map`);
- the general reader for anything else (any column order, extra columns, quotes, CRLF, blank lines,
  unsorted rows, non-canonical spellings), with row numbers in its Chinese error messages.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import operator
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np

from shuangsuiji.core import merkle
from shuangsuiji.core.draw.model import (
    COLUMNS,
    FIELD_SEPARATOR,
    LIST_SEPARATOR,
    REQUIRED_COLUMNS,
    Candidate,
    DrawInputError,
    canonical_flags,
    canonical_risk_class,
    canonical_score,
    canonical_specialties,
    clean_text,
    parse_date,
)
from shuangsuiji.core.draw.parallel import fork_map, worker_count
from shuangsuiji.core.sha256_batch import compiled_available, sha256_many

CATEGORICAL = COLUMNS[1:]  # every column but id
PARALLEL_MIN_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    """A categorical column: codes (int32, one per row) into sorted canonical texts."""

    codes: np.ndarray
    values: tuple[str, ...]


def _canonical_value(column: str, raw: str, where: str) -> str:
    if column == "region":
        return clean_text(raw, f"{where} region（区域）")
    if column == "specialties":
        return LIST_SEPARATOR.join(canonical_specialties(raw, f"{where} specialties（专业）"))
    if column == "risk_class":
        return canonical_risk_class(raw, f"{where} risk_class（风险等级）")
    if column == "risk_flags":
        return LIST_SEPARATOR.join(canonical_flags(raw, f"{where} risk_flags（风险标记）"))
    if column == "last_inspected_on":
        value = parse_date(raw, f"{where} last_inspected_on（最近检查日期）")
        return value.isoformat() if value else ""
    if column == "risk_score":
        return canonical_score(raw, f"{where} risk_score（风险分值）")
    raise AssertionError(column)


def _canonical_row_value(column: str, raw: Any, candidate_id: str) -> str:
    where = f"检查对象『{candidate_id}』的"
    if raw is None:
        raw = ""
    if isinstance(raw, date):
        raw = raw.isoformat()
    if isinstance(raw, tuple):
        raw = LIST_SEPARATOR.join(str(v) for v in raw)
    return _canonical_value(column, str(raw), where)


def _categorical(
    column: str, raw_values: Sequence[Any] | np.ndarray, where: Callable[[int], str]
) -> tuple[np.ndarray, list[str]]:
    """Factorise raw texts, canonicalise each distinct value once; codes into (unsorted) canonical texts."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(raw_values, dtype=object), use_na_sentinel=False)
    canonical: list[str] = []
    remap = np.empty(len(uniques), dtype=np.int32)
    seen: dict[str, int] = {}
    for k, raw in enumerate(uniques.tolist()):
        value = "" if raw is None else str(raw)
        try:
            text = _canonical_value(column, value, "")
        except DrawInputError:
            # Say where: the first row holding this value.
            _canonical_value(column, value, where(int(np.argmax(codes == k))))
            raise
        remap[k] = seen.setdefault(text, len(seen))
        if remap[k] == len(canonical):
            canonical.append(text)
    return remap[codes].astype(np.int32, copy=False), canonical


def _sorted_column(codes: np.ndarray, values: list[str]) -> Column:
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int32)
    rank[order] = np.arange(len(values), dtype=np.int32)
    return Column(rank[codes] if len(values) else codes.astype(np.int32), tuple(values[i] for i in order))


def row_leaf_hashes(ids: Sequence[str], texts: Sequence[Sequence[str] | np.ndarray]) -> bytes:
    """Leaf hashes (n x 32 bytes) of canonical rows id␟region␟…␟risk_score, in the given order."""
    if not ids:
        return b""
    rows = list(map(FIELD_SEPARATOR.join, zip(ids, *texts, strict=True)))
    buffer = ("\x00" + "\x00".join(rows)).encode("utf-8")
    del rows
    starts = np.append(np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 0), len(buffer))
    return sha256_many(buffer, starts)


def _subtree_task(task: tuple[Pool, int, int, bool]) -> tuple[bytes, bytes]:
    pool, start, stop, keep_leaves = task
    leaves = pool.leaf_hashes_range(start, stop)
    return merkle.tree_root(leaves), leaves if keep_leaves else b""


_UNTRIMMED_OR_EMPTY = re.compile(r"(?:^|\n)[ \t]|[ \t](?:\n|$)|(?:^|\n)(?:\n|$)")


def _clean_id_texts(ids: list[str]) -> list[str]:
    """clean_text for every id, checked in bulk: only a list with a problem is cleaned one id at a time."""
    joined = "\x1e".join(ids)  # a control character: any other one inside an id is still found
    if (
        joined.count("\x1e") == len(ids) - 1
        and _CONTROL_EXCEPT_RS.search(joined) is None
        and _UNTRIMMED_OR_EMPTY.search(joined.replace("\x1e", "\n")) is None
    ):
        return ids
    return [clean_text(value, "检查对象编号") for value in ids]


_CONTROL_EXCEPT_RS = re.compile(r"[\x00-\x1d\x1f\x7f]")
_NONE = "\x00none"  # stands for None while factorising (a control character: never a real value)


def _has_lists(values: Sequence[Any]) -> bool:
    """Whether a column holds lists (unhashable: turned into tuples before factorising)."""
    return any(isinstance(v, list) for v in values)


class IdSequence(Sequence[str]):
    """Ids kept as one numpy bytes array (UTF-8, no NUL), decoded on access: no million str objects."""

    def __init__(self, encoded: np.ndarray) -> None:
        self.encoded = encoded

    def __len__(self) -> int:
        return len(self.encoded)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [b.decode("utf-8") for b in self.encoded[index].tolist()]
        return self.encoded[index].decode("utf-8")

    def __iter__(self) -> Any:
        return (b.decode("utf-8") for b in self.encoded.tolist())

    def take(self, rows: np.ndarray) -> list[str]:
        return [b.decode("utf-8") for b in self.encoded[rows].tolist()]


class Pool:
    """Candidates in canonical order (ids ascending by Unicode code point = UTF-8 byte order)."""

    def __init__(
        self,
        ids: Sequence[str],
        columns: dict[str, Column],
        *,
        row_numbers: np.ndarray | None = None,
        leaves: bytes | None = None,
        root: bytes | None = None,
    ) -> None:
        if not len(ids):
            raise DrawInputError("对象库为空：没有任何检查对象")
        self.ids = ids
        self.columns = columns
        self.row_numbers = row_numbers
        self._leaves = leaves
        self._root = root
        self._lines: bytes | None = None

    # ---------------------------------------------------------------------------------------- building

    @classmethod
    def from_candidates(cls, candidates: Iterable[Candidate]) -> Pool:
        items = sorted(candidates, key=lambda c: c.id)
        ids = [c.id for c in items]
        _check_duplicates(ids, None)
        fields = list(zip(*(c.row_fields() for c in items), strict=False)) if items else []
        columns = {}
        for k, name in enumerate(CATEGORICAL, start=1):
            values = fields[k] if fields else ()
            lookup: dict[str, int] = {}
            codes = np.fromiter(
                (lookup.setdefault(v, len(lookup)) for v in values), dtype=np.int32, count=len(ids)
            )
            columns[name] = _sorted_column(codes, list(lookup))
        return cls(ids, columns)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> Pool:
        """From raw value tuples in COLUMNS order (e.g. a queryset's values_list), without a Candidate each.

        Multi-valued fields may be strings or sequences, dates `date`/text/None, scores number/text/None;
        each distinct value is canonicalised once (same rules and Chinese errors as Candidate). Rows already
        in canonical order (as a query ordered by id in byte order returns them) are not sorted again.
        """
        try:
            table = list(zip(*rows, strict=True))
        except ValueError:
            raise DrawInputError(f"对象行的字段数不一致（每行应为 {len(COLUMNS)} 个：{'、'.join(COLUMNS)}）") from None
        if not table or not table[0]:
            raise DrawInputError("对象库为空：没有任何检查对象")
        if len(table) != len(COLUMNS):
            raise DrawInputError(f"对象行必须有 {len(COLUMNS)} 个字段（{'、'.join(COLUMNS)}）")
        return cls.from_columns(dict(zip(COLUMNS, table, strict=True)))

    @classmethod
    def from_columns(cls, columns_in: Mapping[str, Sequence[Any]]) -> Pool:
        """Like `from_rows`, from one sequence per column (keys: COLUMNS; all of the same length)."""
        import pandas as pd

        table = [columns_in[name] for name in COLUMNS]
        if not table[0]:
            raise DrawInputError("对象库为空：没有任何检查对象")
        if any(len(values) != len(table[0]) for values in table):
            raise DrawInputError(f"对象行的字段数不一致（每行应为 {len(COLUMNS)} 个：{'、'.join(COLUMNS)}）")
        ids = _clean_id_texts(list(map(str, table[0])))
        order: np.ndarray | None = None
        if not all(map(operator.lt, ids, itertools.islice(ids, 1, None))):
            encoded = np.array([i.encode("utf-8") for i in ids], dtype=bytes)  # UTF-8 order = code point order
            order = np.argsort(encoded, kind="stable")
            ids = [ids[k] for k in order.tolist()]
            _check_duplicates(ids, None)
        count = len(ids)
        columns = {}
        for name, values in zip(CATEGORICAL, table[1:], strict=True):
            items = [tuple(v) if isinstance(v, list) else v for v in values] if _has_lists(values) else values
            objects = np.fromiter(items, dtype=object, count=count)
            # pandas treats None as missing (and would hand back NaN): a sentinel keeps it a value of its own.
            objects[np.equal(objects, cast(Any, None))] = _NONE
            raw_codes, uniques = pd.factorize(objects, use_na_sentinel=False)
            if order is not None:
                raw_codes = raw_codes[order]
            texts = []
            for k, raw in enumerate(None if isinstance(v, str) and v == _NONE else v for v in uniques.tolist()):
                try:
                    texts.append(_canonical_row_value(name, raw, ""))
                except DrawInputError:
                    _canonical_row_value(name, raw, ids[int(np.argmax(raw_codes == k))])
                    raise
            distinct = sorted(set(texts))
            position = np.asarray([distinct.index(t) for t in texts], dtype=np.int32)
            columns[name] = Column(position[raw_codes], tuple(distinct))
        return cls(ids, columns)

    @classmethod
    def from_csv(cls, path: str | Path, *, parallel: bool = True) -> Pool:
        return read_pool_csv(Path(path), parallel=parallel)

    # ---------------------------------------------------------------------------------------- access

    def __len__(self) -> int:
        return len(self.ids)

    def ids_at(self, rows: Sequence[int] | np.ndarray) -> list[str]:
        """The ids of the given rows (bulk-decoded when ids are stored as bytes)."""
        if isinstance(self.ids, IdSequence):
            return self.ids.take(np.asarray(rows, dtype=np.int64))
        ids = self.ids
        return [ids[int(r)] for r in rows]

    def index_of(self, candidate_id: str) -> int | None:
        position = bisect.bisect_left(self.ids, candidate_id)
        if position < len(self.ids) and self.ids[position] == candidate_id:
            return position
        return None

    def row_fields(self, index: int) -> tuple[str, ...]:
        return (
            self.ids[index],
            *(self.columns[c].values[int(self.columns[c].codes[index])] for c in CATEGORICAL),
        )

    def rows(self) -> list[tuple[str, ...]]:
        """Every row's canonical fields (as `row_fields`), built column-wise."""
        texts = [self.column_texts(name).tolist() for name in CATEGORICAL]
        ids = self.ids.take(np.arange(len(self.ids))) if isinstance(self.ids, IdSequence) else self.ids
        return list(zip(ids, *texts, strict=True))

    def candidate(self, index: int) -> Candidate:
        f = self.row_fields(index)
        return Candidate(
            id=f[0],
            region=f[1],
            specialties=tuple(f[2].split(LIST_SEPARATOR)),
            risk_class=f[3],
            risk_flags=tuple(x for x in f[4].split(LIST_SEPARATOR) if x),
            last_inspected_on=date.fromisoformat(f[5]) if f[5] else None,
            risk_score=f[6],
        )

    def row_bytes(self, index: int) -> bytes:
        return FIELD_SEPARATOR.join(self.row_fields(index)).encode("utf-8")

    def column_texts(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        column = self.columns[name]
        return np.asarray(column.values, dtype=object)[column.codes[start:stop]]

    # ---------------------------------------------------------------------------------------- hashing

    def leaf_hashes_range(self, start: int, stop: int) -> bytes:
        if self._leaves is not None:
            return self._leaves[start * 32 : stop * 32]
        texts = [self.column_texts(name, start, stop).tolist() for name in CATEGORICAL]
        return row_leaf_hashes(list(self.ids[start:stop]), texts)

    def leaf_hashes(self) -> bytes:
        if self._leaves is None:
            self._compute_root(keep_leaves=True)
        assert self._leaves is not None
        return self._leaves

    def canonical_lines(self) -> bytes:
        """Every canonical row (fields joined by U+001F), each followed by a newline, UTF-8; built once.

        The same bytes give the Merkle leaves and, with "," for U+001F, the canonical CSV (`pool_csv_bytes`).
        """
        if self._lines is None:
            texts = [self.column_texts(name).tolist() for name in CATEGORICAL]
            ids = self.ids.take(np.arange(len(self.ids))) if isinstance(self.ids, IdSequence) else self.ids
            self._lines = ("\n".join(map(FIELD_SEPARATOR.join, zip(ids, *texts, strict=True))) + "\n").encode("utf-8")
        return self._lines

    def _compute_root(self, *, keep_leaves: bool) -> None:
        n = len(self.ids)
        if compiled_available() or n < PARALLEL_MIN_ROWS:
            # One pass over the canonical lines, hashed in batches in this process (no fork needed).
            buffer = b"\x00" + self.canonical_lines().replace(b"\n", b"\x00")
            leaves = sha256_many(buffer, np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 0))
            del buffer
            self._leaves = leaves
            self._root = merkle.tree_root(leaves)
            return
        parallel = n >= PARALLEL_MIN_ROWS and worker_count() >= 2
        if n == 1 or not parallel:
            leaves = self.leaf_hashes_range(0, n)
            self._leaves = leaves
            self._root = merkle.tree_root(leaves)
            return
        k = merkle.subtree_split(n)
        (left, left_leaves), (right, right_leaves) = fork_map(
            _subtree_task, [(self, k, n, keep_leaves), (self, 0, k, keep_leaves)]
        )[::-1]
        self._root = merkle.node_hash(left, right)
        if keep_leaves and self._leaves is None:
            self._leaves = left_leaves + right_leaves

    def root(self) -> bytes:
        if self._root is None:
            self._compute_root(keep_leaves=False)
        assert self._root is not None
        return self._root

    def tree_levels(self) -> list[bytes]:
        return merkle.tree_levels(self.leaf_hashes())


def pool_digest(pool: Pool) -> str:
    """Hex Merkle root (RFC 6962, SHA-256) over the canonical rows of the pool."""
    return pool.root().hex()


# ------------------------------------------------------------------------------------------------ CSV


def _check_duplicates(ids: Sequence[str], row_numbers: np.ndarray | None) -> None:
    array = np.asarray(ids, dtype=object)
    duplicates = (np.flatnonzero(array[1:] == array[:-1]) + 1).tolist() if len(ids) > 1 else []
    if duplicates:
        shown = []
        for k in duplicates[:5]:
            if row_numbers is not None:
                rows = sorted((int(row_numbers[k - 1]), int(row_numbers[k])))
                shown.append(f"{ids[k]}（第{rows[0]}行与第{rows[1]}行）")
            else:
                shown.append(ids[k])
        more = f" 等 {len(duplicates)} 处" if len(duplicates) > 5 else ""
        raise DrawInputError(f"对象库中检查对象编号重复：{'、'.join(shown)}{more}")


def _decode_header(raw: bytes, name: str) -> tuple[list[str], int]:
    end = raw.find(b"\n")
    line = raw if end < 0 else raw[:end]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise DrawInputError(_encoding_message(name)) from None
    header = [h.strip() for h in next(csv.reader([text.rstrip("\r")]), [])]
    return header, (len(raw) if end < 0 else end + 1)


def _encoding_message(name: str) -> str:
    return f"对象库文件 {name} 不是 UTF-8 编码（可能是 GBK），请在 Excel 中另存为“CSV UTF-8”后重试"


@dataclass
class _Chunk:
    ids: list[str]
    row_numbers: np.ndarray
    columns: dict[str, tuple[np.ndarray, list[str]]]
    leaves: bytes


def _parse_chunk(task: tuple[bytes, bytes, int, str, tuple[str, ...]]) -> _Chunk:
    import pandas as pd

    header_line, body, first_row, name, present = task
    try:
        frame = pd.read_csv(
            io.BytesIO(header_line + body),
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            usecols=list(present),
            encoding="utf-8",
            engine="c",
        )
    except UnicodeDecodeError:
        raise DrawInputError(_encoding_message(name)) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise DrawInputError(f"对象库文件 {name} 不是有效的 CSV：{error}") from None
    if frame.empty:
        return _Chunk([], np.zeros(0, np.int32), {c: (np.zeros(0, np.int32), []) for c in CATEGORICAL}, b"")
    raw_ids = frame["id"].to_numpy(dtype=object)
    row_numbers = np.arange(first_row, first_row + len(frame), dtype=np.int32)
    # Blank lines (every field empty) are skipped; their line numbers still count.
    blank = np.ones(len(frame), dtype=bool)
    for column in present:
        blank &= frame[column].to_numpy(dtype=object) == ""
    if blank.any():
        keep = ~blank
        frame = frame[keep]
        raw_ids = raw_ids[keep]
        row_numbers = row_numbers[keep]
    ids = _clean_ids(raw_ids.tolist(), row_numbers, name)

    def where(index: int) -> str:
        return f"{name} 第{int(row_numbers[index])}行"

    columns: dict[str, tuple[np.ndarray, list[str]]] = {}
    for column in CATEGORICAL:
        if column in present:
            columns[column] = _categorical(column, frame[column].to_numpy(dtype=object), where)
        else:
            columns[column] = (np.zeros(len(ids), dtype=np.int32), [""])
    texts = [np.asarray(values, dtype=object)[codes].tolist() for codes, values in columns.values()]
    leaves = row_leaf_hashes(ids, texts)
    return _Chunk(ids, row_numbers, columns, leaves)


def _clean_ids(ids: list[str], row_numbers: np.ndarray, name: str) -> list[str]:
    joined = "\n".join(ids)
    trimmed = ids
    if "\t" in joined or " \n" in joined or "\n " in joined or joined.startswith(" ") or joined.endswith(" "):
        trimmed = [i.strip(" \t") for i in ids]
        joined = "\n".join(trimmed)
    problem = None
    if joined.startswith("\n") or joined.endswith("\n") or "\n\n" in joined or not joined:
        problem = "为空"
    elif any(c in joined for c in map(chr, [*range(0, 10), *range(11, 32), 127])):
        problem = "含有控制字符"
    if problem:
        for k, value in enumerate(trimmed):
            try:
                clean_text(value, "id")
            except DrawInputError:
                raise DrawInputError(
                    f"{name} 第{int(row_numbers[k])}行 id（检查对象编号）{problem}"
                ) from None
    return trimmed


@dataclass
class _FastChunk:
    ids: np.ndarray  # S<width>, UTF-8
    columns: dict[str, tuple[np.ndarray, list[str]]]
    root: bytes


# "," → U+001F and "\n" → NUL in one pass: a canonical CSV line becomes its leaf (after the NUL that ends the
# previous line, or the one put in front of the first).
_LEAF_BYTES = bytes.maketrans(b",\n", b"\x1f\x00")


def _arrow_offsets(array: Any) -> tuple[np.ndarray, Any]:
    """Offsets (int32/int64, len + 1) and data buffer of an Arrow string array."""
    offsets_buffer, data_buffer = array.buffers()[1:3]
    width = np.int64 if array.type in _LARGE_STRING_TYPES() else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[array.offset : array.offset + len(array) + 1]
    return offsets, data_buffer


def _LARGE_STRING_TYPES() -> tuple[Any, ...]:
    import pyarrow as pa

    return (pa.large_string(), pa.large_binary())


def _ids_array(offsets: np.ndarray, data: Any) -> np.ndarray | None:
    """The ids as one S<width> array (no str object each); None if one is empty or has surrounding spaces."""
    lengths = np.diff(offsets)
    if not len(lengths) or int(lengths.min()) == 0:
        return None
    values = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    used = values[int(offsets[0]) : int(offsets[-1])]
    # Control characters (tabs included) are not canonical. (In the other columns the canonical-value
    # check refuses them.)
    if bool((used < 32).any()) or bool((used == 127).any()):
        return None
    # A space at either end is an untrimmed id (tabs and other control characters are refused before).
    if bool((values[offsets[:-1]] == 32).any()) or bool((values[offsets[1:] - 1] == 32).any()):
        return None
    width = int(lengths.max())
    start, stop = int(offsets[0]), int(offsets[-1])
    if int(lengths.min()) == width:  # all of one length (USCC codes): the buffer is the array already
        return np.frombuffer(values[start:stop].tobytes(), dtype=f"S{width}")
    ids = np.empty(len(lengths), dtype=f"S{width}")
    positions = np.arange(width)
    starts = offsets[:-1]
    for a in range(0, len(lengths), 65536):
        b = a + 65536
        matrix = values[(starts[a:b, None] + positions).clip(max=len(values) - 1)]
        matrix[positions >= lengths[a:b, None]] = 0
        ids[a:b] = np.ascontiguousarray(matrix).view(f"S{width}").ravel()
    return ids


def _fast_chunk(task: tuple[bytes, int, int, bytes]) -> _FastChunk | None:
    """A chunk of a canonical CSV (all seven columns in order, no quotes, sorted, canonical values).

    Each line is then the canonical row with "," for U+001F, so the leaf data are the lines themselves.
    The chunk is parsed column-wise by Arrow's CSV reader (one thread: the two halves already run in two
    processes), the six categorical columns dictionary-encoded, so no Python object is made per row; line
    boundaries follow from the field lengths. Returns None as soon as anything is not canonical (the caller
    falls back to the general reader, which says what is wrong and where).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw, start, stop, _header_line = task
    chunk = raw[start:stop]
    if not chunk.endswith(b"\n") or b"\x1f" in chunk:
        return None
    try:
        table = pacsv.read_csv(
            pa.py_buffer(chunk),
            read_options=pacsv.ReadOptions(
                column_names=list(COLUMNS), use_threads=False, block_size=min(len(chunk) + 1, 1 << 30)
            ),
            parse_options=pacsv.ParseOptions(
                quote_char=False, double_quote=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    name: (pa.string() if name == "id" else pa.dictionary(pa.int32(), pa.string()))
                    for name in COLUMNS
                },
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None  # a row with another number of fields, invalid UTF-8, …
    table = table.unify_dictionaries().combine_chunks()
    if any(column.null_count for column in table.columns):
        return None
    id_array = table.column("id").chunk(0)
    id_offsets, id_data = _arrow_offsets(id_array)
    ids = _ids_array(id_offsets, id_data)
    if ids is None or (len(ids) > 1 and not bool((ids[1:] > ids[:-1]).all())):
        return None
    # Each line: the fields, six commas and the newline. The lengths must add up to the chunk exactly.
    line_lengths = np.diff(id_offsets).astype(np.int64) + len(COLUMNS)
    columns: dict[str, tuple[np.ndarray, list[str]]] = {}
    for column in CATEGORICAL:
        array = table.column(column).chunk(0)
        values = array.dictionary.to_pylist()
        for value in values:
            try:
                if _canonical_value(column, value, "") != value:
                    return None
            except DrawInputError:
                return None
        codes = np.frombuffer(array.indices.buffers()[1], dtype=np.int32)[
            array.indices.offset : array.indices.offset + len(array)
        ]
        value_offsets, _ = _arrow_offsets(array.dictionary)
        line_lengths += np.diff(value_offsets).astype(np.int64)[codes]
        columns[column] = (codes.copy(), values)
    del table, id_array, id_data
    nul = np.empty(len(ids) + 1, dtype=np.int64)
    nul[0] = 0
    np.cumsum(line_lengths, out=nul[1:])
    if int(nul[-1]) != len(chunk):
        return None
    buffer = b"\x00" + chunk.translate(_LEAF_BYTES)
    del chunk
    leaves = sha256_many(buffer, nul)
    del buffer
    return _FastChunk(ids, columns, merkle.tree_root(leaves))


def _line_offset(raw: bytes, body_start: int, k: int, n: int) -> int:
    """Offset just after the k-th newline of the body (guess by proportion, then walk line by line)."""
    position = body_start + (len(raw) - body_start) * k // n
    position = raw.rfind(b"\n", body_start, position) + 1 or body_start
    count = raw.count(b"\n", body_start, position)
    while count < k:
        position = raw.find(b"\n", position) + 1
        count += 1
    while count > k:
        position = raw.rfind(b"\n", body_start, position - 1) + 1
        count -= 1
    return position


def _read_canonical(raw: bytes, body_start: int, parallel: bool) -> Pool | None:
    """The fast reader for canonical CSV files (as written by pool_to_csv); None when not applicable."""
    if b'"' in raw or b"\r" in raw or not raw.endswith(b"\n"):
        return None
    header_line = raw[:body_start]
    n = raw.count(b"\n", body_start)
    if n < 2:
        return None
    use_two = parallel and worker_count() >= 2 and n >= PARALLEL_MIN_ROWS
    if use_two:
        split = _line_offset(raw, body_start, merkle.subtree_split(n), n)
        # The calling process takes the smaller right subtree: it also does the serial work around it.
        tasks = [(raw, split, len(raw), header_line), (raw, body_start, split, header_line)]
    else:
        tasks = [(raw, body_start, len(raw), header_line)]
    chunks = fork_map(_fast_chunk, tasks, parallel=use_two)[::-1] if use_two else fork_map(_fast_chunk, tasks)
    if any(c is None for c in chunks):
        return None
    parts = [c for c in chunks if c is not None]
    ids = np.concatenate([c.ids for c in parts])
    if len(parts) == 2:
        if not parts[0].ids[-1] < parts[1].ids[0]:
            return None
        root = merkle.node_hash(parts[0].root, parts[1].root)
    else:
        root = parts[0].root
    columns = _merge_columns([c.columns for c in parts])
    return Pool(IdSequence(ids), columns, root=root)


def _merge_columns(chunks: list[dict[str, tuple[np.ndarray, list[str]]]]) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for name in CATEGORICAL:
        values = sorted({v for c in chunks for v in c[name][1]})
        position = {v: k for k, v in enumerate(values)}
        parts = []
        for chunk in chunks:
            codes, local = chunk[name]
            remap = np.asarray([position[v] for v in local], dtype=np.int32)
            parts.append(remap[codes] if len(local) else codes)
        columns[name] = Column(np.concatenate(parts).astype(np.int32, copy=False), tuple(values))
    return columns


def read_pool_csv(path: Path, *, parallel: bool = True) -> Pool:
    """Read a pool CSV (UTF-8, header row; columns: see README 随机抽取)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DrawInputError(f"无法读取对象库文件 {path}：{error.strerror}") from error
    return read_pool_bytes(raw, name=path.name, parallel=parallel)


def read_pool_bytes(raw: bytes, *, name: str = "pool.csv", parallel: bool = False) -> Pool:
    """`read_pool_csv` of a file's content (e.g. a stored pool): no temporary file needed."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw[:4096].strip() and not raw.strip():
        raise DrawInputError(f"对象库文件 {name} 是空文件")
    header, body_start = _decode_header(raw, name)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DrawInputError(
            f"对象库文件 {name} 缺少列：{'、'.join(missing)}（现有列：{'、'.join(h for h in header if h) or '无'}）"
        )
    repeated = sorted({h for h in header if h in COLUMNS and header.count(h) > 1})
    if repeated:
        raise DrawInputError(f"对象库文件 {name} 的列重复：{'、'.join(repeated)}")
    present = tuple(c for c in COLUMNS if c in header)
    if header == list(COLUMNS):
        fast = _read_canonical(raw, body_start, parallel)
        if fast is not None:
            return fast
    header_line = raw[:body_start]
    if not header_line.endswith(b"\n"):
        header_line += b"\n"
    body = memoryview(raw)[body_start:]
    tasks = []
    split = -1
    if parallel and worker_count() >= 2 and len(body) > 4_000_000 and b'"' not in raw:
        split = raw.find(b"\n", body_start + len(body) // 2)
    if split > 0 and split + 1 < len(raw):
        first_rows = 2 + raw.count(b"\n", body_start, split + 1)
        tasks = [
            (header_line, bytes(body[: split + 1 - body_start]), 2, name, present),
            (header_line, bytes(raw[split + 1 :]), first_rows, name, present),
        ]
    else:
        tasks = [(header_line, bytes(body), 2, name, present)]
    del body
    chunks = fork_map(_parse_chunk, tasks, parallel=len(tasks) > 1)
    return _merge_chunks(chunks)


def _merge_chunks(chunks: list[_Chunk]) -> Pool:
    ids: list[str] = []
    for chunk in chunks:
        ids.extend(chunk.ids)
    if not ids:
        raise DrawInputError("对象库为空：没有任何检查对象")
    row_numbers = np.concatenate([c.row_numbers for c in chunks])
    columns = _merge_columns([c.columns for c in chunks])
    leaves = b"".join(c.leaves for c in chunks)
    id_array = np.asarray(ids, dtype=object)
    if len(ids) > 1 and not bool((id_array[1:] > id_array[:-1]).all()):
        order = np.argsort(id_array.astype(str), kind="stable")
        id_array = id_array[order]
        ids = id_array.tolist()
        row_numbers = row_numbers[order]
        columns = {k: Column(c.codes[order], c.values) for k, c in columns.items()}
        leaves = np.frombuffer(leaves, dtype=np.uint8).reshape(-1, 32)[order].tobytes()
        _check_duplicates(ids, row_numbers)
    return Pool(ids, columns, row_numbers=row_numbers, leaves=leaves)


def pool_csv_bytes(pool: Pool) -> bytes:
    """The pool in canonical form and order as CSV (UTF-8, header row, "\\n" line ends, minimal quoting)."""
    header = (",".join(COLUMNS) + "\n").encode("utf-8")
    lines = pool.canonical_lines()
    if b"," not in lines and b'"' not in lines:
        # No field needs quoting (fields hold no control characters): exactly what csv.writer writes.
        return header + lines.replace(b"\x1f", b",")
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\n")
    texts = [pool.column_texts(name).tolist() for name in CATEGORICAL]
    ids = pool.ids.take(np.arange(len(pool))) if isinstance(pool.ids, IdSequence) else pool.ids
    writer.writerows(zip(ids, *texts, strict=True))
    return header + stream.getvalue().encode("utf-8")


def pool_to_csv(pool: Pool, path: str | Path) -> None:
    """Write the pool in canonical form and order (reading it back gives the same digest)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pool_csv_bytes(pool))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
