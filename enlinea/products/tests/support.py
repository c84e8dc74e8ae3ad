"""Helpers for the back-office tests: admin URLs and what a browser would send."""

from __future__ import annotations

from django.urls import reverse

from enlinea.products.models import DepositAccount

STAFF_PASSWORD = "Progreso#2026-staff"


def url(name: str, *args: object) -> str:
    return reverse(f"admin:products_{name}", args=args)


def fresh_key(client, view_url: str) -> str:
    """The idempotency key the form carries, as a browser would get it."""
    page = client.get(view_url)
    assert page.status_code == 200
    return str(page.context["form"]["idempotency_key"].value())


def balance(account: DepositAccount) -> int:
    account.ledger_account.refresh_from_db()
    return account.ledger_account.balance


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def run_action(client, model: str, action: str, *objs) -> object:
    """Post an admin action on the changelist, as the action drop-down does."""
    return client.post(
        url(f"{model}_changelist"),
        {"action": action, "_selected_action": [o.pk for o in objs], "index": 0},
        follow=True,
    )
