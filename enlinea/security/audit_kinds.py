"""The kinds of audit event, registered by the apps that write them.

The audit log's ``kind`` column is plain text, so an app adds a kind without a
migration: ``KIND = audit_kind_register("beneficiary_created", "Beneficiario
registrado")`` at import, in the module that writes it (the app's ``ready()`` imports
that module so the back office knows every label). ``audit_record`` refuses a kind
nobody registered, so a typo fails loudly instead of writing a row nobody can filter.
"""

from __future__ import annotations

import re

_KIND = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
_LABELS: dict[str, str] = {}


def audit_kind_register(value: str, label: str) -> str:
    """Register ``value`` (lowercase, at most 30 characters) with its Spanish label."""
    if not _KIND.match(value):
        raise ValueError(f"Audit kinds are lowercase words of at most 30 characters: {value!r}")
    known = _LABELS.get(value)
    if known is not None and known != label:
        raise ValueError(f"Audit kind {value!r} is already registered as {known!r}")
    _LABELS[value] = label
    return value


def audit_kind_known(value: str) -> bool:
    return value in _LABELS


def audit_kind_label(value: str) -> str:
    """The kind's label; an unknown one (an old row of a removed kind) shows as stored."""
    return _LABELS.get(value, value)


def audit_kinds() -> list[tuple[str, str]]:
    """Every registered kind with its label, in the labels' order (the admin's filter)."""
    return sorted(_LABELS.items(), key=lambda item: item[1].lower())
