"""Whole-database check of the ledger's invariants, in SQL that both engines run."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

# Each check: (name, SQL returning offending rows as (id, detail...), limited).
CHECKS: tuple[tuple[str, str], ...] = (
    (
        "posted entries balance to zero with at least two postings",
        """SELECT e.id, coalesce(sum(p.amount), 0), count(p.id)
             FROM ledger_journalentry e LEFT JOIN ledger_posting p ON p.entry_id = e.id
            WHERE e.status = 'posted'
            GROUP BY e.id HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.id) < 2""",
    ),
    (
        "pending and voided entries have no postings",
        """SELECT e.id, e.status, count(p.id) FROM ledger_journalentry e
             JOIN ledger_posting p ON p.entry_id = e.id
            WHERE e.status <> 'posted' GROUP BY e.id, e.status""",
    ),
    (
        "account balances equal the sum of their postings",
        """SELECT a.id, a.balance, coalesce(t.total, 0), a.posting_count, coalesce(t.n, 0)
             FROM ledger_ledgeraccount a
             LEFT JOIN (SELECT account_id, sum(amount) AS total, count(*) AS n
                          FROM ledger_posting GROUP BY account_id) t ON t.account_id = a.id
            WHERE a.balance <> coalesce(t.total, 0) OR a.posting_count <> coalesce(t.n, 0)""",
    ),
    (
        "running balances are consistent",
        """SELECT id, account_id, balance_after, running FROM (
               SELECT id, account_id, balance_after,
                      sum(amount) OVER (PARTITION BY account_id ORDER BY id
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
                 FROM ledger_posting) t
            WHERE running <> balance_after""",
    ),
    (
        "held amounts equal the active holds",
        """SELECT a.id, a.held, coalesce(h.total, 0) FROM ledger_ledgeraccount a
             LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_hold
                         WHERE status = 'active' GROUP BY account_id) h ON h.account_id = a.id
            WHERE a.held <> coalesce(h.total, 0)""",
    ),
    (
        "holds do not exceed the balance; deposit accounts never negative",
        """SELECT id, balance, held FROM ledger_ledgeraccount
            WHERE NOT allow_negative AND (balance < 0 OR held > balance)""",
    ),
    (
        "group accounts carry no postings",
        """SELECT a.id, count(p.id) FROM ledger_ledgeraccount a
             JOIN ledger_posting p ON p.account_id = a.id WHERE a.is_group GROUP BY a.id""",
    ),
    (
        "idempotency keys are unique",
        """SELECT idempotency_key, count(*) FROM ledger_journalentry
            GROUP BY idempotency_key HAVING count(*) > 1""",
    ),
    (
        "all balances together sum to zero",
        """SELECT 0, total FROM (SELECT coalesce(sum(balance), 0) AS total FROM ledger_ledgeraccount) t
            WHERE total <> 0""",
    ),
)


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, list[tuple]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify(*, limit: int = 20) -> Report:
    """Run every check; offending rows (up to ``limit`` per check) are reported."""
    report = Report()
    with connection.cursor() as cursor:
        for table in (
            "ledger_ledgeraccount",
            "ledger_journalentry",
            "ledger_posting",
            "ledger_hold",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            report.counts[table] = cursor.fetchone()[0]
        for name, sql in CHECKS:
            cursor.execute(f"{sql} LIMIT {int(limit)}")
            rows = cursor.fetchall()
            if rows:
                report.problems.append((name, rows))
    return report
