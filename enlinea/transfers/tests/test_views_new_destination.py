"""A new destination typed on the spot in TRANSFERENCIAS COOPROGRESO and INTERBANCARIAS:
«Validar» as "Nuevo beneficiario, A mi institución" (its check, its messages, its
limit), «Guardar beneficiario» with the transfer under one code and in one transaction,
a replay that is one transfer, and nothing of the other member beyond the masked name."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
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
from enlinea.beneficiaries.destinations import MSG_INTERNAL_UNAVAILABLE, MSG_OWN_ACCOUNT
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.validation import MSG_VALIDATE_LIMITED
from enlinea.confirmation.models import PendingOperation
from enlinea.institutions.models import Institution
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.limits.models import LimitUsage
from enlinea.notifications.models import Message
from enlinea.products.models import AccountStatus, DepositAccount
from enlinea.products.services import account_open, account_set_status, cash_deposit
from enlinea.receipts.models import Receipt
from enlinea.transfers.forms import MSG_ALIAS_NEEDS_SAVE
from enlinea.transfers.models import InterbankTransfer, TransferStatus

pytestmark = pytest.mark.django_db

INTERNAL = reverse("transfers:internal")
INTERBANK = reverse("transfers:interbank")
NEW_INTERNAL_BENEFICIARY = reverse("beneficiaries:new_internal")


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&nbsp;", " ").strip()


def balance(account: DepositAccount) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def field_error(response, field: str) -> str:
    """The message shown beside ``field`` (its id_<field>_error paragraph)."""
    match = re.search(
        rf'id="id_{field}_error"><span class="visually-hidden">Error:</span> ([^<]*)<',
        response.content.decode(),
    )
    assert match, f"no error at {field}: {text(response)}"
    return match.group(1).strip()


@pytest.fixture
def socio(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def savings(socio) -> DepositAccount:
    account = account_open(member=socio, idempotency_key=f"nd-sav-{socio.pk}")
    cash_deposit(account=account, amount=100_000, idempotency_key=f"nd-fund-{account.pk}")
    return account


@pytest.fixture
def maria(db):
    chart_ensure()
    return enrolled_member(
        "mariaperez",
        first_names="Maria Fernanda",
        last_names="Perez Guaman",
        identification="1710034065",
    )


@pytest.fixture
def maria_account(maria) -> DepositAccount:
    account = account_open(member=maria, idempotency_key=f"nd-maria-{maria.pk}")
    cash_deposit(account=account, amount=55_555, idempotency_key=f"nd-maria-fund-{account.pk}")
    return account


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


def new_internal(source: DepositAccount, account_number: str, **extra: str) -> dict[str, str]:
    return {
        "destino": "nuevo",
        "source": source.number,
        "account_number": account_number,
        "amount": "12.50",
        "motive": "Almuerzo",
        **extra,
    }


def confirm_and_code(client: Client, member, response) -> tuple[PendingOperation, str]:
    """From the form's redirect: the Confirmar page's text, then the code; the result."""
    assert response.status_code == 302, text(response)
    operation = latest_operation(member)
    confirm = text(client.get(response["Location"]))
    client.post(response["Location"])
    done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    operation.refresh_from_db()
    return operation, confirm


# ------------------------------------------------------------------------ the form


def test_without_saved_beneficiaries_the_form_opens_on_a_new_account(client, savings) -> None:
    page = client.get(INTERNAL)
    assert page.status_code == 200
    body = text(page)
    assert "Número de cuenta" in body
    assert "Validar" in body
    assert "Guardar beneficiario" in body
    assert "Alias (Opcional)" in body
    assert "Correo electrónico (Opcional)" in body
    assert "Aún no tienes beneficiarios" not in body


def test_agregar_nuevo_beneficiario_switches_the_form_keeping_what_was_typed(
    client, socio, savings, maria_account
) -> None:
    beneficiary_services.beneficiary_create(
        member=socio, kind=BeneficiaryKind.INTERNAL, account_number=maria_account.number
    )
    page = client.get(INTERNAL)
    assert "Agregar nuevo beneficiario" in text(page)
    assert "Validar" not in text(page)
    switched = client.post(
        INTERNAL,
        {
            "destino": "registrado",
            "cambiar_destino": "nuevo",
            "source": savings.number,
            "amount": "7.25",
        },
    )
    assert switched.status_code == 200  # nothing judged yet
    assert "Hay un problema" not in text(switched)
    assert switched.context["form"]["amount"].value() == "7.25"
    assert switched.context["form"]["source"].value() == savings.number
    assert 'name="account_number"' in switched.content.decode()
    back = client.post(
        INTERNAL, {"destino": "nuevo", "cambiar_destino": "registrado", "amount": "7.25"}
    )
    assert back.status_code == 200
    assert back.context["form"]["beneficiary"] is not None
    assert back.context["form"]["amount"].value() == "7.25"


def test_validar_shows_the_holders_masked_name_and_nothing_more_of_them(
    client, socio, savings, maria, maria_account
) -> None:
    other = account_open(member=maria, idempotency_key=f"nd-maria-2-{maria.pk}")
    response = client.post(INTERNAL, new_internal(savings, maria_account.number, validar="1"))
    assert response.status_code == 200
    body = text(response)
    assert "MA*** PE***" in body
    assert "Nombre del beneficiario" in body
    # Validar judges only the account: the amount typed is kept, not refused.
    assert "Hay un problema" not in body
    assert response.context["form"]["amount"].value() == "12.50"
    # Nothing else of Maria: not her names, identification, balance or other accounts.
    html = response.content.decode()
    for secret in (
        "Maria",
        "MARIA",
        "Fernanda",
        "Perez",
        "PEREZ",
        "Guaman",
        "1710034065",
        "555.55",
        other.number,
    ):
        assert secret not in html, secret
    assert not Receipt.objects.filter(kind="transfer_internal").exists()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4100999999", MSG_INTERNAL_UNAVAILABLE),
        ("12ab", "Ingresa el número de cuenta solo con dígitos, sin letras."),
        ("", "Ingresa el número de cuenta."),
    ],
)
def test_validar_says_what_is_wrong_with_the_account_at_its_field(
    client, savings, number, message
) -> None:
    response = client.post(INTERNAL, new_internal(savings, number, validar="1"))
    assert response.status_code == 400
    assert field_error(response, "account_number") == message
    assert "<title>Error: " in response.content.decode()
    assert "Hay un problema" in text(response)


def test_an_account_that_cannot_receive_gets_the_same_answer_as_an_unknown_one(
    client, savings, maria_account
) -> None:
    account_set_status(account=maria_account, status=AccountStatus.BLOCKED)
    response = client.post(INTERNAL, new_internal(savings, maria_account.number, validar="1"))
    assert field_error(response, "account_number") == MSG_INTERNAL_UNAVAILABLE
    assert "MA***" not in text(response)


def test_the_members_own_account_is_sent_to_transferencias_propias(client, socio, savings) -> None:
    response = client.post(INTERNAL, new_internal(savings, savings.number))
    assert response.status_code == 400
    assert field_error(response, "account_number") == MSG_OWN_ACCOUNT


def test_validar_shares_the_limit_of_nuevo_beneficiario(
    client, savings, maria_account, settings
) -> None:
    settings.BENEFICIARIES_RATE_VALIDATE = "2/h"
    assert (
        client.post(NEW_INTERNAL_BENEFICIARY, {"account_number": maria_account.number}).status_code
        == 200
    )
    assert (
        client.post(INTERNAL, new_internal(savings, maria_account.number, validar="1")).status_code
        == 200
    )
    refused = client.post(INTERNAL, new_internal(savings, maria_account.number, validar="1"))
    assert refused.status_code == 429
    assert field_error(refused, "account_number") == MSG_VALIDATE_LIMITED
    assert "MA*** PE***" not in text(refused)
    # Confirmar looks the account up too: no way around the limit.
    confirmed = client.post(INTERNAL, new_internal(savings, maria_account.number))
    assert confirmed.status_code == 429
    assert not PendingOperation.objects.exists()
    # And the other page refuses as well.
    assert (
        client.post(NEW_INTERNAL_BENEFICIARY, {"account_number": maria_account.number}).status_code
        == 429
    )


def test_an_alias_needs_guardar_beneficiario(client, savings, maria_account) -> None:
    response = client.post(INTERNAL, new_internal(savings, maria_account.number, alias="Mari"))
    assert response.status_code == 400
    assert field_error(response, "alias") == MSG_ALIAS_NEEDS_SAVE
    assert not PendingOperation.objects.exists()


def test_amount_errors_still_show_with_a_new_account(client, savings, maria_account) -> None:
    response = client.post(INTERNAL, new_internal(savings, maria_account.number, amount="5000"))
    assert response.status_code == 400
    assert "Saldo disponible insuficiente" in field_error(response, "amount")


# ------------------------------------------------------------------------ executing


def test_transfer_to_a_new_account_and_save_it_in_one_code(
    client, socio, savings, maria_account
) -> None:
    response = client.post(
        INTERNAL,
        new_internal(
            savings,
            f" {maria_account.number[:4]}-{maria_account.number[4:]} ",  # pasted
            guardar_beneficiario="on",
            alias="Mari",
            email="maria.fernanda@example.com",
        ),
    )
    operation, confirm = confirm_and_code(client, socio, response)
    assert f"Cuenta destino MA*** PE*** - Ahorros …{maria_account.number[-4:]}" in confirm
    assert "Guardar beneficiario Sí" in confirm
    assert "Alias Mari" in confirm
    assert "Correo electrónico maria.fernanda@example.com" in confirm
    assert "Total a debitar $ 12.50" in confirm
    for secret in ("Maria", "MARIA", "Fernanda", "Guaman", "1710034065"):
        assert secret not in confirm, secret
    assert operation.status == PendingOperation.Status.DONE, operation.result
    assert balance(maria_account) == 55_555 + 1_250
    assert balance(savings) == 100_000 - 1_250
    saved = Beneficiary.objects.get(member=socio, deleted_at__isnull=True)
    assert (saved.kind, saved.internal_account_id, saved.name, saved.alias, saved.email) == (
        BeneficiaryKind.INTERNAL,
        maria_account.pk,
        "MA*** PE***",
        "Mari",
        "maria.fernanda@example.com",
    )
    result = text(client.get(reverse("confirmation:result", kwargs={"token": operation.token})))
    assert "¡Transferencia exitosa!" in result
    assert "Mari está entre tus beneficiarios" in result
    # The beneficiary was told, at the address typed; the member heard of both.
    assert Message.objects.filter(
        kind="transferencia_beneficiario", recipient="maria.fernanda@example.com"
    ).exists()
    assert Message.objects.filter(kind="beneficiario_registrado", recipient=socio.email).exists()
    # A replay of the code (a refresh, a double click) is the same one transfer.
    again = client.post(code_url(operation), {"code": last_code(socio)})
    assert again.status_code == 302
    assert Receipt.objects.filter(member=socio, kind="transfer_internal").count() == 1
    assert Beneficiary.objects.filter(member=socio).count() == 1
    assert balance(maria_account) == 55_555 + 1_250
    # Next time it is a saved beneficiary of the form.
    assert str(saved.pk) in [
        c[0] for c in client.get(INTERNAL).context["form"]["beneficiary"].field.choices
    ]


def test_a_new_account_without_guardar_transfers_and_saves_nothing(
    client, socio, savings, maria_account
) -> None:
    response = client.post(INTERNAL, new_internal(savings, maria_account.number))
    operation, confirm = confirm_and_code(client, socio, response)
    assert "Guardar beneficiario No" in confirm
    assert operation.status == PendingOperation.Status.DONE, operation.result
    assert balance(maria_account) == 55_555 + 1_250
    assert not Beneficiary.objects.exists()
    assert not Message.objects.filter(kind="transferencia_beneficiario").exists()


def test_a_refused_save_moves_no_money(client, socio, savings, maria_account, monkeypatch) -> None:
    """The transfer and the beneficiary are one: when the save is refused at execution
    (here the database's, simulated), the transfer made just before it is undone."""
    response = client.post(
        INTERNAL, new_internal(savings, maria_account.number, guardar_beneficiario="on")
    )
    assert response.status_code == 302

    def refuse(beneficiary, **save):
        raise ValidationError("No pudimos guardar el beneficiario.")

    monkeypatch.setattr(beneficiary_services, "_save_unique", refuse)
    operation, _ = confirm_and_code(client, socio, response)
    assert operation.status == PendingOperation.Status.FAILED
    assert "No pudimos guardar el beneficiario." in operation.failure_message
    assert balance(savings) == 100_000
    assert balance(maria_account) == 55_555
    assert not Receipt.objects.filter(member=socio, kind="transfer_internal").exists()
    assert not LimitUsage.objects.exists()
    assert not Beneficiary.objects.exists()
    assert not Message.objects.filter(kind="transferencia_realizada").exists()


def test_an_account_already_saved_is_reused_not_saved_twice(
    client, socio, savings, maria_account
) -> None:
    existing = beneficiary_services.beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.INTERNAL,
        account_number=maria_account.number,
        alias="Prima",
    )
    validated = client.post(INTERNAL, new_internal(savings, maria_account.number, validar="1"))
    assert "ya está entre tus beneficiarios como «Prima»" in text(validated)
    # «Guardar beneficiario» posted anyway (a form opened before it was saved): reused.
    response = client.post(
        INTERNAL, new_internal(savings, maria_account.number, guardar_beneficiario="on")
    )
    operation, _ = confirm_and_code(client, socio, response)
    assert operation.status == PendingOperation.Status.DONE, operation.result
    assert operation.result["beneficiary"] == existing.pk
    assert list(Beneficiary.objects.filter(member=socio).values_list("alias", flat=True)) == [
        "Prima"
    ]
    assert balance(maria_account) == 55_555 + 1_250


