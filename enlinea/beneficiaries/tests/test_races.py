"""Two parallel saves of one destination (PostgreSQL, real threads): one row."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from enlinea.beneficiaries.models import AccountType, Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.services import (
    MSG_DUPLICATE_ACCOUNT,
    beneficiary_create,
    beneficiary_ensure,
)
from enlinea.institutions.models import Institution, InstitutionKind
from enlinea.members.tests.support import make_cedula

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PATIENCE_SECONDS = 120  # a hang, not a timing assert


def _at_once(calls: list) -> tuple[list[object], list[BaseException]]:
    start = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            start.wait(timeout=30)
            results.append(call())
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_SECONDS)
        assert not thread.is_alive(), "a save hung"
    return results, errors


@pytest.mark.parametrize("kind", [BeneficiaryKind.INTERNAL, BeneficiaryKind.EXTERNAL])
def test_two_parallel_saves_of_one_destination_keep_one_row(
    socio, other_account, kind, monkeypatch
) -> None:
    # A transactional test may start after another emptied the tables (catalogue too).
    bank, _ = Institution.objects.get_or_create(
        name="BANCO PICHINCHA", defaults={"kind": InstitutionKind.BANK}
    )
    cedula = make_cedula()
    # Both saves wait here, each past the service's own check for a twin and before its
    # INSERT: neither sees the other's row, so only the unique index can decide.
    both_checked = threading.Barrier(2)
    real_save = Beneficiary.save

    def save_after_both_checked(self, *args, **kwargs):
        both_checked.wait(timeout=30)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Beneficiary, "save", save_after_both_checked)

    def save() -> Beneficiary:
        with transaction.atomic():  # as inside the confirmation flow's transaction
            if kind == BeneficiaryKind.INTERNAL:
                return beneficiary_create(
                    member=socio, kind=kind, account_number=other_account.number
                )
            return beneficiary_create(
                member=socio,
                kind=kind,
                institution_id=bank.pk,
                account_type=AccountType.SAVINGS,
                account_number="2200123456",
                name="Xavier Gonzalez",
                identification_type="CEDULA",
                identification=cedula,
            )

    results, errors = _at_once([save, save])
    assert len(results) == 1, errors
    assert len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == {"account_number": [MSG_DUPLICATE_ACCOUNT]}
    assert Beneficiary.objects.filter(member=socio, kind=kind).count() == 1


def test_two_parallel_ensures_of_one_destination_both_get_the_one_row(
    socio, other_account, monkeypatch
) -> None:
    """ "Guardar beneficiario" beside two transfers at once: neither is refused, both
    get the row the first one saved (the second finds it after the unique index
    refused its INSERT)."""
    both_checked = threading.Barrier(2)
    real_save = Beneficiary.save

    def save_after_both_checked(self, *args, **kwargs):
        both_checked.wait(timeout=30)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Beneficiary, "save", save_after_both_checked)

    def ensure() -> tuple[int, bool]:
        with transaction.atomic():
            beneficiary, created = beneficiary_ensure(
                member=socio, kind=BeneficiaryKind.INTERNAL, account_number=other_account.number
            )
            return beneficiary.pk, created

    results, errors = _at_once([ensure, ensure])
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({pk for pk, _ in results}) == 1
    assert Beneficiary.objects.filter(member=socio).count() == 1
