"""Bloquear / Desbloquear tarjeta and Aviso de viaje through the Django client: the lock
at once from its page, the unlock and the travel notice through Confirmar and the
code, "Anular aviso", the form's errors, and another member's card a 404 on every
page, GET and POST alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
)
from enlinea.cards import lock
from enlinea.cards.models import TravelNotice
from enlinea.cards.selectors import card_reference
from enlinea.confirmation.models import PendingOperation
from enlinea.ledger.services import chart_ensure
from enlinea.products.models import CardStatus, DebitCard
from enlinea.products.services import (
    account_open,
    card_set_status,
    credit_card_issue,
    debit_card_issue,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PAGES = ("cards:lock", "cards:unlock", "cards:travel")


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&nbsp;", " ").strip()


@pytest.fixture
def member(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def intruder(db):
    chart_ensure()
    return enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez Guaman")


@pytest.fixture
def debit(member) -> DebitCard:
    savings = account_open(member=member, idempotency_key="lv-sav")
    return debit_card_issue(account=savings, idempotency_key="lv-debit")


@pytest.fixture
def credit(member):
    return credit_card_issue(member=member, credit_limit=100_000, idempotency_key="lv-credit")


def url(name: str, card) -> str:
    kind = "credito" if hasattr(card, "credit_limit") else "debito"
    return reverse(name, kwargs={"kind": kind, "reference": card_reference(card)})


def fresh(card):
    return type(card).objects.get(pk=card.pk)


def through_the_code(client: Client, member, response) -> tuple[str, str]:
    """From a form's redirect: the Confirmar page's text, then the code; the result's."""
    assert response.status_code == 302, text(response)
    operation = latest_operation(member)
    confirm = text(client.get(response["Location"]))
    sent = client.post(response["Location"])
    assert sent["Location"] == code_url(operation)
    done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    return confirm, text(client.get(done["Location"]))


# ------------------------------------------------------------------------ lock


def test_bloquear_tarjeta_locks_at_once_and_says_so_on_the_card_list(member, debit) -> None:
    client = logged_in(member)
    page = client.get(url("cards:lock", debit))
    assert page.status_code == 200
    body = text(page)
    assert "¿Qué hace el bloqueo temporal?" in body
    assert debit.masked_number in body
    assert debit.holder_name in body
    response = client.post(url("cards:lock", debit))
    assert response["Location"] == reverse("cards:debit_list")
    assert fresh(debit).locked_by_member
    assert not PendingOperation.objects.filter(member=member).exists()  # no code
    listing = text(client.get(response["Location"]))
    assert f"Tu MC Débito {debit.masked_number} quedó bloqueada temporalmente" in listing
    assert "BLOQUEO TEMPORAL" in listing
    assert "Desbloquear tarjeta" in listing
    # A second submit (another tab) is refused kindly.
    again = client.post(url("cards:lock", debit), follow=True)
    assert lock.MSG_ALREADY_LOCKED in text(again)


def test_csrf_is_enforced_on_bloquear(member, debit) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post(url("cards:lock", debit)).status_code == 403
    assert not fresh(debit).locked_by_member


def test_desbloquear_tarjeta_goes_through_confirmar_and_the_code(member, credit) -> None:
    lock.card_lock(card=credit)
    client = logged_in(member)
    assert "te enviaremos un código de seguridad" in text(client.get(url("cards:unlock", credit)))
    confirm, result = through_the_code(client, member, client.post(url("cards:unlock", credit)))
    assert "Confirmar desbloqueo" in confirm
    assert f"Tarjeta Mastercard Estándar {credit.masked_number}" in confirm
    assert f"Titular {credit.holder_name}" in confirm
    assert "Tipo de tarjeta Tarjeta de crédito" in confirm
    assert "Tarjeta desbloqueada" in result
    assert not fresh(credit).locked_by_member


def test_desbloquear_a_card_unlocked_meanwhile_fails_kindly(member, debit) -> None:
    lock.card_lock(card=debit)
    client = logged_in(member)
    response = client.post(url("cards:unlock", debit))
    lock.card_unlock(card=fresh(debit))  # another tab finished first
    _, result = through_the_code(client, member, response)
    assert lock.MSG_NOT_LOCKED in result
    assert latest_operation(member).status == PendingOperation.Status.FAILED


def test_desbloquear_a_card_that_is_not_locked_starts_nothing(member, debit) -> None:
    client = logged_in(member)
    assert "no hay nada que desbloquear" in text(client.get(url("cards:unlock", debit)))
    client.post(url("cards:unlock", debit))
    assert not PendingOperation.objects.filter(member=member).exists()