def test_an_account_closed_after_confirmar_fails_with_nothing_moved_or_saved(
    client, socio, savings, maria_account
) -> None:
    response = client.post(
        INTERNAL, new_internal(savings, maria_account.number, guardar_beneficiario="on")
    )
    operation = latest_operation(socio)
    client.post(response["Location"])
    account_set_status(account=maria_account, status=AccountStatus.INACTIVE)
    client.post(code_url(operation), {"code": last_code(socio)})
    operation.refresh_from_db()
    assert operation.status == PendingOperation.Status.FAILED
    assert operation.failure_message == MSG_INTERNAL_UNAVAILABLE
    assert balance(savings) == 100_000
    assert not Beneficiary.objects.exists()


# ------------------------------------------------------------------------ interbank


def new_external(source: DepositAccount, **extra: str) -> dict[str, str]:
    return {
        "destino": "nuevo",
        "source": source.number,
        "institution": str(Institution.objects.get(name="BANCO PICHINCHA").pk),
        "identification_type": "CEDULA",
        "identification": "1710034065",
        "account_type": "savings",
        "account_number": "2200-123-456",
        "name": "Xavier Gonzalez",
        "amount": "10",
        "motive": "Arriendo",
        **extra,
    }


def test_interbank_new_destination_says_each_problem_at_its_field(client, savings) -> None:
    response = client.post(
        INTERBANK, {"destino": "nuevo", "source": savings.number, "amount": "10"}
    )
    assert response.status_code == 400
    assert field_error(response, "institution") == "Selecciona la entidad financiera de la lista."
    assert (
        field_error(response, "account_type")
        == "Selecciona el tipo de cuenta: Ahorros o Corriente."
    )
    assert field_error(response, "account_number") == "Ingresa el número de cuenta."
    assert field_error(response, "name") == "Ingresa el nombre del beneficiario, solo con letras."
    assert "identification_type" in response.context["form"].errors
    bad = client.post(INTERBANK, new_external(savings, identification="1710034066"))
    assert bad.status_code == 400
    assert "identification" in bad.context["form"].errors


