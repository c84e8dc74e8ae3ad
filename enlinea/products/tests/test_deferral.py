"""Simulación de diferido in exact cents (manual, Diferir consumos)."""

from __future__ import annotations

import pytest

from enlinea.products.finance import DEFERRAL_MONTHS, deferral_simulation


def test_the_manuals_example_to_the_cent() -> None:
    """$ 68.53 over 3 months: Valor cuota mensual $ 23.42, Valor interés $ 0.87 (the
    first installment's interest, about 1.27 % a month: 15.20 % a year)."""
    plan = deferral_simulation(amount_cents=6853, months=3, annual_rate_bp=1520)
    assert plan.installment == 2342
    assert plan.first_interest == 87
    assert plan.total_interest == 174
    assert plan.installments == (2342, 2342, 2343)
    assert sum(plan.installments) == plan.total == 6853 + 174


@pytest.mark.parametrize("months", sorted(DEFERRAL_MONTHS))
@pytest.mark.parametrize("amount", [1, 99, 6853, 123_456, 5_000_000])
@pytest.mark.parametrize("rate", [0, 1520, 2500, 9999])
def test_installments_repay_the_amount_and_the_interest_exactly(months, amount, rate) -> None:
    plan = deferral_simulation(amount_cents=amount, months=months, annual_rate_bp=rate)
    assert len(plan.installments) == months
    assert sum(plan.installments) == amount + plan.total_interest
    assert all(payment >= 0 for payment in plan.installments)
    assert plan.total_interest >= plan.first_interest >= 0
    if rate == 0:
        assert plan.total_interest == 0


def test_terms_and_amounts_outside_the_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="months must be one of"):
        deferral_simulation(amount_cents=6853, months=4, annual_rate_bp=1520)
    with pytest.raises(ValueError, match="amount_cents"):
        deferral_simulation(amount_cents=0, months=3, annual_rate_bp=1520)
