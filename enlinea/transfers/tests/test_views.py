"""The member's transfer pages through the Django client: each form's Spanish messages
at the field, the three kinds through the confirmation flow's Confirmar, code and
result (the receipt), and another member's beneficiary a 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
)
from enlinea.beneficiaries import services as beneficiary_services
from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.institutions.models import Institution
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.limits.models import Scope
from enlinea.limits.services import limits_set
from enlinea.products.models import AccountKind, AccountStatus, DepositAccount
from enlinea.products.services import account_open, account_set_status, cash_deposit
from enlinea.receipts.models import Receipt
from enlinea.transfers.forms import MSG_CHOOSE_BENEFICIARY, MSG_SAME_ACCOUNT
from enlinea.transfers.models import InterbankTransfer, TransferStatus

pytestmark = pytest.mark.django_db

OWN = reverse("transfers:own")
INTERNAL = reverse("transfers:internal")
INTERBANK = reverse("transfers:interbank")


def text(response) -> str:
    """The page's visible words, tags dropped and whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&nbsp;", " ").strip()


def balance(account: DepositAccount) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def savings(socio) -> DepositAccount:
    account = account_open(member=socio, idempotency_key=f"tv-sav-{socio.pk}")
    cash_deposit(account=account, amount=100_000, idempotency_key=f"tv-fund-{account.pk}")
    return account


@pytest.fixture
def checking(socio) -> DepositAccount:
    return account_open(
        member=socio, idempotency_key=f"tv-chk-{socio.pk}", kind=AccountKind.CHECKING
    )


@pytest.fixture
def maria(db):
    chart_ensure()
    return enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez Guaman")


@pytest.fixture
def maria_account(maria) -> DepositAccount:
    return account_open(member=maria, idempotency_key=f"tv-maria-{maria.pk}")


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


@pytest.fixture
def internal_beneficiary(socio, maria_account):
    return beneficiary_services.beneficiary_create(
        member=socio, kind=BeneficiaryKind.INTERNAL, account_number=maria_account.number
    )


@pytest.fixture
def external_beneficiary(socio):
    return beneficiary_services.beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.EXTERNAL,
        institution_id=Institution.objects.get(name="BANCO PICHINCHA").pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )


def _walk(client: Client, member, response) -> str:
    """From the form's redirect: Confirmar transferencia, the code, the result's text."""
    assert response.status_code == 302, text(response)
    operation = latest_operation(member)
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    assert "Confirmar transferencia" in text(confirm)
    sent = client.post(response["Location"])
    assert sent["Location"] == code_url(operation)
    done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    return text(client.get(done["Location"]))


# --------------------------------------------------------------------------- own


def test_own_transfer_walks_to_the_receipt_and_moves_the_money(
    client, socio, savings, checking
) -> None:
    page = client.get(OWN)
    assert page.status_code == 200
    assert "$ 1,000.00" in text(page)  # the source's available balance
    response = client.post(
        OWN,
        {
            "source": savings.number,
            "destination": checking.number,
            "amount": "20.00",
            "motive": "Sueldo",
        },
    )
    operation = latest_operation(socio)
    confirm = text(client.get(response["Location"]))
    for label in ("Monto a transferir", "Cuenta de origen", "Cuenta destino", "Motivo"):
        assert label in confirm
    assert "Comisión $ 0.00" in confirm
    assert "Total a debitar $ 20.00" in confirm
    result = _walk(client, socio, response)
    receipt = Receipt.objects.get(idempotency_key=f"transfer:{operation.token}")
    assert "¡Transferencia exitosa!" in result
    assert f"Comprobante N.º {receipt.number}" in result
    assert "Valor transferido $ 20.00" in result
    assert "Total debitado $ 20.00" in result
    assert "Imprimir" in result
    assert "Realizar otra transferencia" in result
    assert balance(savings) == 100_000 - 2_000
    assert balance(checking) == 2_000
    # A refresh of the code page or a second POST makes no second transfer.
    again = client.post(code_url(operation), {"code": last_code(socio)})
    assert again.status_code == 302
    assert balance(checking) == 2_000
    assert Receipt.objects.filter(member=socio, kind="transfer_own").count() == 1