def test_interbank_to_a_new_account_saved_with_it(client, socio, savings) -> None:
    page = client.get(INTERBANK)
    for label in (
        "Entidad financiera",
        "Tipo de identificación",
        "Identificación del beneficiario",
        "Tipo de cuenta",
        "Número de cuenta",
        "Nombre del beneficiario",
    ):
        assert label in text(page)
    response = client.post(
        INTERBANK, new_external(savings, guardar_beneficiario="on", alias="Xavi")
    )
    operation, confirm = confirm_and_code(client, socio, response)
    assert "Cuenta destino XAVIER GONZALEZ - BANCO PICHINCHA - Ahorros …3456" in confirm
    assert "Identificación Cédula 1710034065" in confirm
    assert "Comisión $ 0.36" in confirm
    assert "Total a debitar $ 10.41" in confirm
    assert operation.status == PendingOperation.Status.DONE, operation.result
    order = InterbankTransfer.objects.get(member=socio)
    assert order.status == TransferStatus.PENDING
    assert (order.beneficiary_name, order.beneficiary_account, order.institution) == (
        "XAVIER GONZALEZ",
        "2200123456",
        "BANCO PICHINCHA",
    )
    assert order.beneficiary_identification == "1710034065"
    assert balance(savings) == 100_000 - 1_041
    saved = Beneficiary.objects.get(member=socio)
    assert (saved.kind, saved.account_number, saved.alias, saved.institution.name) == (
        BeneficiaryKind.EXTERNAL,
        "2200123456",
        "Xavi",
        "BANCO PICHINCHA",
    )
    # A replay is the same one order.
    client.post(code_url(operation), {"code": last_code(socio)})
    assert InterbankTransfer.objects.filter(member=socio).count() == 1
    assert Beneficiary.objects.filter(member=socio).count() == 1


def test_another_members_session_cannot_use_the_new_destination_flow_to_read_accounts(
    savings, maria, maria_account
) -> None:
    """Maria, validating Andres's account, sees only his masked name too."""
    andres_account = savings
    maria_client = logged_in(maria)
    response = maria_client.post(
        INTERNAL,
        {
            "destino": "nuevo",
            "source": maria_account.number,
            "account_number": andres_account.number,
            "validar": "1",
        },
    )
    assert response.status_code == 200
    assert "AN*** LO***" in text(response)
    html = response.content.decode()
    for secret in ("Andres", "ANDRES", "Lopez", "LOPEZ", "1,000.00"):
        assert secret not in html, secret
