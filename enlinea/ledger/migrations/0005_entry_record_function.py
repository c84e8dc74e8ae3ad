"""PostgreSQL: ``ledger_entry_record``, a posted entry written in one statement.

``services.entry_record`` calls it on PostgreSQL for entries that are not pending, so a
transfer is one round trip (in autocommit it is its own transaction; inside a caller's
transaction, a savepoint). It does what the Python path does, in the same order:

1. insert the entry with ``ON CONFLICT (idempotency_key) DO NOTHING``; on a conflict it
   writes nothing and returns the existing entry's id and request digest (Python answers
   with that entry, or refuses other content under the same key);
2. lock the accounts in ascending id order (``WHERE id = ANY(…) ORDER BY id FOR UPDATE``);
3. refuse, for the first offending line in request order, a group account (SQLSTATE
   LDG03) or a deposit account whose balance would fall below its holds (LDG01, with the
   available balance and the amount needed as JSON in DETAIL); unknown accounts: LDG02;
4. insert the postings with running balances (per account, in request order) and update
   balances and posting counts in one UPDATE.

Python turns the LDG codes into the same Spanish ``LedgerError``s as its own path. The
guards of 0002 (deferred balance trigger, immutability) and the CHECK constraints stay
on and apply to these writes like to any other. SQLite has no such function and keeps
the Python path.
"""

from __future__ import annotations

from django.db import migrations

from enlinea.ledger.pgsql import PostgresRunSQL

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_entry_record(
    p_key varchar, p_digest varchar, p_kind varchar, p_description varchar,
    p_lines jsonb, p_metadata jsonb, p_reverses_id bigint, p_now timestamptz,
    OUT o_entry_id bigint, OUT o_replayed_digest varchar
) AS $$
DECLARE
    v_ids bigint[];
    v_amounts bigint[];
    v_accounts bigint[];
    v_after bigint[];
    v_locked integer;
    v_first integer;
    v_detail text;
    v_code varchar;
    v_group boolean;
    v_held bigint;
BEGIN
    INSERT INTO ledger_journalentry AS e (idempotency_key, request_digest, kind, description,
        status, lines, metadata, reverses_id, created_at, resolved_at)
    VALUES (p_key, p_digest, p_kind, p_description, 'posted', p_lines, p_metadata,
        p_reverses_id, p_now, p_now)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING e.id INTO o_entry_id;
    IF o_entry_id IS NULL THEN
        -- A replay (or a concurrent request with the key that committed first).
        SELECT e.id, e.request_digest INTO o_entry_id, o_replayed_digest
          FROM ledger_journalentry AS e WHERE e.idempotency_key = p_key;
        RETURN;
    END IF;

    SELECT array_agg((t.line ->> 0)::bigint ORDER BY t.n),
           array_agg((t.line ->> 1)::bigint ORDER BY t.n)
      INTO v_ids, v_amounts
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t(line, n);
    SELECT array_agg(DISTINCT x ORDER BY x) INTO v_accounts FROM unnest(v_ids) AS x;

    -- One global lock order (ascending id): concurrent entries never deadlock.
    SELECT count(*) INTO v_locked FROM (
        SELECT a.id FROM ledger_ledgeraccount AS a
         WHERE a.id = ANY(v_accounts) ORDER BY a.id FOR UPDATE
    ) AS locked;
    IF v_locked < cardinality(v_accounts) THEN
        SELECT json_agg(x ORDER BY x)::text INTO v_detail FROM unnest(v_accounts) AS x
         WHERE NOT EXISTS (SELECT 1 FROM ledger_ledgeraccount AS a WHERE a.id = x);
        RAISE EXCEPTION 'ledger: unknown accounts %', v_detail
            USING ERRCODE = 'LDG02', DETAIL = v_detail;
    END IF;

    -- Running balance after each line, per account in request order; the first line
    -- that posts to a group or takes a deposit account below its holds refuses all.
    WITH l AS (
        SELECT t.n, a.is_group, a.allow_negative, a.held,
               a.balance + sum(t.amount) OVER (PARTITION BY t.id ORDER BY t.n) AS bal_after
          FROM unnest(v_ids, v_amounts) WITH ORDINALITY AS t(id, amount, n)
          JOIN ledger_ledgeraccount AS a ON a.id = t.id
    )
    SELECT array_agg(l.bal_after ORDER BY l.n),
           min(l.n) FILTER (WHERE l.is_group OR (NOT l.allow_negative AND l.bal_after < l.held))
      INTO v_after, v_first FROM l;
    IF v_first IS NOT NULL THEN
        SELECT a.code, a.is_group, a.held INTO v_code, v_group, v_held
          FROM ledger_ledgeraccount AS a WHERE a.id = v_ids[v_first];
        IF v_group THEN
            RAISE EXCEPTION 'ledger: account % is a group', v_code
                USING ERRCODE = 'LDG03', DETAIL = v_code;
        END IF;
        v_detail := json_build_object(
            'available', v_after[v_first] - v_amounts[v_first] - v_held,
            'needed', -v_amounts[v_first])::text;
        RAISE EXCEPTION 'ledger: insufficient funds in account % %', v_code, v_detail
            USING ERRCODE = 'LDG01', DETAIL = v_detail;
    END IF;

    INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, created_at)
    SELECT o_entry_id, t.id, t.amount, t.bal_after, p_now
      FROM unnest(v_ids, v_amounts, v_after) WITH ORDINALITY AS t(id, amount, bal_after, n)
     ORDER BY t.n;

    UPDATE ledger_ledgeraccount AS a
       SET balance = a.balance + s.total, posting_count = a.posting_count + s.lines
      FROM (SELECT t.id, sum(t.amount) AS total, count(*) AS lines
              FROM unnest(v_ids, v_amounts) AS t(id, amount) GROUP BY t.id) AS s
     WHERE a.id = s.id;
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = """
DROP FUNCTION IF EXISTS ledger_entry_record(
    varchar, varchar, varchar, varchar, jsonb, jsonb, bigint, timestamptz);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_alter_posting_account")]
    operations = [PostgresRunSQL(FORWARD, REVERSE)]
