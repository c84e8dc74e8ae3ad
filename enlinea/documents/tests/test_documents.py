"""Every download read back: movements (PDF, Excel), amortization table, Estado de cuenta,
Certificado bancario; owner-scoped; bad input answers in Spanish, never a 500."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enlinea.documents.render import balance_band, certificate_code, certificate_pdf, statement_pdf
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import Posting
from enlinea.ledger.services import Line, chart_ensure, coop_account, entry_record
from enlinea.members.services import member_create
from enlinea.position.tests.products_support import funded_account, give_loan, page_queries
from enlinea.products.services import account_open, cash_deposit, cash_withdrawal

pytestmark = pytest.mark.django_db


@pytest.fixture
def socio(member):
    return member.member


@pytest.fixture
def account(socio):
    return funded_account(socio, amount=1_000_000)


@pytest.fixture
def logged(client, member):
    client.force_login(member)
    return client


def _pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _today_query() -> str:
    return "periodo=hoy&tipo=todos"


def _some_movements(account, n: int) -> None:
    for i in range(n):
        cash_deposit(account=account, amount=1_000 + i, idempotency_key=f"doc-d-{account.pk}-{i}")
        if i % 3 == 0:
            cash_withdrawal(account=account, amount=250, idempotency_key=f"doc-w-{account.pk}-{i}")


def test_movements_pdf_lists_every_movement_with_the_manuals_columns(logged, account) -> None:
    _some_movements(account, 60)
    url = reverse("documents:movements_pdf", args=[account.number]) + "?" + _today_query()
    response = logged.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pages, text = _pdf_text(_body(response))
    assert pages >= 2
    for column in ("REFERENCIA", "FECHA", "TIPO", "CONCEPTO", "DÉBITOS", "CRÉDITOS", "SALDO"):
        assert column in text
    assert "(N/C) = Nota de crédito" in text
    assert "(N/D) = Nota de débito" in text
    assert re.search(rf"Página 1 de\s*{pages}\b", text)
    postings = Posting.objects.filter(account=account.ledger_account).count()
    assert postings == 1 + 60 + 20
    assert text.count("N/D") - 1 == 20  # the legend names N/D once
    assert text.count("N/C") - 1 == 61
    assert "$ 10,000.00" in text  # the opening deposit's credit


def test_movements_excel_rows_and_totals_match_the_ledger(logged, account) -> None:
    _some_movements(account, 30)
    url = reverse("documents:movements_xlsx", args=[account.number]) + "?" + _today_query()
    response = logged.get(url)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(_body(response)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header = rows.index(("REFERENCIA", "FECHA", "TIPO", "CONCEPTO", "DÉBITOS", "CRÉDITOS", "SALDO"))
    data = [r for r in rows[header + 1 :] if r[0] and r[2] in ("N/D", "N/C")]
    postings = list(
        Posting.objects.filter(account=account.ledger_account).order_by("-created_at", "-id")
    )
    assert len(data) == len(postings)
    account.ledger_account.refresh_from_db()
    assert round(sum(r[5] for r in data) - sum(r[4] for r in data), 2) == (
        account.ledger_account.balance / 100
    )
    assert [round(r[6] * 100) for r in data] == [p.balance_after for p in postings]
    assert any(r and r[0] == "(N/C) = Nota de crédito" for r in rows)


def test_debits_only_export_has_only_debits(logged, account) -> None:
    _some_movements(account, 9)
    url = reverse("documents:movements_xlsx", args=[account.number]) + "?periodo=hoy&tipo=debitos"
    rows = list(
        openpyxl.load_workbook(io.BytesIO(_body(logged.get(url))), read_only=True).active.values
    )
    kinds = [r[2] for r in rows if r and r[2] in ("N/D", "N/C")]
    assert kinds == ["N/D"] * 3


def test_export_query_count_does_not_grow_with_rows(logged, account) -> None:
    url = reverse("documents:movements_xlsx", args=[account.number]) + "?" + _today_query()
    logged.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _body(logged.get(url))
        return len(page_queries(ctx))

    few = count()
    _some_movements(account, 40)
    assert count() == few


def test_a_bad_filter_goes_back_to_the_page_with_its_error(logged, account) -> None:
    url = reverse("documents:movements_pdf", args=[account.number])
    response = logged.get(url + "?periodo=personalizado&desde=2001-01-01&hasta=nada&tipo=todos")
    assert response.status_code == 302
    page = logged.get(response["Location"])
    assert page.status_code == 200
    assert "Ingresa la fecha hasta" in page.content.decode()


def test_another_members_account_is_404_for_every_download(logged, account) -> None:
    other = member_create(
        identification_type="CEDULA",
        identification="1710034065",
        first_names="Rosa",
        last_names="Quishpe",
        email="rosa@example.com",
        mobile_phone="0991234567",
    )
    theirs = account_open(member=other, idempotency_key="doc-other")
    today = timezone.localdate()
    for url in (
        reverse("documents:movements_pdf", args=[theirs.number]) + "?" + _today_query(),
        reverse("documents:movements_xlsx", args=[theirs.number]) + "?" + _today_query(),
        reverse("documents:statement_pdf", args=[theirs.number, today.year, today.month]),
        reverse("documents:certificate_pdf", args=[theirs.number]),
    ):
        assert logged.get(url).status_code == 404


def test_amortization_table_pdf_and_excel(logged, socio, account) -> None:
    loan = give_loan(socio, account)
    xlsx = logged.get(reverse("documents:loan_schedule_xlsx", args=[loan.number]))
    rows = list(openpyxl.load_workbook(io.BytesIO(_body(xlsx)), read_only=True).active.values)
    installments = [r for r in rows if r and isinstance(r[0], int)]
    assert len(installments) == loan.term_months == 24
    assert round(sum(r[2] for r in installments), 2) == loan.principal / 100
    pdf = logged.get(reverse("documents:loan_schedule_pdf", args=[loan.number]))
    _, text = _pdf_text(_body(pdf))
    assert "TABLA DE AMORTIZACIÓN" in text
    assert "VALOR CUOTA" in text
    assert text.count("Pendiente") == 24


def _busy_month(socio) -> tuple:
    """An account with movements before, during (hundreds) and after last month."""
    chart_ensure()
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(0, 0))) - dt.timedelta(days=3)
    account = account_open(
        member=socio,
        idempotency_key=f"doc-busy-{socio.pk}",
        opened_at=start - dt.timedelta(days=30),
    )
    cash = coop_account(LedgerKind.CASH).pk
    mine = account.ledger_account_id
    for i in range(340):
        when = start + dt.timedelta(hours=2 * i + 1)
        amount = 5_000 + 37 * i if i % 4 else 1_200 + i
        sign = -1 if i % 4 == 0 and i > 10 else 1
        entry_record(
            idempotency_key=f"doc-busy-{socio.pk}-{i}",
            kind="cash_withdrawal" if sign < 0 else "cash_deposit",
            lines=[Line(cash, -sign * amount), Line(mine, sign * amount)],
            description="RETIRO" if sign < 0 else "DEPOSITO AHORROS",
            occurred_at=when,
        )
    return account, first


def test_statement_opening_plus_credits_minus_debits_is_closing(logged, socio) -> None:
    account, first = _busy_month(socio)
    out = io.BytesIO()
    totals = statement_pdf(account, first.year, first.month, out)
    assert totals["count"] > 300
    assert totals["opening"] > 0  # movements of the days before the month
    assert totals["opening"] + totals["credits"] - totals["debits"] == totals["closing"]
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    in_month = Posting.objects.filter(
        account=account.ledger_account, created_at__gte=since
    ).order_by("created_at", "id")
    next_month = timezone.make_aware(
        dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time.min)
    )
    in_month = [p for p in in_month if p.created_at < next_month]
    assert totals["count"] == len(in_month)
    assert totals["closing"] == in_month[-1].balance_after

    response = logged.get(
        reverse("documents:statement_pdf", args=[account.number, first.year, first.month])
    )
    pages, text = _pdf_text(_body(response))
    assert pages >= 5
    for page in range(1, pages + 1):
        assert re.search(rf"Página {page} de\s*{pages}\b", text)
    assert "ESTADO DE CUENTA" in text
    assert "DETALLE DE MOVIMIENTOS" in text
    assert "FECHA DESDE:" in text
    assert "C.I./RUC:" in text
    assert socio.identification in text
    assert "servicio telefónico" in text

    def printed(label: str) -> int:
        found = re.search(rf"{label}:\s*\$ ([\d,\.]+)", text)
        assert found, label
        return round(float(found.group(1).replace(",", "")) * 100)

    assert printed("TOTAL DÉBITOS") == totals["debits"]
    assert printed("TOTAL CRÉDITOS") == totals["credits"]
    assert printed("SALDO INICIAL") == totals["opening"]
    assert printed("SALDO FINAL") == totals["closing"]
    assert printed("SALDO INICIAL") + printed("TOTAL CRÉDITOS") - printed(
        "TOTAL DÉBITOS"
    ) == printed("SALDO FINAL")


def test_statement_page_picks_an_account_and_month_then_downloads(logged, account) -> None:
    page = logged.get(reverse("documents:statement"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Estado de cuenta" in html
    assert f"Nro. Cta. {account.number}" in html
    assert "Saldo: $ 10,000.00" in html
    assert 'type="month"' in html
    today = timezone.localdate()
    assert f'max="{today:%Y-%m}"' in html
    assert f'min="{timezone.localtime(account.opened_at):%Y-%m}"' in html
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    assert f'value="{last_month:%Y-%m}"' in html  # default: the last full month
    response = logged.get(
        reverse("documents:statement"), {"cuenta": account.number, "mes": f"{today:%Y-%m}"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "documents:statement_pdf", args=[account.number, today.year, today.month]
    )


@pytest.mark.parametrize(
    ("mes", "message"),
    [
        ("2999-01", "El mes no puede ser posterior al mes actual."),
        ("enero", "Elige el mes como mes y año"),
        ("", "Elige el mes."),
        ("2001-02", "Tu cuenta aún no estaba abierta en ese mes."),
    ],
)
def test_statement_bad_month_is_a_spanish_error_at_the_field(logged, account, mes, message):
    response = logged.get(reverse("documents:statement"), {"cuenta": account.number, "mes": mes})
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("year", "month", "message"),
    [
        (2999, 13, "Elige el mes como mes y año"),
        (2999, 1, "El mes no puede ser posterior al mes actual."),
        (2001, 2, "Tu cuenta aún no estaba abierta en ese mes."),
        (99999, 1, "Elige el mes como mes y año"),
    ],
)
def test_a_statement_url_the_form_refuses_goes_back_to_the_form(
    logged, account, year, month, message
) -> None:
    response = logged.get(reverse("documents:statement_pdf", args=[account.number, year, month]))
    assert response.status_code == 302
    page = logged.get(response["Location"])
    assert page.status_code == 200
    assert message in page.content.decode()


def test_statement_query_count_does_not_grow_with_rows(logged, account) -> None:
    today = timezone.localdate()
    url = reverse("documents:statement_pdf", args=[account.number, today.year, today.month])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _body(logged.get(url))
        return len(page_queries(ctx))

    few = count()
    _some_movements(account, 40)
    assert count() == few


def test_certificate_states_holder_account_and_band(logged, socio, account) -> None:
    response = logged.get(reverse("documents:certificate_pdf", args=[account.number]))
    assert response.status_code == 200
    _, text = _pdf_text(_body(response))
    assert "CERTIFICADO BANCARIO" in text
    assert account.number in text
    assert socio.identification in text
    assert "Código de verificación" in text
    assert balance_band(0) == "hasta $ 1,000.00"
    assert balance_band(2_000_000) == "entre $ 10,000.00 y $ 50,000.00"
    assert balance_band(9_000_000) == "más de $ 50,000.00"


def test_certificate_verification_code_is_an_hmac_of_what_it_states(socio, account) -> None:
    out = io.BytesIO()
    code = certificate_pdf(account, out)
    _, text = _pdf_text(out.getvalue())
    assert re.fullmatch(r"[0-9A-F]{12}", code)
    assert f"Código de verificación: {code}" in text.replace("\n", " ").replace(":  ", ": ")
    sentence = text[text.index(" certifica que ") :]
    assert "es titular de la CUENTA DE AHORROS N.º" in " ".join(sentence.split())
    today = timezone.localdate()
    assert certificate_code("a", today) == certificate_code("a", today)
    assert certificate_code("a", today) != certificate_code("b", today)
    assert certificate_code("a", today) != certificate_code("a", today - dt.timedelta(days=1))
