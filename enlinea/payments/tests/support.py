"""Billers for tests: the shipped catalogue's, or one made here (transactional tests
flush the migration's rows)."""

from __future__ import annotations

from typing import Any

from enlinea.payments.models import Biller, BillerCategory


def biller_make(code: str = "test-luz", **fields: Any) -> Biller:
    category, _ = BillerCategory.objects.get_or_create(
        name=fields.pop("category", "Luz"), defaults={"sort_order": 10}
    )
    defaults: dict[str, Any] = {
        "name": f"EMPRESA {code.upper()}",
        "category": category,
        "reference_label": "CODIGO UNICO ELECTRICO NACIONAL",
        "reference_kind": "cuen",
        "reference_min_length": 10,
        "reference_max_length": 10,
        "reference_example": "1000234567",
        **fields,
    }
    biller, _ = Biller.objects.get_or_create(code=code, defaults=defaults)
    return biller


def topup_make(code: str = "test-recarga", amounts: tuple[int, ...] = (100, 500, 1_000)) -> Biller:
    return biller_make(
        code,
        category="Recargas",
        reference_label="NUMERO CELULAR",
        reference_kind="mobile",
        reference_example="0991234567",
        is_topup=True,
        topup_amounts=list(amounts),
    )
