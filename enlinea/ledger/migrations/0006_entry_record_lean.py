"""PostgreSQL: ``ledger_entry_record`` with generic plans and four statements.

Replaces the function of 0005 with one that does the same, in the same order, with
less work per call (docs/performance.md, "2026-11-29, later"):

- **Generic plans** (``SET plan_cache_mode = force_generic_plan``). PL/pgSQL caches a
  plan per statement, but under the default ``auto`` mode a statement whose parameters
  are arrays kept being planned afresh on every call, because a custom plan's estimate
  never looked worse than the generic one. Planning was a third of the backend's CPU
  per transfer. Every statement here looks rows up by primary or unique key, so the
  generic plan is the plan any call would get.
- **Four statements instead of seven.** Python passes the lines as two arrays
  (``p_ids``, ``p_amounts``, in request order) besides the JSON stored on the entry,
  so nothing is parsed back out of JSON; the accounts are locked and read by one
  query in ascending id order; running balances and the refusals are computed line by
  line in PL/pgSQL (a transfer has 2–4 lines); postings are inserted and balances
  updated by one statement each.

Behaviour is unchanged: the insert with ``ON CONFLICT (idempotency_key) DO NOTHING``
(a replay returns the existing id and digest and writes nothing), the lock order, the
refusals with their SQLSTATEs (LDG02 unknown accounts first, then in request order the
first line that posts to a group, LDG03, or takes a deposit account below its holds,
LDG01 with the available balance and the amount needed as JSON in DETAIL), the running
balance of each posting. The guards of 0002 apply to these writes as to any other.
"""

from __future__ import annotations

import importlib

from django.db import migrations

from enlinea.ledger.pgsql import PostgresRunSQL

FORWARD = """
DROP FUNCTION IF EXISTS ledger_entry_record(
    varchar, varchar, varchar, varchar, jsonb, jsonb, bigint, timestamptz);

CREATE FUNCTION ledger_entry_record(
    p_key varchar, p_digest varchar, p_kind varchar, p_description varchar,
    p_lines jsonb, p_metadata jsonb, p_reverses_id bigint, p_now timestamptz,
    p_ids bigint[], p_amounts bigint[],
    OUT o_entry_id bigint, OUT o_replayed_digest varchar
) AS $$
DECLARE
    n integer := cardinality(p_ids);
    r record;
    v_ids bigint[] := '{}';       -- the entry's accounts in ascending id (lock) order
    v_balance bigint[] := '{}';   -- their balances, moved line by line
    v_held bigint[] := '{}';
    v_floor boolean[] := '{}';    -- deposit accounts: may not fall below their holds
    v_group boolean[] := '{}';
    v_lines integer[];            -- postings per account
    v_after bigint[] := '{}';     -- running balance after each line, in request order
    v_missing bigint[] := '{}';
    v_code varchar;
    v_detail text;
    j integer;
BEGIN
    IF n IS NULL OR n < 2 OR n <> cardinality(p_amounts) THEN
        RAISE EXCEPTION 'ledger: an entry needs matching arrays of at least two lines'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

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

    -- One global lock order (ascending id): concurrent entries never deadlock.
    FOR r IN SELECT a.id, a.balance, a.held, a.allow_negative, a.is_group
               FROM ledger_ledgeraccount AS a
              WHERE a.id = ANY(p_ids) ORDER BY a.id FOR UPDATE LOOP
        v_ids := v_ids || r.id;
        v_balance := v_balance || r.balance;
        v_held := v_held || r.held;
        v_floor := v_floor || NOT r.allow_negative;
        v_group := v_group || r.is_group;
    END LOOP;
    v_lines := array_fill(0, ARRAY[cardinality(v_ids)]);

    FOR i IN 1..n LOOP
        IF array_position(v_ids, p_ids[i]) IS NULL
           AND array_position(v_missing, p_ids[i]) IS NULL THEN
            v_missing := v_missing || p_ids[i];
        END IF;
    END LOOP;
    IF cardinality(v_missing) > 0 THEN
        v_detail := (SELECT json_agg(x ORDER BY x)::text FROM unnest(v_missing) AS x);
        RAISE EXCEPTION 'ledger: unknown accounts %', v_detail
            USING ERRCODE = 'LDG02', DETAIL = v_detail;
    END IF;

    -- Running balance after each line, per account in request order; the first line
    -- that posts to a group or takes a deposit account below its holds refuses all.
    FOR i IN 1..n LOOP
        j := array_position(v_ids, p_ids[i]);
        v_balance[j] := v_balance[j] + p_amounts[i];
        v_after[i] := v_balance[j];
        v_lines[j] := v_lines[j] + 1;
        IF v_group[j] OR (v_floor[j] AND v_balance[j] < v_held[j]) THEN
            SELECT a.code INTO v_code FROM ledger_ledgeraccount AS a WHERE a.id = p_ids[i];
            IF v_group[j] THEN
                RAISE EXCEPTION 'ledger: account % is a group', v_code
                    USING ERRCODE = 'LDG03', DETAIL = v_code;
            END IF;
            v_detail := json_build_object('available', v_balance[j] - p_amounts[i] - v_held[j],
                                          'needed', -p_amounts[i])::text;
            RAISE EXCEPTION 'ledger: insufficient funds in account % %', v_code, v_detail
                USING ERRCODE = 'LDG01', DETAIL = v_detail;
        END IF;
    END LOOP;

    INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, created_at)
    SELECT o_entry_id, t.id, t.amount, t.bal_after, p_now
      FROM unnest(p_ids, p_amounts, v_after) WITH ORDINALITY AS t(id, amount, bal_after, n)
     ORDER BY t.n;

    UPDATE ledger_ledgeraccount AS a
       SET balance = t.balance, posting_count = a.posting_count + t.lines
      FROM unnest(v_ids, v_balance, v_lines) AS t(id, balance, lines)
     WHERE a.id = t.id;
END;
$$ LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan;
"""


def _reverse() -> str:
    previous = importlib.import_module("enlinea.ledger.migrations.0005_entry_record_function")
    return (
        "DROP FUNCTION IF EXISTS ledger_entry_record(varchar, varchar, varchar, varchar,"
        " jsonb, jsonb, bigint, timestamptz, bigint[], bigint[]);\n" + previous.FORWARD
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_entry_record_function")]
    operations = [PostgresRunSQL(FORWARD, _reverse())]
