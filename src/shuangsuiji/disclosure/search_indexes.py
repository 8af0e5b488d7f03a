"""Database-specific indexes of the public result search (used by migration 0002 and by post_migrate).

PostgreSQL: pg_trgm GIN index on ``name_search`` (``LIKE '%片段%'`` for fragments of ≥ 3 characters; the
databases run with a UTF-8 ctype, so Chinese characters form trigrams) and a GIN index on the array of name
bigrams for 2-character fragments.
SQLite: two external-content FTS5 tables kept in step by triggers — trigram tokenizer over ``name_search``
(SQLite ≥ 3.34) and unicode61 over ``name_bigrams``. SQLite drops triggers when Django rebuilds the table for
a later ALTER, so ``ensure_sqlite_search`` re-creates them (and rebuilds the FTS tables) after every migrate.
"""

from __future__ import annotations

from typing import Any

TABLE = "disclosure_publishedresult"
FTS_TABLE = "disclosure_result_fts"
BIGRAM_TABLE = "disclosure_result_bigram"
BIGRAM_ARRAY = "string_to_array(name_bigrams, ' ')"

PG_CREATE = [
    f"CREATE INDEX IF NOT EXISTS pubres_name_trgm ON {TABLE} USING gin (name_search gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS pubres_name_bigram ON {TABLE} USING gin (({BIGRAM_ARRAY}))",
]
PG_DROP = ["DROP INDEX IF EXISTS pubres_name_trgm", "DROP INDEX IF EXISTS pubres_name_bigram"]


def _sqlite_fts(table: str, column: str, tokenize: str) -> list[str]:
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(
            {column}, content='{TABLE}', content_rowid='id', tokenize='{tokenize}')""",  # nosec B608
        f"""CREATE TRIGGER IF NOT EXISTS {table}_ai AFTER INSERT ON {TABLE} BEGIN
            INSERT INTO {table}(rowid, {column}) VALUES (new.id, new.{column}); END""",  # nosec B608
        f"""CREATE TRIGGER IF NOT EXISTS {table}_ad AFTER DELETE ON {TABLE} BEGIN
            INSERT INTO {table}({table}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END""",  # nosec B608
        f"""CREATE TRIGGER IF NOT EXISTS {table}_au AFTER UPDATE OF {column} ON {TABLE} BEGIN
            INSERT INTO {table}({table}, rowid, {column}) VALUES ('delete', old.id, old.{column});
            INSERT INTO {table}(rowid, {column}) VALUES (new.id, new.{column}); END""",  # nosec B608
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",  # nosec B608
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [*(f"DROP TRIGGER IF EXISTS {table}_{suffix}" for suffix in ("ai", "ad", "au")),
            f"DROP TABLE IF EXISTS {table}"]


SQLITE_CREATE = [*_sqlite_fts(FTS_TABLE, "name_search", "trigram"),
                 *_sqlite_fts(BIGRAM_TABLE, "name_bigrams", "unicode61")]
SQLITE_DROP = [*_sqlite_drop(FTS_TABLE), *_sqlite_drop(BIGRAM_TABLE)]
SQLITE_OBJECTS = {f"{t}{s}" for t in (FTS_TABLE, BIGRAM_TABLE) for s in ("", "_ai", "_ad", "_au")}


def ensure_sqlite_search(connection: Any) -> None:
    """Re-create missing FTS5 tables/triggers after a migrate (idempotent, cheap when all exist)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", ["disclosure_result_%"])
        present = {row[0] for row in cursor.fetchall()}
        if SQLITE_OBJECTS <= present:
            return
        for statement in SQLITE_CREATE:
            cursor.execute(statement)
