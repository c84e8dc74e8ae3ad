"""The documents themselves, written to any binary file object: plain functions the views
serve and the bench calls directly (no request, no response).

- ``movements_pdf`` / ``movements_xlsx``: Descargar movimientos of ``[since, until]``
  (local days, both included), ``direction`` ``todos`` / ``debitos`` / ``creditos``.
- ``loan_schedule_pdf`` / ``loan_schedule_xlsx``: the amortization table on screen.
- ``statement_pdf``: the Estado de cuenta of one local month.
- ``certificate_pdf``: the Certificado bancario, with its verification code.

Rows come from keyset-paged selectors (``products.selectors.statements``) and are drawn
or written as they arrive, never gathered into a list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from enlinea.money import format_cents
from enlinea.products.models import DepositAccount
from enlinea.products.selectors import statements
from enlinea.products.selectors.accounts import ALL, CREDITS, DEBITS, Movement
from enlinea.products.selectors.loans import loan_installments
from enlinea.web.templatetags.formato import MONTH_NAMES

from .pdf import Column, Document, issued_line
from .xlsx import table_xlsx

LEGEND = ("(N/C) = Nota de crédito", "(N/D) = Nota de débito")
DIRECTIONS = {ALL: "Todos", DEBITS: "Débitos", CREDITS: "Créditos"}
MOVEMENT_COLUMNS = (
    Column("REFERENCIA", 1.3),
    Column("FECHA", 1.1),
    Column("TIPO", 0.6),
    Column("CONCEPTO", 3.6),
    Column("DÉBITOS", 1.2, "right"),
    Column("CRÉDITOS", 1.2, "right"),
    Column("SALDO", 1.4, "right"),
)


def long_date(day: dt.date) -> str:
    """``julio 01, 2025``, as the manual's Estado de cuenta writes its dates."""
    return f"{MONTH_NAMES[day.month - 1]} {day:%d}, {day.year}"


def _spoken_date(day: dt.date) -> str:
    """``02 de diciembre de 2026``, for a sentence."""
    return f"{day:%d} de {MONTH_NAMES[day.month - 1]} de {day.year}"


def _amount(cents: int) -> str:
    """A debit or credit cell: empty on the side the movement is not."""
    return format_cents(cents) if cents else ""


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _full_name(account: DepositAccount) -> str:
    return f"{account.member.first_names} {account.member.last_names}".upper()


# -- Descargar movimientos -------------------------------------------------------------
def _movement_cells(m: Movement, *, money: bool) -> list[object]:
    debit, credit = (-m.amount, 0) if m.amount < 0 else (0, m.amount)
    values: list[object] = [
        str(m.receipt_number or m.reference),
        f"{timezone.localtime(m.created_at):%d/%m/%Y}",
        "N/D" if m.amount < 0 else "N/C",
        m.concept,
    ]
    if money:
        return [*values, debit, credit, m.balance]
    return [*values, _amount(debit), _amount(credit), format_cents(m.balance)]


def _period_lines(
    account: DepositAccount, since: dt.date, until: dt.date, direction: str
) -> list[str]:
    return [
        f"Socio: {_full_name(account)}",
        f"Cuenta: {account.get_kind_display()} {account.number}",
        f"Fecha desde: {since:%d/%m/%Y}   Fecha hasta: {until:%d/%m/%Y}",
        f"Tipo movimiento: {DIRECTIONS[direction]}",
    ]


def _movements(
    account: DepositAccount, since: dt.date, until: dt.date, direction: str
) -> Iterator[Movement]:
    return statements.movements_all(
        account=account,
        since=_local_start(since),
        until=_local_start(until + dt.timedelta(days=1)),
        direction=direction,
    )


def movements_pdf(
    account: DepositAccount, since: dt.date, until: dt.date, direction: str, out: IO[bytes]
) -> int:
    """Descargar movimientos as PDF, newest first; returns the number of rows drawn."""
    doc = Document(out, title="MOVIMIENTOS", footer=issued_line())
    for line in _period_lines(account, since, until, direction):
        doc.text(line)
    doc.space(6)
    count = doc.table(
        MOVEMENT_COLUMNS,
        (_movement_cells(m, money=False) for m in _movements(account, since, until, direction)),
    )
    if not count:
        doc.text("SU CUENTA NO TIENE MOVIMIENTOS.", bold=True)
    doc.space(6)
    for line in LEGEND:
        doc.text(line, size=8.5)
    doc.close()
    return count