# ------------------------------------------------------------------------ travel


def _travel(starts: int = 1, ends: int = 8, countries: tuple[str, ...] = ("CO", "US")) -> dict:
    return {
        "starts": (TODAY() + dt.timedelta(days=starts)).isoformat(),
        "ends": (TODAY() + dt.timedelta(days=ends)).isoformat(),
        "countries": list(countries),
    }


def test_aviso_de_viaje_through_confirmar_and_the_code_then_listed_and_cancelled(
    member, debit
) -> None:
    client = logged_in(member)
    page = text(client.get(url("cards:travel", debit)))
    for label in ("Fecha de salida", "Fecha de regreso", "Países", "Colombia", "Reino Unido"):
        assert label in page
    assert "no tiene avisos de viaje vigentes" in page
    confirm, result = through_the_code(
        client, member, client.post(url("cards:travel", debit), _travel())
    )
    assert "Confirmar aviso de viaje" in confirm
    assert "Países Colombia, Estados Unidos" in confirm
    assert "Aviso de viaje registrado" in result
    notice = TravelNotice.objects.get(member=member)
    assert (notice.card_kind, notice.card_id, notice.countries) == (
        "debito",
        debit.pk,
        ["CO", "US"],
    )
    listed = text(client.get(url("cards:travel", debit)))
    assert "Colombia, Estados Unidos" in listed
    assert "Anular aviso" in listed
    cancelled = client.post(url("cards:travel", debit), {"anular": notice.pk}, follow=True)
    assert "Anulaste el aviso de viaje." in text(cancelled)
    assert TravelNotice.objects.get(pk=notice.pk).cancelled_at is not None


def test_aviso_de_viaje_errors_are_shown_beside_the_fields(member, debit) -> None:
    client = logged_in(member)
    response = client.post(url("cards:travel", debit), _travel(starts=-2, ends=-3, countries=()))
    assert response.status_code == 400
    body = text(response)
    assert response.content.decode().count("<title>Error: ") == 1
    assert "Hay un problema" in body
    assert lock.MSG_STARTS_PAST in body
    assert lock.MSG_NO_COUNTRY in body
    unknown = client.post(url("cards:travel", debit), _travel(countries=("ZZ",)))
    assert unknown.status_code == 400
    assert lock.MSG_UNKNOWN_COUNTRY in text(unknown)
    too_long = client.post(url("cards:travel", debit), _travel(starts=0, ends=200))
    assert lock.MSG_TOO_LONG in text(too_long)
    assert not PendingOperation.objects.filter(member=member).exists()


def test_aviso_de_viaje_of_a_card_not_active_shows_no_form(member, debit) -> None:
    card_set_status(card=debit, status=CardStatus.INACTIVE)
    client = logged_in(member)
    assert "Registrar aviso de viaje" not in text(client.get(url("cards:travel", debit)))
    client.post(url("cards:travel", debit), _travel())
    assert not PendingOperation.objects.filter(member=member).exists()


def test_anular_a_notice_of_another_card_is_404(member, debit, credit) -> None:
    notice = lock.travel_notice_add(card=credit, starts=TODAY(), ends=TODAY(), countries=["CO"])
    client = logged_in(member)
    assert client.post(url("cards:travel", debit), {"anular": notice.pk}).status_code == 404
    assert client.post(url("cards:travel", debit), {"anular": "x"}).status_code == 404
    assert TravelNotice.objects.get(pk=notice.pk).cancelled_at is None


# ------------------------------------------------------------------------ owner scoping


@pytest.mark.parametrize("which", ["debit", "credit"])
@pytest.mark.parametrize("name", PAGES)
def test_another_members_card_is_404_on_get_and_post(request, intruder, name, which) -> None:
    card = request.getfixturevalue(which)
    lock.card_lock(card=card)  # so Desbloquear would act on it
    client = logged_in(intruder)
    target = url(name, card)
    assert client.get(target).status_code == 404
    assert client.post(target, _travel()).status_code == 404
    assert fresh(card).locked_by_member
    assert not PendingOperation.objects.filter(member=intruder).exists()


@pytest.mark.parametrize("name", PAGES)
def test_a_database_id_or_the_wrong_kind_is_404(member, debit, name) -> None:
    client = logged_in(member)
    for kind, reference in (
        ("debito", str(debit.pk)),
        ("credito", card_reference(debit)),
        ("debito", card_reference(debit)[:-1] + "0"),
    ):
        target = reverse(name, kwargs={"kind": kind, "reference": reference})
        if target == url(name, debit):
            continue
        assert client.get(target).status_code == 404
