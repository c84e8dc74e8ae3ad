"""Migration operations for SQL that only PostgreSQL runs (SQLite keeps the Python paths)."""

from __future__ import annotations

from django.db import migrations


class PostgresRunSQL(migrations.RunSQL):
    """RunSQL applied only when the database is PostgreSQL (a no-op on SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