def test_result_links_to_the_receipts_pdf(client, socio, savings, checking) -> None:
    response = client.post(
        OWN, {"source": savings.number, "destination": checking.number, "amount": "5"}
    )
    _walk(client, socio, response)
    operation = latest_operation(socio)
    number = operation.result["receipt"]
    page = client.get(reverse("confirmation:result", kwargs={"token": operation.token}))
    assert reverse("receipts:pdf", kwargs={"number": number}) in page.content.decode()
    pdf = client.get(reverse("receipts:pdf", kwargs={"number": number}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "20"}, "source", "Selecciona la cuenta de origen."),
        ({"amount": "abc"}, "amount", "Ingresa un monto válido"),
        ({"amount": "0"}, "amount", "Ingresa un monto mayor a cero."),
        ({"amount": "1.500"}, "amount", "dos decimales"),
        ({"amount": "2000"}, "amount", "Saldo disponible insuficiente"),
        ({"amount": "20", "motive": "x" * 121}, "motive", "hasta 120 caracteres"),
    ],
)
def test_own_form_errors_at_the_field(
    client, socio, savings, checking, data, field, message
) -> None:
    posted = {"source": savings.number, "destination": checking.number, **data}
    if field == "source":
        posted.pop("source")
    response = client.post(OWN, posted)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert balance(checking) == 0


def test_own_form_refuses_the_same_account_and_an_inactive_one(
    client, socio, savings, checking
) -> None:
    same = client.post(
        OWN, {"source": savings.number, "destination": savings.number, "amount": "5"}
    )
    assert same.status_code == 400
    assert same.context["form"].errors["destination"] == [MSG_SAME_ACCOUNT]
    account_set_status(account=checking, status=AccountStatus.INACTIVE)
    inactive = client.post(
        OWN, {"source": savings.number, "destination": checking.number, "amount": "5"}
    )
    assert inactive.status_code == 400
    assert "Inactiva" in inactive.context["form"].errors["destination"][0].title()


def test_another_members_account_is_no_choice(client, socio, savings, maria_account) -> None:
    response = client.post(
        OWN, {"source": maria_account.number, "destination": savings.number, "amount": "5"}
    )
    assert response.status_code == 400
    assert "source" in response.context["form"].errors
    assert balance(maria_account) == 0


def test_the_service_refusal_at_execution_is_the_flows_failed_page(
    client, socio, savings, checking
) -> None:
    response = client.post(
        OWN, {"source": savings.number, "destination": checking.number, "amount": "20"}
    )
    operation = latest_operation(socio)
    client.post(response["Location"])
    # The destination closes between the form and the code.
    account_set_status(account=checking, status=AccountStatus.BLOCKED)
    done = client.post(code_url(operation), {"code": last_code(socio)})
    page = text(client.get(done["Location"]))
    operation.refresh_from_db()
    assert operation.failure_message in page, operation.failure_message
    assert "BLOQUEADA" in operation.failure_message
    assert balance(savings) == 100_000
    assert balance(checking) == 0


# --------------------------------------------------------------------------- internal


def test_internal_transfer_to_a_saved_beneficiary(
    client, socio, savings, maria_account, internal_beneficiary
) -> None:
    page = client.get(f"{INTERNAL}?beneficiario={internal_beneficiary.pk}")
    assert page.status_code == 200
    assert page.context["form"]["beneficiary"].value() == str(internal_beneficiary.pk)
    response = client.post(
        INTERNAL,
        {"source": savings.number, "beneficiary": internal_beneficiary.pk, "amount": "15.50"},
    )
    result = _walk(client, socio, response)
    assert "¡Transferencia exitosa!" in result
    assert "Valor transferido $ 15.50" in result
    assert balance(maria_account) == 1_550
    assert balance(savings) == 100_000 - 1_550


def _to_saved_beneficiary(client, socio, savings, account, *, email, amount="3.00") -> None:
    """A Transferencia Cooprogreso to ``account`` saved as a beneficiary with ``email``,
    from the form to its receipt."""
    saved = beneficiary_services.beneficiary_create(
        member=socio, kind=BeneficiaryKind.INTERNAL, account_number=account.number, email=email
    )
    response = client.post(
        INTERNAL, {"source": savings.number, "beneficiary": saved.pk, "amount": amount}
    )
    _walk(client, socio, response)


def test_the_member_and_the_beneficiary_hear_of_the_transfer(
    client, socio, savings, maria_account
) -> None:
    from enlinea.notifications.models import Message

    _to_saved_beneficiary(
        client, socio, savings, maria_account, email="maria.fernanda@example.com", amount="15.50"
    )
    receipt = Receipt.objects.get(member=socio, kind="transfer_internal")
    to_member = Message.objects.filter(kind="transferencia_realizada")
    assert {m.channel for m in to_member} == {"email", "sms"}
    email = to_member.get(channel="email")
    assert email.recipient == socio.email
    assert f"Comprobante N.º {receipt.number}" in email.body
    assert "Valor transferido: $ 15.50" in email.body
    to_beneficiary = Message.objects.get(kind="transferencia_beneficiario")
    assert to_beneficiary.channel == "email"
    assert to_beneficiary.recipient == "maria.fernanda@example.com"
    assert "$ 15.50" in to_beneficiary.subject
    assert savings.number not in to_beneficiary.body  # never the sender's account
    # The member credited hears of it on their registered e-mail and mobile.
    received = Message.objects.filter(kind="transferencia_recibida")
    assert {(m.channel, m.recipient) for m in received} == {
        ("email", maria_account.member.email),
        ("sms", maria_account.member.mobile_phone),
    }
    told = received.get(channel="email")
    assert f"terminada en {maria_account.number[-4:]}" in told.subject
    assert "$ 15.50" in told.body
    assert socio.full_name in told.body
    assert savings.number not in told.body  # never the sender's account
    assert "Comprobante" not in told.body  # the receipt is the sender's, not theirs


