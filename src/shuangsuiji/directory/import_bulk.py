"""Set-based write of a large 检查对象名录库 register (issue 21 item 5).

The checked rows are loaded, chunk by chunk while the file is still being read and checked, into a
temporary staging table (PostgreSQL: `COPY` through psycopg's copy API; SQLite: executemany in one
transaction per chunk). Nothing of the register is touched until every row has passed. Then, in the one
transaction of the import, a few set-based statements do what the row path (`import_services._write_targets`)
does one row at a time, with the same result:

- match each staged row to the bureau's target by its key (USCC or "L:<licence>"), or — a legacy unit that
  now has a USCC — by its first licence number (the target then gets its proper code);
- refuse the file when two rows match the same target (row, column, reason in Chinese);
- flag the matched rows that change something: a provided cell that differs, the phone (compared as plain
  text in Python: stored phones are encrypted with a fresh nonce), the set of 专业, the code;
- INSERT … SELECT the new targets, their history rows ('+') and their 专业;
- UPDATE … FROM the changed targets, then their history rows ('~') from the updated rows, and replace the
  专业 of the targets whose set changed.

A blank cell keeps the stored value (the staging column is NULL), as in the row path. The history rows are
the simple-history rows the row path writes; the audit entry is written by the caller in the same
transaction. The staging tables are temporary: they vanish with the session if the worker dies, and are
dropped when the import ends.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from shuangsuiji.common.crypto import decrypt_text, encrypt_text
from shuangsuiji.directory.models import RiskClass, Target, TargetStatus

STAGE = "ssj_stage_target"
STAGE_SPECS = "ssj_stage_target_specialty"
PhaseFn = Callable[[str], None]

# (staging column, cleaned-row key, value when a new target leaves the cell blank)
VALUE_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("uscc", "uscc", ""),
    ("name", "name", None),  # required
    ("address", "address", ""),
    ("region_id", "region", None),  # always set (the bureau's region when blank)
    ("licence_numbers", "licence_numbers", ""),
    ("legal_representative", "legal_representative", ""),
    ("contact_person", "contact_person", ""),
    ("contact_phone", "contact_phone", ""),
    ("status", "status", TargetStatus.OPERATING.value),
    ("risk_class", "risk_class", RiskClass.B.value),
    ("risk_flags", "risk_flags", []),
    ("last_inspected_on", "last_inspected_on", None),
    ("last_result", "last_result", ""),
)
# Columns compared as stored values (the phone is compared in Python, the JSON list as JSON).
PLAIN_COLUMNS = [c for c, _, _ in VALUE_COLUMNS if c not in ("contact_phone", "risk_flags", "last_inspected_on")]
STAGE_INPUT = [
    "row_no", "code", "alt_code", *(c for c, _, _ in VALUE_COLUMNS), "phone_mac", "spec_count",
]


def supported() -> bool:
    """PostgreSQL, or SQLite with UPDATE … FROM (3.33+); otherwise the row path is used."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33, 0)


def _qn(name: str) -> str:
    return str(connection.ops.quote_name(name))