def movements_xlsx(
    account: DepositAccount, since: dt.date, until: dt.date, direction: str, out: IO[bytes]
) -> int:
    """Descargar movimientos as Excel (money as numbers); returns the rows written."""
    return table_xlsx(
        out,
        sheet="Movimientos",
        title="MOVIMIENTOS",
        header_lines=_period_lines(account, since, until, direction),
        columns=[
            ("REFERENCIA", 14, "text"),
            ("FECHA", 12, "text"),
            ("TIPO", 6, "text"),
            ("CONCEPTO", 44, "text"),
            ("DÉBITOS", 14, "money"),
            ("CRÉDITOS", 14, "money"),
            ("SALDO", 16, "money"),
        ],
        rows=(_movement_cells(m, money=True) for m in _movements(account, since, until, direction)),
        footer_lines=LEGEND,
    )


# -- Tabla de amortización --------------------------------------------------------------
def _schedule_rows(loan: Any, *, money: bool) -> Iterator[list[object]]:
    for row in loan_installments(loan=loan):
        state = f"Pagada {timezone.localtime(row.paid_at):%d/%m/%Y}" if row.paid_at else "Pendiente"
        amounts = [row.principal, row.interest, row.payment, row.balance_after]
        yield [
            row.number if money else str(row.number),
            f"{row.due_date:%d/%m/%Y}",
            *(amounts if money else [format_cents(a) for a in amounts]),
            state,
        ]


def _loan_lines(loan: Any) -> list[str]:
    return [
        f"Crédito: {loan.product_name} N.º {loan.number}",
        f"Monto: {format_cents(loan.principal)} · {loan.term_months} cuotas · "
        f"Tasa {loan.annual_rate_bp / 100:.2f} %",
    ]


SCHEDULE_TITLE = "TABLA DE AMORTIZACIÓN"


def loan_schedule_pdf(loan: Any, out: IO[bytes]) -> int:
    """The amortization table of ``loan`` (the rows on screen) as PDF."""
    doc = Document(out, title=SCHEDULE_TITLE, footer=issued_line())
    for line in _loan_lines(loan):
        doc.text(line)
    doc.space(6)
    columns = (
        Column("CUOTA", 0.7),
        Column("VENCIMIENTO", 1.3),
        Column("CAPITAL", 1.3, "right"),
        Column("INTERÉS", 1.2, "right"),
        Column("VALOR CUOTA", 1.3, "right"),
        Column("SALDO", 1.4, "right"),
        Column("ESTADO", 1.6),
    )
    count = doc.table(columns, _schedule_rows(loan, money=False))
    doc.close()
    return count


def loan_schedule_xlsx(loan: Any, out: IO[bytes]) -> int:
    """The amortization table of ``loan`` as Excel."""
    return table_xlsx(
        out,
        sheet="Amortización",
        title=SCHEDULE_TITLE,
        header_lines=_loan_lines(loan),
        columns=[
            ("CUOTA", 8, "int"),
            ("VENCIMIENTO", 14, "text"),
            ("CAPITAL", 14, "money"),
            ("INTERÉS", 14, "money"),
            ("VALOR CUOTA", 14, "money"),
            ("SALDO", 16, "money"),
            ("ESTADO", 20, "text"),
        ],
        rows=_schedule_rows(loan, money=True),
    )


