"""Parallel "Validar" of one transfer on PostgreSQL: one transfer, one receipt.

Real threads, each with its own database connection and its own HTTP client on the same
browser session (a double click, two tabs posting the same code): the flow executes the
operation once and the others find it DONE; the money moves once.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from enlinea.access.tests.profile_support import enrolled_member, logged_in
from enlinea.confirmation.models import PendingOperation
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.notifications.models import Channel, MailboxItem
from enlinea.products.models import AccountKind
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sms_code(member) -> str:
    """In autocommit the code is delivered at once: read it from the simulator's SMS."""
    item = MailboxItem.objects.filter(channel=Channel.SMS, recipient=member.mobile_phone).first()
    assert item is not None, "no SMS reached the simulator"
    return re.search(r"\b(\d{6})\b", item.body).group(1)


@pytest.mark.parametrize("parallel", [2, 5])
def test_parallel_codes_for_one_transfer_move_the_money_once(parallel) -> None:
    chart_ensure()
    socio = enrolled_member("andreslopez")
    savings = account_open(member=socio, idempotency_key="pc-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="pc-fund")
    checking = account_open(member=socio, idempotency_key="pc-chk", kind=AccountKind.CHECKING)
    first = logged_in(socio)
    started = first.post(
        reverse("transfers:own"),
        {"source": savings.number, "destination": checking.number, "amount": "25"},
    )
    assert started.status_code == 302
    operation = PendingOperation.objects.get(member=socio)
    assert first.post(started["Location"]).status_code == 302  # Confirmar: the code goes
    code = _sms_code(socio)
    url = reverse("confirmation:code", kwargs={"token": operation.token})
    clients = [first]
    for _ in range(parallel - 1):
        clone = Client()
        clone.cookies = first.cookies
        clients.append(clone)
    barrier = threading.Barrier(parallel)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(url, {"code": code})
            outcome = (response.status_code, response.get("Location", ""))
        finally:
            connection.close()
        with lock:
            answers.append(outcome)

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    result_url = reverse("confirmation:result", kwargs={"token": operation.token})
    assert answers == [(302, result_url)] * parallel
    operation.refresh_from_db()
    assert operation.status == PendingOperation.Status.DONE
    assert Receipt.objects.filter(member=socio, kind="transfer_own").count() == 1
    assert LedgerAccount.objects.get(pk=checking.ledger_account_id).balance == 2_500
    assert LedgerAccount.objects.get(pk=savings.ledger_account_id).balance == 100_000 - 2_500


def _newest_sms_code(member) -> str:
    """The newest code texted to the member (the simulator's SMS; the outbox forgets it)."""
    item = (
        MailboxItem.objects.filter(channel=Channel.SMS, recipient=member.mobile_phone)
        .order_by("-id")
        .first()
    )
    assert item is not None, "no SMS reached the simulator"
    return re.search(r"\b(\d{6})\b", item.body).group(1)


@pytest.mark.parametrize("binding", ["cupo", "balance"])
def test_eight_concurrent_transfers_over_http_never_pass_the_cupo_or_the_balance(
    binding, settings
) -> None:
    """Eight different transfers of one member confirmed at the same moment over HTTP:
    exactly as many as the cupo (or the balance) allows go through, the others end on
    the flow's FAILED page with the reason, and the ledger stays whole."""
    from enlinea.beneficiaries.models import BeneficiaryKind
    from enlinea.beneficiaries.services import beneficiary_create
    from enlinea.ledger.verify import ledger_verify
    from enlinea.limits.models import Scope
    from enlinea.limits.services import limits_set
    from tests.support.threads import at_once

    settings.RATELIMIT_ENABLE = False  # eight codes in a row for one member, on purpose
    chart_ensure()
    socio = enrolled_member("andreslopez")
    maria = enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez")
    savings = account_open(member=socio, idempotency_key="c8-sav")
    funds = 100_000 if binding == "balance" else 1_000_000  # $ 1,000 or $ 10,000
    cash_deposit(account=savings, amount=funds, idempotency_key="c8-fund")
    if binding == "cupo":
        limits_set(
            member=socio, scope=Scope.INTERNAL, daily=100_000, weekly=200_000, monthly=400_000
        )
    destination = account_open(member=maria, idempotency_key="c8-maria")
    saved = beneficiary_create(
        member=socio, kind=BeneficiaryKind.INTERNAL, account_number=destination.number
    )
    client = logged_in(socio)
    operations = []
    for _ in range(8):  # $ 300 each: 3 fit in $ 1,000 (cupo or balance), 8 do not
        started = client.post(
            reverse("transfers:internal"),
            {"source": savings.number, "beneficiary": saved.pk, "amount": "300"},
        )
        assert started.status_code == 302
        operation = PendingOperation.objects.filter(member=socio).order_by("-id").first()
        assert client.post(started["Location"]).status_code == 302  # Confirmar: the code goes
        operation.refresh_from_db()
        operations.append((operation, _newest_sms_code(socio)))

    def confirm(operation: PendingOperation, code: str):
        def call() -> int:
            tab = Client()
            tab.cookies = client.cookies
            url = reverse("confirmation:code", kwargs={"token": operation.token})
            return tab.post(url, {"code": code}).status_code

        return call

    answers, errors = at_once([confirm(op, code) for op, code in operations])
    assert errors == []
    assert answers == [302] * 8
    statuses = sorted(PendingOperation.objects.get(pk=op.pk).status for op, _ in operations)
    assert statuses.count(PendingOperation.Status.DONE) == 3
    assert statuses.count(PendingOperation.Status.FAILED) == 5
    assert Receipt.objects.filter(member=socio, kind="transfer_internal").count() == 3
    assert LedgerAccount.objects.get(pk=destination.ledger_account_id).balance == 90_000
    assert LedgerAccount.objects.get(pk=savings.ledger_account_id).balance == funds - 90_000
    failed = PendingOperation.objects.filter(
        member=socio, status=PendingOperation.Status.FAILED
    ).first()
    reason = str(failed.result)
    assert ("cupo diario" in reason) if binding == "cupo" else ("saldo" in reason.lower())
    assert ledger_verify().ok
