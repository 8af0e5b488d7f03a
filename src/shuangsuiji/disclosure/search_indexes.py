"""Database-specific indexes of the public result search (used by migration 0002 and by post_migrate).

PostgreSQL: pg_trgm GIN index on ``name_search`` — ``LIKE '%片段%'`` uses it for fragments of ≥ 3 characters
(the databases run with a UTF-8 ctype, so Chinese characters form trigrams).
SQLite: an external-content FTS5 table with the trigram tokenizer (SQLite ≥ 3.34), kept in step by triggers.
SQLite drops triggers when Django rebuilds the table for a later ALTER, so ``ensure_sqlite_search`` re-creates
them (and rebuilds the FTS table) after every migrate.
"""

from __future__ import annotations

from typing import Any

TABLE = "disclosure_publishedresult"
FTS_TABLE = "disclosure_result_fts"

PG_CREATE = [f"CREATE INDEX IF NOT EXISTS pubres_name_trgm ON {TABLE} USING gin (name_search gin_trgm_ops)"]
PG_DROP = ["DROP INDEX IF EXISTS pubres_name_trgm"]

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, name_search) VALUES (new.id, new.name_search); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_search) VALUES ('delete', old.id, old.name_search); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF name_search ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name_search) VALUES ('delete', old.id, old.name_search);
        INSERT INTO {FTS_TABLE}(rowid, name_search) VALUES (new.id, new.name_search); END""",
]
SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        name_search, content='{TABLE}', content_rowid='id', tokenize='trigram')""",
    *SQLITE_TRIGGERS,
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


def ensure_sqlite_search(connection: Any) -> None:
    """Re-create missing FTS5 table/triggers after a migrate (idempotent, cheap when all exist)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", [f"{FTS_TABLE}%"])
        present = {row[0] for row in cursor.fetchall()}
        if TABLE not in connection.introspection.table_names(cursor):
            return
        wanted = {FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"}
        if wanted <= present:
            return
        for statement in SQLITE_CREATE:
            cursor.execute(statement)