def test_a_beneficiary_email_that_is_the_members_own_is_not_told_twice(
    client, socio, savings, maria_account
) -> None:
    from enlinea.notifications.models import Message

    _to_saved_beneficiary(
        client, socio, savings, maria_account, email=maria_account.member.email.upper()
    )
    assert Message.objects.filter(kind="transferencia_recibida", channel="email").count() == 1
    assert not Message.objects.filter(kind="transferencia_beneficiario").exists()


def test_internal_form_says_the_remaining_cupo(
    client, socio, savings, internal_beneficiary
) -> None:
    limits_set(member=socio, scope=Scope.INTERNAL, daily=1_000, weekly=1_000, monthly=1_000)
    response = client.post(
        INTERNAL,
        {"source": savings.number, "beneficiary": internal_beneficiary.pk, "amount": "20"},
    )
    assert response.status_code == 400
    assert "$ 10.00" in response.context["form"].errors["amount"][0]


def test_internal_form_needs_a_beneficiary(client, socio, savings) -> None:
    response = client.post(INTERNAL, {"source": savings.number, "amount": "5"})
    assert response.status_code == 400
    assert response.context["form"].errors["beneficiary"] == [MSG_CHOOSE_BENEFICIARY]


def test_another_members_beneficiary_is_404(client, socio, savings, maria, maria_account) -> None:
    theirs = beneficiary_services.beneficiary_create(
        member=maria, kind=BeneficiaryKind.INTERNAL, account_number=savings.number
    )
    assert client.get(f"{INTERNAL}?beneficiario={theirs.pk}").status_code == 404
    assert client.get(f"{INTERBANK}?beneficiario={theirs.pk}").status_code == 404
    assert client.get(f"{INTERNAL}?beneficiario=abc").status_code == 404
    # Posting it is no choice either: refused at the field, nothing moves.
    posted = client.post(
        INTERNAL, {"source": savings.number, "beneficiary": theirs.pk, "amount": "5"}
    )
    assert posted.status_code == 400
    assert "beneficiary" in posted.context["form"].errors


# --------------------------------------------------------------------------- interbank


def test_interbank_transfer_shows_the_tariff_fee_and_is_in_process(
    client, socio, savings, external_beneficiary
) -> None:
    response = client.post(
        INTERBANK,
        {
            "source": savings.number,
            "beneficiary": external_beneficiary.pk,
            "amount": "10",
            "motive": "Prueba",
        },
    )
    confirm = text(client.get(response["Location"]))
    assert "Comisión $ 0.36" in confirm
    assert "IVA $ 0.05" in confirm
    assert "Total a debitar $ 10.41" in confirm
    result = _walk(client, socio, response)
    assert "En proceso" in result
    assert "BANCO PICHINCHA" in result
    assert "Total debitado $ 10.41" in result
    order = InterbankTransfer.objects.get(member=socio)
    assert order.status == TransferStatus.PENDING
    assert order.amount == 1_000
    assert balance(savings) == 100_000 - 1_041


def test_the_list_links_transferir_to_the_form_with_the_beneficiary(
    client, socio, internal_beneficiary
) -> None:
    page = client.get(reverse("beneficiaries:list"))
    assert reverse("transfers:internal") in page.content.decode()


def test_a_fee_changed_after_confirmar_fails_with_nothing_moved(
    client, socio, savings, checking
) -> None:
    from enlinea.tariff.models import Fee

    response = client.post(
        OWN, {"source": savings.number, "destination": checking.number, "amount": "20"}
    )
    operation = latest_operation(socio)
    client.post(response["Location"])
    Fee.objects.update_or_create(
        operation="transfer_own", defaults={"commission": 50, "iva_rate_bp": 1500}
    )
    done = client.post(code_url(operation), {"code": last_code(socio)})
    page = text(client.get(done["Location"]))
    assert "La comisión de esta operación cambió después de confirmar" in page
    assert balance(savings) == 100_000
    assert balance(checking) == 0


