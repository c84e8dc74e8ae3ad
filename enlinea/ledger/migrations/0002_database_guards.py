"""Database-level guards, so that no code path (raw SQL included) can unbalance the books.

PostgreSQL: a deferred constraint trigger checks at COMMIT that every entry with
postings sums to zero, has at least two postings and is posted; postings refuse
UPDATE and DELETE; journal entries refuse DELETE and any change once resolved.
SQLite: postings and resolved entries refuse UPDATE (its DELETE is used by test
flushes, and it has no deferred triggers).
"""

from __future__ import annotations

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger AS $$
DECLARE
    total bigint;
    n integer;
    st varchar;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, n
      FROM ledger_posting WHERE entry_id = NEW.entry_id;
    IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'ledger: entry % is unbalanced (sum %, % postings)', NEW.entry_id, total, n
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT status INTO st FROM ledger_journalentry WHERE id = NEW.entry_id;
    IF st IS DISTINCT FROM 'posted' THEN
        RAISE EXCEPTION 'ledger: entry % has postings but is %', NEW.entry_id, st
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_posting_balanced
    AFTER INSERT ON ledger_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();

CREATE OR REPLACE FUNCTION ledger_posting_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger: postings are immutable; correct with a reversal entry'
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_posting_immutable
    BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_posting_immutable();

CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ledger: journal entries cannot be deleted' USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'ledger: entry % is % and cannot change', OLD.id, OLD.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.lines IS DISTINCT FROM OLD.lines OR NEW.idempotency_key <> OLD.idempotency_key
       OR NEW.request_digest <> OLD.request_digest THEN
        RAISE EXCEPTION 'ledger: entry % lines are immutable', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_guard
    BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS ledger_entry_guard ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_entry_guard();
DROP TRIGGER IF EXISTS ledger_posting_immutable ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_posting_immutable();
DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_entry_balanced();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER ledger_posting_immutable BEFORE UPDATE ON ledger_posting
       BEGIN SELECT RAISE(ABORT, 'ledger: postings are immutable; correct with a reversal entry'); END""",
    """CREATE TRIGGER ledger_entry_resolved_immutable BEFORE UPDATE OF status, lines, idempotency_key
       ON ledger_journalentry WHEN OLD.status <> 'pending'
       BEGIN SELECT RAISE(ABORT, 'ledger: a resolved entry cannot change'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_posting_immutable",
    "DROP TRIGGER IF EXISTS ledger_entry_resolved_immutable",
]


def forward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
