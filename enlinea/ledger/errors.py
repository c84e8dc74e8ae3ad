"""Ledger refusals. Each carries a Spanish message a member or teller can read."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class: the operation was refused and nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnbalancedEntry(LedgerError):
    pass


class InsufficientFunds(LedgerError):
    pass


class IdempotencyConflict(LedgerError):
    pass


class EntryAlreadyResolved(LedgerError):
    pass


class UnknownAccount(LedgerError):
    pass
