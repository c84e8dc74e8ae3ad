from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import MEMBER_PASSWORD
from enlinea.web.menu import SECTIONS

pytestmark = pytest.mark.django_db

EDGE = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
CHROME = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"


def test_login_page_is_spanish_with_register_and_forgot_links(client: Client) -> None:
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in body
    assert "<title>Iniciar Sesión · Cooprogreso en Línea</title>" in body
    assert ">Regístrate</a>" in body
    assert ">¿Olvidaste tu contraseña?</a>" in body
    assert 'autocomplete="username"' in body
    assert 'href="/soporte/preguntas-frecuentes/">Preguntas frecuentes</a>' in body


def test_every_menu_option_that_names_a_page_reaches_it() -> None:
    from django.urls import reverse

    from enlinea.web.menu import SECTIONS

    named = [option for section in SECTIONS for option in section.options if option.url_name]
    assert len(named) >= 8  # Perfil's pages and Soporte
    for option in named:
        assert option.url == reverse(option.url_name), option.label


def test_wrong_password_shows_error_summary_and_keeps_the_username(client: Client, member) -> None:
    client.post("/", {"username": "andreslopez"})
    response = client.post(reverse("session:password"), {"password": "otra"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Iniciar Sesión" in body
    assert "Hay un problema" in body
    assert "Usuario o contraseña incorrectos" in body
    assert "Hola, <strong>andreslopez</strong>" in body


def test_empty_login_says_what_to_type_at_each_field(client: Client, member) -> None:
    body = client.post("/", {"username": ""}).content.decode()
    assert 'href="#id_username">Ingresa tu usuario.</a>' in body
    assert 'aria-describedby="id_username_error"' in body
    client.post("/", {"username": "andreslopez"})
    body = client.post(reverse("session:password"), {"password": ""}).content.decode()
    assert 'href="#id_password">Ingresa tu contraseña.</a>' in body


def test_member_pages_need_login(client: Client) -> None:
    for url in [reverse("web:home"), reverse("web:section", args=["transferencias"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/?next=")


def test_menu_has_the_manuals_eight_sections(client: Client, member) -> None:
    client.force_login(member)
    body = client.get(reverse("web:home")).content.decode()
    titles = [
        "Perfil",
        "Posición Consolidada",
        "Transferencias",
        "Pago de Tarjetas",
        "Pago de Servicios",
        "Tarjetas Cooprogreso",
        "Administración Beneficiarios",
        "Servicios",
    ]
    assert [s.title for s in SECTIONS] == titles
    wide_menu = body.split('class="sidemenu-wide"')[1]
    assert re.findall(r"<span>([^<]+)</span></a></li>", wide_menu) == titles
    assert "Cerrar sesión" in body
    assert 'href="tel:1800266776"' in body


def test_menu_uses_the_institutions_short_name(client: Client, member, settings) -> None:
    settings.INSTITUTION = {**settings.INSTITUTION, "name": "Coop Andina", "short_name": "Andina"}
    client.force_login(member)
    body = client.get(reverse("web:section", args=["tarjetas"])).content.decode()
    assert '<h1 tabindex="-1">Tarjetas Andina</h1>' in body
    assert "Cooprogreso" not in body


def test_unknown_section_is_404(client: Client, member) -> None:
    client.force_login(member)
    assert client.get(reverse("web:section", args=["no-existe"])).status_code == 404


def test_header_shows_the_previous_sessions_time_and_device(member, client_login) -> None:
    first = Client()
    client_login(first, HTTP_USER_AGENT=EDGE, REMOTE_ADDR="179.60.191.12")
    body = first.get(reverse("web:home")).content.decode()
    assert "Última conexión: primera vez que ingresas" in body

    second = Client()
    client_login(second, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="200.50.232.110")
    body = second.get(reverse("web:home")).content.decode()
    assert "Dispositivo: Microsoft Edge - WEB - 179.60.191.12" in body
    assert re.search(
        r"Última conexión: <time datetime=\"[^\"]+\">\d\d/[a-z]{3}\./\d{4} \d\d:\d\d</time>", body
    )

    # The first session still shows the login before it (none), not the newer one.
    assert "primera vez que ingresas" in first.get(reverse("web:home")).content.decode()


def test_design_system_page_only_in_development_or_demo(client: Client, member, settings) -> None:
    client.force_login(member)
    assert client.get(reverse("web:components")).status_code == 404
    settings.DEMO_MODE = True
    response = client.get(reverse("web:components"))
    assert response.status_code == 200
    assert "Factor de seguridad" in response.content.decode()


def test_design_system_form_validates_on_the_server(client: Client, member, settings) -> None:
    settings.DEMO_MODE = True
    client.force_login(member)
    body = client.post(
        reverse("web:components"), {"cedula": "12-34", "monto": "1,2,3"}
    ).content.decode()
    assert "Ingresa un número de cédula de 10 dígitos." in body
    assert "Ingresa un monto válido, por ejemplo 1,255.02." in body
    assert 'value="12-34"' in body  # never clears what the member typed
    body = client.post(
        reverse("web:components"), {"cedula": "1710034065", "monto": "1.255,02"}
    ).content.decode()
    assert "Datos válidos: monto $ 1,255.02." in body


def test_seed_demo_is_idempotent(django_user_model) -> None:
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    assert django_user_model.objects.filter(username="andreslopez").count() == 1
    assert django_user_model.objects.get(username="andreslopez").check_password(MEMBER_PASSWORD)
    staff = django_user_model.objects.get(username="backoffice")
    assert staff.is_staff
    assert staff.check_password("Operaciones#2026")
    assert staff.password.startswith("argon2")
