"""403 and 400 pages: Spanish, with a way back that fits who is looking, no details.

Django's own pages are bare English ("403 Forbidden"); a teller without a permission
or a member who follows a stale link must get the site's page instead, also from
inside the back office (the admin raises PermissionDenied itself).
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER, roles_ensure

pytestmark = pytest.mark.django_db

BOOM = "enlinea.web.tests.urls_boom"
STAFF_PASSWORD = "Ventanilla#2026x"


@pytest.fixture(autouse=True)
def _production_like(settings) -> None:
    settings.DEBUG = False


def staff_client(django_user_model, role: str) -> Client:
    """A logged-in staff user of ``role``, past the second factor when there is one."""
    roles_ensure()
    user = django_user_model.objects.create_user(
        username=f"{role.lower()}.prueba", password=STAFF_PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    if "django_otp" in django_settings.INSTALLED_APPS:
        # The staff second factor: a confirmed TOTP device, verified in this session
        # exactly as django_otp.login() records it.
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="pruebas", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def assert_spanish_403(response, *, back_url: str, back_label: str) -> str:
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "No tienes permiso para ver esta página" in body
    assert f'href="{back_url}">{back_label}</a>' in body
    assert "Forbidden" not in body
    assert "403" not in body.split("<body", 1)[1]
    return body


def test_a_teller_opening_a_loan_page_gets_the_spanish_403(django_user_model) -> None:
    client = staff_client(django_user_model, TELLER)
    for path in (
        reverse("admin:products_loan_changelist"),
        reverse("admin:products_loan_change", args=[1]),
    ):
        body = assert_spanish_403(
            client.get(path), back_url=reverse("admin:index"), back_label="Volver al back office"
        )
        assert "Tu rol en el back office no incluye esta opción" in body
    # The teller can still do their own work.
    assert client.get(reverse("admin:products_depositaccount_changelist")).status_code == 200


@pytest.mark.parametrize("segment", ["deposito", "retiro"])
def test_a_cash_view_without_the_permission_gets_the_spanish_403(
    django_user_model, segment
) -> None:
    client = staff_client(django_user_model, SUPPORT)
    response = client.get(
        reverse(
            f"admin:products_depositaccount_cash_{'deposit' if segment == 'deposito' else 'withdrawal'}",
            args=[1],
        )
    )
    body = assert_spanish_403(
        response, back_url=reverse("admin:index"), back_label="Volver al back office"
    )
    assert "cash_deposit" not in body
    assert "cash_withdrawal" not in body


def test_member_403_is_spanish_leads_to_mis_productos_and_hides_the_detail(
    settings, member
) -> None:
    settings.ROOT_URLCONF = BOOM
    client = Client(raise_request_exception=False)
    client.force_login(member)
    body = assert_spanish_403(
        client.get("/prohibido/"), back_url=reverse("web:home"), back_label="Ir a Mis productos"
    )
    assert "Esta página no está disponible para tu usuario" in body
    assert "permiso interno" not in body
    assert "back office" not in body


def test_anonymous_403_leads_to_the_login(settings) -> None:
    settings.ROOT_URLCONF = BOOM
    client = Client(raise_request_exception=False)
    assert_spanish_403(
        client.get("/prohibido/"),
        back_url=reverse("session:login"),
        back_label="Ir a Iniciar Sesión",
    )


def test_staff_403_outside_the_admin_still_offers_the_back_office(
    settings, django_user_model
) -> None:
    client = staff_client(django_user_model, OPERATIONS)
    settings.ROOT_URLCONF = BOOM
    assert_spanish_403(
        client.get("/prohibido/"),
        back_url=reverse("admin:index"),
        back_label="Volver al back office",
    )


def test_member_400_is_spanish_and_hides_the_detail(settings, member) -> None:
    settings.ROOT_URLCONF = BOOM
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = client.get("/mal/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "No pudimos procesar tu solicitud" in body
    assert "no hicimos ningún cambio ni movimiento" in body
    assert f'href="{reverse("web:home")}">Ir a Mis productos</a>' in body
    assert "detalle interno" not in body
    assert "Bad Request" not in body


def test_a_tampered_post_with_too_many_fields_gets_the_spanish_400(settings) -> None:
    """A real 400 from Django itself (TooManyFieldsSent), raised before any view runs."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = Client(raise_request_exception=False)
    response = client.post(reverse("session:login"), {f"campo{i}": "x" for i in range(50)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "No pudimos procesar tu solicitud" in body
    assert f'href="{reverse("session:login")}">Ir a Iniciar Sesión</a>' in body


def test_staff_400_in_the_back_office_offers_the_back_office(settings, django_user_model) -> None:
    client = staff_client(django_user_model, TELLER)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post(
        reverse("admin:products_depositaccount_changelist"), {f"c{i}": "x" for i in range(50)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "No pudimos procesar tu solicitud" in body
    assert "avisa al área de tecnología" in body
    assert f'href="{reverse("admin:index")}">Volver al back office</a>' in body