# -- Estado de cuenta ------------------------------------------------------------------
def statement_pdf(account: DepositAccount, year: int, month: int, out: IO[bytes]) -> dict:
    """The Estado de cuenta of one local month, oldest movement first.

    Opening is the running balance of the last posting before the month (0 if none);
    closing, that of the last posting in it. Returns the totals; the rows drawn must add
    up (opening + credits - debits = closing) or the ledger's running balance is broken,
    and no statement is produced.
    """
    member = account.member
    since, until = statements.local_month(year, month)
    opening = statements.balance_before(account=account, moment=since)
    closing = statements.balance_before(account=account, moment=until)
    totals = {"opening": opening, "debits": 0, "credits": 0, "closing": opening, "count": 0}
    call_center = settings.INSTITUTION["call_center"]
    doc = Document(
        out, title="ESTADO DE CUENTA", footer=f"Reclamos: {call_center} · {issued_line()}"
    )
    doc.text("ESTADO DE CUENTA", size=13, bold=True, gap=8)
    doc.text(_full_name(account), size=11, bold=True)
    doc.pairs(
        [
            ("CUENTA:", f"{account.get_kind_display()} {account.number}"),
            ("DIRECCIÓN:", member.address or "—"),
            ("C.I./RUC:", member.identification),
            ("FECHA DESDE:", long_date(since.date())),
            ("FECHA HASTA:", long_date((until - dt.timedelta(days=1)).date())),
            ("SALDO INICIAL:", format_cents(opening)),
            ("SALDO FINAL:", format_cents(closing)),
            ("SALDO DISPONIBLE:", format_cents(account.available_balance)),
        ]
    )
    doc.space(4)
    doc.text("DETALLE DE MOVIMIENTOS", bold=True, size=10.5)

    def rows() -> Iterator[list[str]]:
        for m in statements.movements_in_order(account=account, since=since, until=until):
            debit, credit = (-m.amount, 0) if m.amount < 0 else (0, m.amount)
            totals["debits"] += debit
            totals["credits"] += credit
            totals["closing"] = m.balance
            totals["count"] += 1
            yield [
                f"{timezone.localtime(m.created_at):%d/%m/%Y}",
                str(m.receipt_number or m.reference),
                m.concept,
                _amount(debit),
                _amount(credit),
                format_cents(m.balance),
            ]

    columns = (
        Column("Fecha", 1.1),
        Column("Nro. Doc", 1.1),
        Column("Descripción", 3.8),
        Column("Débito", 1.2, "right"),
        Column("Crédito", 1.2, "right"),
        Column("Saldo", 1.4, "right"),
    )
    doc.table(columns, rows())
    if not totals["count"]:
        doc.text("SU CUENTA NO TIENE MOVIMIENTOS EN ESTE MES.")
    adds_up = totals["opening"] + totals["credits"] - totals["debits"] == totals["closing"]
    if not adds_up or totals["closing"] != closing:
        raise RuntimeError(f"Estado de cuenta {account.number} {year}-{month}: does not add up")
    doc.space(6)
    doc.pairs(
        [
            ("TOTAL DÉBITOS:", format_cents(totals["debits"])),
            ("TOTAL CRÉDITOS:", format_cents(totals["credits"])),
            ("SALDO FINAL:", format_cents(totals["closing"])),
        ]
    )
    doc.space(6)
    doc.wrapped(
        "Si mantienes inquietudes sobre los movimientos detallados en este documento "
        f"comunícalos a nuestro servicio telefónico {call_center} o registra tu reclamo en "
        "Soporte, Quejas y reclamos, de la Banca Web."
    )
    doc.close()
    return totals


# -- Certificado bancario --------------------------------------------------------------
BANDS = (
    (100_000, "hasta $ 1,000.00"),
    (1_000_000, "entre $ 1,000.00 y $ 10,000.00"),
    (5_000_000, "entre $ 10,000.00 y $ 50,000.00"),
)


def balance_band(cents: int) -> str:
    """The average balance as a band, never the figure itself."""
    for limit, label in BANDS:
        if cents < limit:
            return label
    return "más de $ 50,000.00"


def certificate_code(statement: str, issued: dt.date) -> str:
    """The verification code: the first 12 hex digits of an HMAC-SHA256, keyed with
    SECRET_KEY, of the certifying sentence and the issue date. Staff verifying a
    certificate recompute it from what the paper says; a changed word changes the code."""
    message = f"{statement}|{issued.isoformat()}"
    digest = hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256)
    return digest.hexdigest()[:12].upper()


def certificate_pdf(account: DepositAccount, out: IO[bytes]) -> str:
    """The Certificado bancario of ``account``; returns its verification code."""
    member = account.member
    today = timezone.localdate()
    band = balance_band(statements.average_balance(account=account))
    name = settings.INSTITUTION["name"]
    opened = timezone.localtime(account.opened_at).date()
    status = account.get_status_display().lower()
    statement = (
        f"{name} certifica que {_full_name(account)}, con C.I./RUC {member.identification}, "
        f"es titular de la {account.get_kind_display()} N.º {account.number}, abierta el "
        f"{_spoken_date(opened)}, en estado {status}, con un saldo promedio de los últimos "
        f"tres meses {band}."
    )
    code = certificate_code(statement, today)
    doc = Document(out, title="CERTIFICADO BANCARIO", footer=issued_line())
    doc.space(10)
    doc.text("CERTIFICADO BANCARIO", size=14, bold=True, gap=14)
    doc.wrapped(statement, size=10.5)
    doc.space(10)
    doc.pairs(
        [
            ("Titular:", _full_name(account)),
            ("C.I./RUC:", member.identification),
            ("Cuenta:", f"{account.get_kind_display()} {account.number}"),
            ("Fecha de apertura:", f"{opened:%d/%m/%Y}"),
            ("Estado:", status.upper()),
            ("Saldo promedio (3 meses):", band),
            ("Fecha de emisión:", f"{today:%d/%m/%Y}"),
            ("Código de verificación:", code),
        ]
    )
    doc.space(10)
    doc.wrapped(
        "Se emite este certificado a petición del titular, para los fines que estime "
        f"convenientes. Para verificarlo, comunícate con {name} al "
        f"{settings.INSTITUTION['call_center']} e indica el código de verificación."
    )
    doc.close()
    return code
