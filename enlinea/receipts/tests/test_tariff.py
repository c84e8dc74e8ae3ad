"""The tariff: the commission and its IVA, and posting them as their own movements."""

from __future__ import annotations

import pytest

from enlinea.tariff.models import Fee
from enlinea.tariff.services import Fees, fees_for

pytestmark = pytest.mark.django_db


def test_the_interbank_fee_is_the_manuals_036_plus_iva_005() -> None:
    assert fees_for("transfer_interbank") == Fees(commission=36, iva=5)  # the tariff's row
    Fee.objects.filter(operation="transfer_interbank").delete()  # and the code's default
    assert fees_for("transfer_interbank") == Fees(commission=36, iva=5)
    assert fees_for("transfer_interbank").total == 41


def test_the_institution_sets_the_fee_and_iva_rounds_half_up() -> None:
    Fee.objects.update_or_create(
        operation="bill_payment", defaults={"commission": 25, "iva_rate_bp": 1500}
    )
    assert fees_for("bill_payment") == Fees(commission=25, iva=4)  # 3.75 -> 4
    Fee.objects.update_or_create(
        operation="card_payment", defaults={"commission": 36, "iva_rate_bp": 1200}
    )
    assert fees_for("card_payment") == Fees(commission=36, iva=4)  # 4.32 -> 4
    Fee.objects.filter(operation="transfer_own").delete()
    assert fees_for("transfer_own") == Fees(commission=0, iva=0)  # the default


def test_an_unknown_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown tariff operation"):
        fees_for("nope")
