"""Name-fragment search indexes: pg_trgm GIN on PostgreSQL, FTS5 trigram on SQLite (see search_indexes)."""

from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from shuangsuiji.disclosure import search_indexes


class VendorSQL(migrations.operations.base.Operation):
    """Runs SQL statements only on one database vendor; a no-op elsewhere."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, vendor: str, forwards: list[str], backwards: list[str]) -> None:
        self.vendor = vendor
        self.forwards = forwards
        self.backwards = backwards

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _run(self, schema_editor: Any, statements: list[str]) -> None:
        if schema_editor.connection.vendor != self.vendor:
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(schema_editor, self.forwards)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(schema_editor, self.backwards)

    def describe(self) -> str:
        return f"{self.vendor}-only search index SQL"


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [
        TrigramExtension(),  # CreateExtension is itself a no-op on other vendors
        VendorSQL("postgresql", search_indexes.PG_CREATE, search_indexes.PG_DROP),
        VendorSQL("sqlite", search_indexes.SQLITE_CREATE, search_indexes.SQLITE_DROP),
    ]
