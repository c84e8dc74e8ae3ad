"""Cambiar PIN and Generar PIN through the Django client: the form's errors at their
fields, the code, the manual's result pages, the pending operation holding no PIN, the
generated PIN's link answered once and only inside the same member's session, and the
card lists with "Más opciones"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from enlinea.access.tests.profile_support import code_url, last_code, latest_operation, logged_in
from enlinea.cards import pins
from enlinea.cards.selectors import card_reference
from enlinea.notifications.models import Message
from enlinea.products.pins import MSG_CONSECUTIVE

from .support import PIN, cardholder

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


@pytest.fixture
def holder():
    return cardholder()


def _url(name: str, card, kind: str) -> str:
    return reverse(name, kwargs={"kind": kind, "reference": card_reference(card)})


def test_the_lists_show_each_card_with_its_options(holder) -> None:
    member, debit, credit = holder
    client = logged_in(member)
    debit_page = text(client.get(reverse("cards:debit_list")))
    assert debit.masked_number in debit_page
    assert "Más opciones" in debit_page
    assert "Cambiar PIN" in debit_page
    assert "Diferir consumos" not in debit_page
    credit_page = text(client.get(reverse("cards:credit_list")))
    for option in ("Cambiar PIN", "Generar PIN", "Diferir consumos", "Pagar"):
        assert option in credit_page
    assert credit.masked_number in credit_page


def test_cambiar_pin_with_its_code_ends_on_the_manuals_message(holder) -> None:
    member, debit, _ = holder
    client = logged_in(member)
    url = _url("cards:pin_change", debit, "debito")
    page = text(client.get(url))
    for words in ("Evita usar dígitos consecutivos", "PIN actual", "Nuevo PIN", "Confirmar PIN"):
        assert words in page
    sent = client.post(url, {"current": PIN, "new": "2580", "confirm": "2580"})
    operation = latest_operation(member)
    assert sent.status_code == 302
    assert sent["Location"] == code_url(operation)
    stored = str(operation.content)
    assert "2580" not in stored.replace(operation.content["new_hash"], "")
    assert PIN not in stored.replace(operation.content["new_hash"], "")
    done = client.post(code_url(operation), {"code": last_code(member)}, follow=True)
    assert "¡PIN cambiado con éxito!" in text(done)
    assert "Revisa tu correo para ver los detalles e instrucciones" in text(done)
    debit.refresh_from_db()
    assert check_password("2580", debit.pin_hash)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current": PIN, "new": "2345", "confirm": "2345"}, "new", MSG_CONSECUTIVE),
        ({"current": PIN, "new": "2580", "confirm": "2581"}, "confirm", "no coincide"),
        ({"current": PIN, "new": "25a0", "confirm": "25a0"}, "new", "4 dígitos"),
        ({"current": "0000", "new": "2580", "confirm": "2580"}, "current", "Te quedan 2"),
        ({"current": "", "new": "2580", "confirm": "2580"}, "current", "Ingresa"),
    ],
)
def test_each_mistake_is_told_at_its_field(holder, data, field, message) -> None:
    member, debit, _ = holder
    response = logged_in(member).post(_url("cards:pin_change", debit, "debito"), data)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</p>', html, flags=re.S)
    assert error is not None
    assert message in error.group(1)
    assert not Message.objects.filter(kind="codigo_seguridad").exists()


def test_a_locked_pin_points_to_generar_pin(holder) -> None:
    member, debit, _ = holder
    client = logged_in(member)
    url = _url("cards:pin_change", debit, "debito")
    for _ in range(3):
        client.post(url, {"current": "1590", "new": "2580", "confirm": "2580"})
    page = text(client.get(url))
    assert "bloqueado por intentos fallidos" in page
    assert "Generar PIN" in page
    assert 'name="current"' not in client.get(url).content.decode()


def _generate_through_pages(client: Client, member, card, kind: str) -> str:
    url = _url("cards:pin_generate", card, kind)
    assert "Generar PIN" in text(client.get(url))
    client.post(url)
    operation = latest_operation(member)
    done = client.post(code_url(operation), {"code": last_code(member)}, follow=True)
    assert "¡PIN generado con éxito!" in text(done)
    body = Message.objects.filter(kind="tarjeta_pin_generado", channel="email").latest("id").body
    return re.search(r"https?://\S+/tarjetas/pin/[^/\s]+/", body).group(0)


def test_generar_pin_link_shows_the_pin_once_in_the_members_session(holder) -> None:
    member, _, credit = holder
    client = logged_in(member)
    link = _generate_through_pages(client, member, credit, "credito")
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == reverse("cards:pin_reveal")
    page = client.get(opened["Location"])
    assert "Ver mi PIN" in text(page)
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    shown = text(client.post(reverse("cards:pin_reveal")))
    pin = re.search(r"\b(\d{4})\b", shown.split("Memorízalo")[1]).group(1)
    credit.refresh_from_db()
    assert check_password(pin, credit.pin_hash)
    # A second opening of the same link is refused.
    client.get(link)
    again = text(client.post(reverse("cards:pin_reveal")))
    assert pins.MSG_LINK_USED in again
    assert pin not in again.split("Tu nuevo PIN", 1)[1]


def test_the_link_outside_a_session_asks_for_login_without_the_token(holder) -> None:
    member, debit, _ = holder
    link = _generate_through_pages(logged_in(member), member, debit, "debito")
    token = link.rstrip("/").rsplit("/", 1)[1]
    anonymous = Client()
    first = anonymous.get(link)
    assert first["Location"] == reverse("cards:pin_reveal")
    login = anonymous.get(first["Location"])
    assert login.status_code == 302
    assert token not in login["Location"]
    # Another member's session with the same link: the link is not theirs.
    other, _, _ = cardholder("mariaperez", first_names="Maria", email="maria@example.com")
    intruder = logged_in(other)
    intruder.get(link)
    refused = intruder.post(reverse("cards:pin_reveal"))
    assert refused.status_code == 200
    assert pins.MSG_LINK_INVALID in text(refused)
    # The owner can still open it: the intruder's try did not spend it.
    owner = logged_in(member)
    owner.get(link)
    assert "Memorízalo" in text(owner.post(reverse("cards:pin_reveal")))
