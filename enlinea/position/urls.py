"""Posición consolidada: Mis productos, Cuentas and movements, Créditos, Inversiones, Tarjetas."""

from __future__ import annotations

from django.urls import path

app_name = "position"

# -- Mis productos, Cuentas, Consulta de movimientos (views/accounts.py)
from enlinea.position.views import accounts as _accounts  # noqa: E402
from enlinea.receipts import views as _receipts  # noqa: E402

accounts_patterns: list = [
    path("cuentas/", _accounts.account_list, name="accounts"),
    path(
        "cuentas/<str:number>/movimientos/",
        _accounts.account_movements,
        name="account_movements",
    ),
    path(
        "cuentas/<str:number>/movimientos/<int:posting_id>/comprobante/",
        _receipts.movement_receipt,
        name="movement_receipt",
    ),
]

# -- Créditos, Inversiones, Tarjetas (views/loans.py, views/investments.py, views/cards.py)
from enlinea.position.views import cards as _cards  # noqa: E402
from enlinea.position.views import investments as _investments  # noqa: E402
from enlinea.position.views import loans as _loans  # noqa: E402

products_patterns: list = [
    path("creditos/", _loans.loan_list, name="loans"),
    path("creditos/<str:number>/", _loans.loan_detail, name="loan_detail"),
    path("creditos/<str:number>/amortizacion/", _loans.loan_schedule, name="loan_schedule"),
    path("inversiones/", _investments.investment_list, name="investments"),
    path("inversiones/<str:number>/", _investments.investment_detail, name="investment_detail"),
    path("tarjetas-debito/", _cards.debit_card_list, name="debit_cards"),
    path("tarjetas-credito/", _cards.credit_card_list, name="credit_cards"),
    path("tarjetas-credito/<str:reference>/", _cards.credit_card_list, name="credit_card_detail"),
]

urlpatterns = [*accounts_patterns, *products_patterns]