class TargetStage:
    """The staging tables of one import on the current connection."""

    def __init__(self, *, owner_id: int) -> None:
        self.owner_id = owner_id
        self.pg = connection.vendor == "postgresql"
        self.mac_key = os.urandom(16)  # phones are compared by a keyed digest valid for this import only
        self.rows = 0
        self._flags_json: dict[tuple[str, ...], str] = {}

    # ------------------------------------------------------------ staging

    def create(self) -> None:
        if self.pg:
            types = {"row_no": "integer", "region_id": "bigint", "risk_flags": "jsonb", "last_inspected_on": "date",
                     "spec_count": "integer"}  # fmt: skip
            extra = "target_id bigint, new_code text, phone_changed boolean NOT NULL DEFAULT false, " \
                    "spec_changed boolean NOT NULL DEFAULT false, touched boolean NOT NULL DEFAULT false"
            specs = "row_no integer NOT NULL, specialty_id bigint NOT NULL"
        else:
            types = {"row_no": "INTEGER PRIMARY KEY", "region_id": "INTEGER", "spec_count": "INTEGER"}
            extra = "target_id INTEGER, new_code TEXT, phone_changed INTEGER NOT NULL DEFAULT 0, " \
                    "spec_changed INTEGER NOT NULL DEFAULT 0, touched INTEGER NOT NULL DEFAULT 0"
            specs = "row_no INTEGER NOT NULL, specialty_id INTEGER NOT NULL"
        columns = ", ".join(f"{c} {types.get(c, 'text')}" for c in STAGE_INPUT)
        with connection.cursor() as cursor:
            self._drop(cursor)
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns}, {extra})")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_SPECS} ({specs})")

    def _drop(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE_SPECS}")

    def drop(self) -> None:
        """Drop the staging tables (best effort: a broken connection loses them anyway)."""
        if connection.needs_rollback:
            return  # inside a failed transaction: the tables go with its rollback (or with the session)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                self._drop(cursor)
        except Exception:  # cleanup must not hide the import's own outcome
            connection.close_if_unusable_or_obsolete()

    def _flags(self, flags: list[str]) -> str:
        key = tuple(flags)
        text = self._flags_json.get(key)
        if text is None:
            text = self._flags_json[key] = json.dumps(flags)  # what Django's JSONField stores
        return text

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Stage checked rows (the cleaned dicts of `importers.RowChecker`)."""
        if not rows:
            return
        staged: list[tuple[Any, ...]] = []
        specs: list[tuple[int, int]] = []
        mac_key, pg, flags = self.mac_key, self.pg, self._flags
        for row in rows:
            phone = row.get("contact_phone")
            licence = row.get("licence_numbers")
            inspected = row.get("last_inspected_on")
            risk_flags = row.get("risk_flags")
            staged.append((
                row["_row"], row["_key"], "L:" + licence.split(";")[0] if licence and row.get("uscc") else None,
                row.get("uscc"), row["name"], row.get("address"), row["region"], licence,
                row.get("legal_representative"), row.get("contact_person"),
                encrypt_text(phone) if phone else None, row.get("status"), row.get("risk_class"),
                None if risk_flags is None else flags(risk_flags),
                inspected if pg or inspected is None else inspected.isoformat(), row.get("last_result"),
                hashlib.blake2b(phone.encode(), key=mac_key, digest_size=16).hexdigest() if phone else None,
                len(row["specialties"]),
            ))
            number = row["_row"]
            specs.extend((number, sid) for sid in row["specialties"])
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:
                raw = cursor.cursor
                with raw.copy(f"COPY {STAGE} ({', '.join(STAGE_INPUT)}) FROM STDIN") as copy:
                    for values in staged:
                        copy.write_row(values)
                with raw.copy(f"COPY {STAGE_SPECS} (row_no, specialty_id) FROM STDIN") as copy:
                    for pair in specs:
                        copy.write_row(pair)
            else:
                marks = ", ".join(["%s"] * len(STAGE_INPUT))
                columns = ", ".join(STAGE_INPUT)
                cursor.executemany(f"INSERT INTO {STAGE} ({columns}) VALUES ({marks})", staged)  # nosec B608
                cursor.executemany(
                    f"INSERT INTO {STAGE_SPECS} (row_no, specialty_id) VALUES (%s, %s)", specs  # nosec B608
                )
        self.rows += len(staged)

    # ------------------------------------------------------------ merge (inside the import's transaction)

    def merge(self, *, actor_id: int, now: Any, reason: str, phase: PhaseFn | None = None) -> dict[str, Any]:
        """Write the staged rows; {"errors": [...]} when two rows match one target, else the counts."""
        phase = phase or (lambda message: None)
        target, history = Target._meta.db_table, Target.history.model._meta.db_table  # type: ignore[attr-defined]
        through = Target.specialties.through._meta.db_table
        t, h, m = _qn(target), _qn(history), _qn(through)
        owner = self.owner_id
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute("SET LOCAL work_mem = '128MB'")
                cursor.execute(f"CREATE INDEX ON {STAGE_SPECS} (row_no)")
                cursor.execute(f"ALTER TABLE {STAGE} ADD PRIMARY KEY (row_no)")
                cursor.execute(f"ANALYZE {STAGE} (row_no, code, alt_code)")  # the join keys: plans for 10² or 10⁶ rows
                cursor.execute(f"ANALYZE {STAGE_SPECS}")
            else:
                cursor.execute(f"CREATE INDEX {STAGE_SPECS}_row ON {STAGE_SPECS} (row_no)")
            phase("正在比对名录库中已有的检查对象")
            # 1. match by key, then legacy units (kept by licence no.) that now have a USCC
            cursor.execute(
                f"UPDATE {STAGE} SET target_id = t.id FROM {t} AS t "  # nosec B608 - fixed identifiers
                f"WHERE t.owner_id = %s AND t.code = {STAGE}.code",
                [owner],
            )
            cursor.execute(
                f"UPDATE {STAGE} SET target_id = t.id, new_code = {STAGE}.code FROM {t} AS t "  # nosec B608
                f"WHERE {STAGE}.target_id IS NULL AND {STAGE}.alt_code IS NOT NULL "
                f"AND t.owner_id = %s AND t.code = {STAGE}.alt_code",
                [owner],
            )
            errors = self._claimed_twice(cursor)
            if errors:
                return {"errors": errors}
            # 2. what changes
            self._flag_phones(cursor, t)
            cursor.execute(
                f"UPDATE {STAGE} SET spec_changed = TRUE WHERE target_id IS NOT NULL AND ("  # nosec B608
                f"spec_count <> (SELECT COUNT(*) FROM {m} AS m WHERE m.target_id = {STAGE}.target_id) "
                f"OR EXISTS (SELECT 1 FROM {STAGE_SPECS} AS ss WHERE ss.row_no = {STAGE}.row_no AND NOT EXISTS ("
                f"SELECT 1 FROM {m} AS m WHERE m.target_id = {STAGE}.target_id AND m.specialty_id = ss.specialty_id)))"
            )
            differs = [f"({STAGE}.{c} IS NOT NULL AND {STAGE}.{c} <> t.{c})" for c in PLAIN_COLUMNS]
            if self.pg:
                differs.append(f"({STAGE}.risk_flags IS NOT NULL AND {STAGE}.risk_flags <> t.risk_flags)")
            else:
                differs.append(f"({STAGE}.risk_flags IS NOT NULL AND json({STAGE}.risk_flags) <> json(t.risk_flags))")
            differs.append(
                f"({STAGE}.last_inspected_on IS NOT NULL AND "
                f"(t.last_inspected_on IS NULL OR {STAGE}.last_inspected_on <> t.last_inspected_on))"
            )
            cursor.execute(
                f"UPDATE {STAGE} SET touched = TRUE FROM {t} AS t WHERE t.id = {STAGE}.target_id AND ("  # nosec B608
                f"{STAGE}.new_code IS NOT NULL OR {STAGE}.phone_changed OR {STAGE}.spec_changed OR "
                + " OR ".join(differs) + ")"
            )
            cursor.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN target_id IS NULL THEN 1 ELSE 0 END), "  # nosec B608
                f"SUM(CASE WHEN touched THEN 1 ELSE 0 END) FROM {STAGE}"
            )
            total, created, updated = (int(v or 0) for v in cursor.fetchone())
            # 3. new targets, their history and 专业
            if created:
                phase(f"正在写入新增的 {created} 个检查对象")
                self._insert_new(cursor, t, now)
                phase(f"正在写入新增对象的变更历史和专业类别（{created} 个）")
                self._history(
                    cursor, h, kind="+", actor_id=actor_id, now=now, reason=reason,
                    source=f"FROM {STAGE} JOIN {t} AS t ON t.owner_id = %s AND t.code = {STAGE}.code "
                           f"WHERE {STAGE}.target_id IS NULL ORDER BY {STAGE}.row_no",
                    params=[owner],
                )
                cursor.execute(
                    f"INSERT INTO {m} (target_id, specialty_id) SELECT t.id, ss.specialty_id "  # nosec B608
                    f"FROM {STAGE_SPECS} AS ss JOIN {STAGE} ON {STAGE}.row_no = ss.row_no "
                    f"JOIN {t} AS t ON t.owner_id = %s AND t.code = {STAGE}.code WHERE {STAGE}.target_id IS NULL",
                    [owner],
                )
            # 4. changed targets, their history and 专业
            if updated:
                phase(f"正在更新有变化的 {updated} 个检查对象")
                self._update_changed(cursor, t, now)
                self._history(
                    cursor, h, kind="~", actor_id=actor_id, now=now, reason=reason,
                    source=f"FROM {STAGE} JOIN {t} AS t ON t.id = {STAGE}.target_id "
                           f"WHERE {STAGE}.touched ORDER BY t.id",
                    params=[],
                )
                cursor.execute(
                    f"DELETE FROM {m} WHERE target_id IN "  # nosec B608
                    f"(SELECT target_id FROM {STAGE} WHERE spec_changed)"
                )
                cursor.execute(
                    f"INSERT INTO {m} (target_id, specialty_id) SELECT {STAGE}.target_id, ss.specialty_id "  # nosec B608
                    f"FROM {STAGE_SPECS} AS ss JOIN {STAGE} ON {STAGE}.row_no = ss.row_no WHERE {STAGE}.spec_changed"
                )
        return {"created": created, "updated": updated, "unchanged": total - created - updated, "errors": []}

    def _claimed_twice(self, cursor: Any) -> list[dict[str, Any]]:
        cursor.execute(
            f"SELECT target_id, row_no, licence_numbers FROM {STAGE} WHERE target_id IN ("  # nosec B608
            f"SELECT target_id FROM {STAGE} WHERE target_id IS NOT NULL GROUP BY target_id HAVING COUNT(*) > 1) "
            f"ORDER BY target_id, row_no"
        )
        first: dict[int, int] = {}
        errors: list[dict[str, Any]] = []
        for target_id, row_no, licence in cursor.fetchall():
            if target_id not in first:
                first[target_id] = row_no
                continue
            errors.append({"row": row_no, "column": "许可证号", "value": str(licence or "")[:100],
                           "reason": f"与第{first[target_id]}行指向名录库中的同一检查对象"})
        return sorted(errors, key=lambda e: e["row"])

    def _flag_phones(self, cursor: Any, t: str) -> None:
        """Phones are stored encrypted with a fresh nonce: compare plain texts, by digest, in Python."""
        cursor.execute(
            f"SELECT {STAGE}.row_no, t.contact_phone, {STAGE}.phone_mac FROM {STAGE} "  # nosec B608
            f"JOIN {t} AS t ON t.id = {STAGE}.target_id WHERE {STAGE}.phone_mac IS NOT NULL"
        )
        changed: list[tuple[int]] = []
        while batch := cursor.fetchmany(10_000):
            for row_no, stored, mac in batch:
                plain = decrypt_text(stored) if stored else ""
                if hashlib.blake2b(plain.encode(), key=self.mac_key, digest_size=16).hexdigest() != mac:
                    changed.append((row_no,))
        if changed:
            cursor.executemany(f"UPDATE {STAGE} SET phone_changed = TRUE WHERE row_no = %s", changed)  # nosec B608

    def _insert_new(self, cursor: Any, t: str, now: Any) -> None:
        """INSERT … SELECT the staged rows without a match; every column of the model is written."""
        known = {c: (key, default) for c, key, default in VALUE_COLUMNS}
        columns: list[str] = []
        exprs: list[str] = []
        params: list[Any] = []
        for field in Target._meta.concrete_fields:
            column = str(field.column)
            if column == "id":
                continue
            columns.append(_qn(column))
            if column == "owner_id":
                exprs.append("%s")
                params.append(self.owner_id)
            elif column == "code":
                exprs.append(f"{STAGE}.code")
            elif column in ("created_at", "updated_at"):
                exprs.append("%s")
                params.append(field.get_db_prep_save(now, connection=connection))
            elif column in known:
                default = known[column][1]
                if default is None:
                    exprs.append(f"{STAGE}.{column}")
                else:
                    cast = "CAST(%s AS jsonb)" if self.pg and column == "risk_flags" else "%s"
                    exprs.append(f"COALESCE({STAGE}.{column}, {cast})")
                    params.append(json.dumps(default) if column == "risk_flags" else default)
            else:  # a field the import has no column for (is_retired, fields added later): its default
                exprs.append("%s")
                params.append(field.get_db_prep_save(field.get_default(), connection=connection))
        cursor.execute(
            f"INSERT INTO {t} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {STAGE} "  # nosec B608
            f"WHERE {STAGE}.target_id IS NULL ORDER BY {STAGE}.row_no",
            params,
        )

    def _update_changed(self, cursor: Any, t: str, now: Any) -> None:
        sets = [f"code = COALESCE({STAGE}.new_code, {t}.code)"]
        for column, _, _ in VALUE_COLUMNS:
            if column == "contact_phone":
                sets.append(f"contact_phone = CASE WHEN {STAGE}.phone_changed THEN {STAGE}.contact_phone "
                            f"ELSE {t}.contact_phone END")
            else:
                sets.append(f"{column} = COALESCE({STAGE}.{column}, {t}.{column})")
        sets.append("updated_at = %s")
        updated_at = Target._meta.get_field("updated_at").get_db_prep_save(now, connection=connection)
        cursor.execute(
            f"UPDATE {t} SET {', '.join(sets)} FROM {STAGE} "  # nosec B608 - fixed identifiers
            f"WHERE {t}.id = {STAGE}.target_id AND {STAGE}.touched",
            [updated_at],
        )

    def _history(
        self, cursor: Any, h: str, *, kind: str, actor_id: int, now: Any, reason: str, source: str, params: list[Any]
    ) -> None:
        """History rows as simple-history writes them: the target's tracked columns after the write."""
        history_model = Target.history.model  # type: ignore[attr-defined]
        meta: dict[str, Any] = {
            "history_date": history_model._meta.get_field("history_date").get_db_prep_save(now, connection=connection),
            "history_change_reason": reason, "history_type": kind, "history_user_id": actor_id,
        }
        columns: list[str] = []
        exprs: list[str] = []
        values: list[Any] = []
        for field in history_model._meta.concrete_fields:
            column = str(field.column)
            if column == "history_id":
                continue
            columns.append(_qn(column))
            if field.attname in meta:
                exprs.append("%s")
                values.append(meta[field.attname])
            else:
                exprs.append(f"t.{_qn(column)}")
        cursor.execute(
            f"INSERT INTO {h} ({', '.join(columns)}) SELECT {', '.join(exprs)} {source}",  # nosec B608
            [*values, *params],
        )