def test_the_other_kind_of_beneficiary_is_404_on_each_form(
    client, socio, savings, internal_beneficiary, external_beneficiary
) -> None:
    assert client.get(f"{INTERBANK}?beneficiario={internal_beneficiary.pk}").status_code == 404
    assert client.get(f"{INTERNAL}?beneficiario={external_beneficiary.pk}").status_code == 404
    assert client.get(f"{INTERBANK}?beneficiario={external_beneficiary.pk}").status_code == 200


# --------------------------------------------------------------------------- frecuentes

FREQUENT = reverse("transfers:frequent")


def test_frequent_lists_recent_destinations_once_each_with_a_preselected_form(
    client, socio, savings, checking, maria_account, internal_beneficiary
) -> None:
    assert "Aún no tienes transferencias" in text(client.get(FREQUENT))
    for amount in ("5", "6"):
        _walk(
            client,
            socio,
            client.post(
                OWN,
                {"source": savings.number, "destination": checking.number, "amount": amount},
            ),
        )
    _walk(
        client,
        socio,
        client.post(
            INTERNAL,
            {"source": savings.number, "beneficiary": internal_beneficiary.pk, "amount": "7"},
        ),
    )
    page = client.get(FREQUENT)
    rows = page.context["rows"]
    assert [(r["kind"], r["amount"]) for r in rows] == [("Interna", 700), ("Propia", 600)]
    own = client.get(rows[1]["url"])
    assert own.context["form"]["source"].value() == savings.number
    assert own.context["form"]["destination"].value() == checking.number
    internal = client.get(rows[0]["url"])
    assert internal.context["form"]["beneficiary"].value() == str(internal_beneficiary.pk)
    # Another member's account number in the link is a 404.
    assert client.get(f"{OWN}?origen={maria_account.number}").status_code == 404
    # A beneficiary deleted since is left out.
    beneficiary_services.beneficiary_delete(member=socio, beneficiary_id=internal_beneficiary.pk)
    assert [r["kind"] for r in client.get(FREQUENT).context["rows"]] == ["Propia"]


# --------------------------------------------------------------------------- historial

HISTORY = reverse("transfers:history")


def test_history_lists_the_periods_transfers_with_receipt_and_transferir(
    client, socio, savings, checking, external_beneficiary
) -> None:
    import datetime as dt

    from django.utils import timezone

    _walk(
        client,
        socio,
        client.post(
            INTERBANK,
            {
                "source": savings.number,
                "beneficiary": external_beneficiary.pk,
                "amount": "3",
                "motive": "Prueba",
            },
        ),
    )
    receipt = Receipt.objects.get(member=socio, kind="transfer_interbank")
    page = client.get(HISTORY)
    assert page.status_code == 200
    body = text(page)
    for column in ("Referencia", "Tipo", "Fecha", "Detalle", "Cuenta de origen", "Beneficiario"):
        assert column in body
    assert f"{receipt.number} Externa" in body
    assert "Prueba" in body
    assert "XAVIER GONZALEZ BANCO PICHINCHA" in body
    html = page.content.decode()
    assert reverse("receipts:detail", kwargs={"number": receipt.number}) in html
    assert f"beneficiario={external_beneficiary.pk}" in html
    assert client.get(HISTORY, {"periodo": "hoy"}).context["rows"]
    assert not client.get(HISTORY, {"periodo": "ayer"}).context["rows"]
    assert not client.get(HISTORY, {"periodo": "mes-anterior"}).context["rows"]
    today = timezone.localdate()
    custom = client.get(
        HISTORY, {"periodo": "personalizado", "desde": str(today), "hasta": str(today)}
    )
    assert len(custom.context["rows"]) == 1
    # Another member sees none of it.
    other = logged_in(enrolled_member("otrosocio", first_names="Otro", last_names="Socio"))
    assert not other.get(HISTORY).context["rows"]
    # The filter's errors, at the field.
    tomorrow = today + dt.timedelta(days=1)
    bad = client.get(
        HISTORY, {"periodo": "personalizado", "desde": str(today), "hasta": str(tomorrow)}
    )
    assert bad.status_code == 400
    assert "posterior a hoy" in bad.context["form"].errors["hasta"][0]
    old = client.get(
        HISTORY,
        {
            "periodo": "personalizado",
            "desde": str(today - dt.timedelta(days=400)),
            "hasta": str(today),
        },
    )
    assert "365 días" in old.context["form"].errors["desde"][0]
    reversed_range = client.get(
        HISTORY,
        {"periodo": "personalizado", "desde": str(today), "hasta": str(today - dt.timedelta(1))},
    )
    assert "anterior a la fecha hasta" in reversed_range.context["form"].errors["desde"][0]
    assert client.get(HISTORY, {"periodo": "nada"}).status_code == 400
