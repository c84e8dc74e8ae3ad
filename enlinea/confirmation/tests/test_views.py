"""The confirmation flow's pages: Confirmar, the code dialog, Reenviar, the result."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.access.models import AuditKind, OnlineProfile
from enlinea.access.tests.profile_support import (
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
    text,
    wrong_code,
)
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.services import operation_start
from enlinea.confirmation.tests.support import KIND, MSG_REFUSED
from enlinea.security.models import AuditEvent, SecurityChallenge

pytestmark = pytest.mark.django_db

Status = PendingOperation.Status
URL_NAMES = ("operation", "code", "resend", "result")


def _url(name: str, operation) -> str:
    return reverse(f"confirmation:{name}", kwargs={"token": operation.token})


def _start(client: Client, socio, **content) -> PendingOperation:
    """Start the test kind as its form would, through a request of this client."""
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = socio.user
    request.session = client.session
    return operation_start(
        member=socio, kind=KIND, content=content or {"image": "paloma"}, request=request
    )


def _image(socio) -> str:
    return OnlineProfile.objects.get(user=socio.user).security_image


def test_confirm_page_shows_every_detail_then_confirmar_sends_the_code(
    client, socio, test_kind
) -> None:
    operation = _start(client, socio)
    page = client.get(_url("operation", operation))
    assert page.status_code == 200
    body = text(page)
    assert "<title>Confirmar cambio de imagen · " in body
    assert "Verifica que todos los datos estén correctos" in body
    assert "<dt>Imagen nueva</dt><dd>Paloma</dd>" in body
    assert "<dt>Canal</dt><dd>Banca Web</dd>" in body
    assert f'href="{reverse("profile:image")}">Regresar</a>' in body
    assert "Confirmar cambio</button>" in body
    assert not SecurityChallenge.objects.exists()
    # Before "Confirmar", the code and result steps send the member back here.
    assert client.get(_url("code", operation))["Location"] == _url("operation", operation)
    assert client.get(_url("result", operation))["Location"] == _url("operation", operation)

    response = client.post(_url("operation", operation))
    assert response["Location"] == _url("code", operation)
    assert client.post(_url("operation", operation))["Location"] == _url("code", operation)
    assert SecurityChallenge.objects.count() == 1  # the second click sent nothing


def test_code_step_says_where_the_code_went_and_disables_reenviar_during_the_cool_down(
    client, socio, test_kind, settings
) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 30
    operation = _start(client, socio)
    client.post(_url("operation", operation))
    body = text(client.get(_url("code", operation)))
    assert "Factor de seguridad" in body
    assert "Enviamos el código a an***@example.com y al celular 09*****" in body
    assert socio.email not in body
    assert socio.mobile_phone not in body
    resend = re.search(r"<button[^>]*>Reenviar</button>", body).group(0)
    assert " disabled" in resend
    assert re.search(r"Podrás pedir otro código en <span data-resend-clock>(30|29)</span>", body)
    assert "confirmation/js/resend" in body
    # The server refuses an early resend all the same.
    response = client.post(_url("resend", operation))
    assert response["Location"] == _url("code", operation)
    assert "Espera " in text(client.get(response["Location"]))
    # After the cool-down, "Reenviar" is enabled and sends a new code.
    SecurityChallenge.objects.update(sent_at=timezone.now() - timedelta(seconds=31))
    body = text(client.get(_url("code", operation)))
    resend = re.search(r"<button[^>]*>Reenviar</button>", body).group(0)
    assert " disabled" not in resend
    client.post(_url("resend", operation))
    body = text(client.get(_url("code", operation)))
    assert "Te enviamos un nuevo código a tu correo y a tu celular." in body


def test_reenviar_at_its_cap_is_not_offered(client, socio, test_kind, settings) -> None:
    settings.ACCESS_CODE_MAX_RESENDS = 0
    operation = _start(client, socio)
    client.post(_url("operation", operation))
    body = text(client.get(_url("code", operation)))
    assert "Ya solicitaste el máximo de códigos para esta operación." in body
    assert ">Reenviar</button>" not in body


def test_the_right_code_shows_the_result_and_a_refresh_shows_it_again(
    client, socio, test_kind
) -> None:
    operation = _start(client, socio)
    client.post(_url("operation", operation))
    response = client.post(_url("code", operation), {"code": last_code(socio)})
    assert response["Location"] == _url("result", operation)
    for _ in range(2):  # the page, then a refresh
        body = text(client.get(_url("result", operation)))
        assert "Imagen de seguridad actualizada" in body
        assert "Tu nueva imagen es paloma." in body
        assert f"Comprobante N.º <strong>IMG-{operation.pk}</strong>" in body
        assert f'href="{reverse("profile:image")}">Cerrar</a>' in body
    # A second "Validar" (double click, Back button): the first result, once.
    again = client.post(_url("code", operation), {"code": last_code(socio)})
    assert again["Location"] == _url("result", operation)
    assert "no se realizó de nuevo" in text(client.get(again["Location"]))
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).count() == 1
    # Every step of a finished operation leads to its result.
    for name in ("operation", "code"):
        assert client.get(_url(name, operation))["Location"] == _url("result", operation)


def test_a_wrong_code_answers_400_with_the_error_in_the_dialog(client, socio, test_kind) -> None:
    operation = _start(client, socio)
    client.post(_url("operation", operation))
    response = client.post(_url("code", operation), {"code": wrong_code(last_code(socio))})
    assert response.status_code == 400
    body = text(response)
    assert "<title>Error: " in body
    assert "El código ingresado es incorrecto. Te quedan 2 intentos." in body
    assert 'aria-invalid="true"' in body
    response = client.post(_url("code", operation), {"code": "12a"})
    assert response.status_code == 400
    assert "Ingresa los 6 dígitos del código que te enviamos." in text(response)
    assert SecurityChallenge.objects.get().attempts == 1  # a malformed code is no try
    assert _image(socio) == "delfin"


def test_a_refused_execution_says_why_and_offers_to_start_again(client, socio, test_kind) -> None:
    operation = _start(client, socio, image="paloma", refuse="validation")
    client.post(_url("operation", operation))
    response = client.post(_url("code", operation), {"code": last_code(socio)})
    assert response["Location"] == _url("result", operation)
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = text(page)
    assert "<title>Error: " in body
    assert "No se realizó la operación" in body
    assert MSG_REFUSED in body
    assert f'href="{reverse("profile:image")}">Volver a empezar</a>' in body
    assert _image(socio) == "delfin"


def test_an_expired_operation_says_so_on_every_step(client, socio, test_kind) -> None:
    operation = _start(client, socio)
    client.post(_url("operation", operation))
    code = last_code(socio)
    PendingOperation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(_url("code", operation), {"code": code})
    assert "El tiempo para confirmar esta operación terminó" in text(response)
    assert f'href="{reverse("profile:image")}">Volver a empezar</a>' in text(response)
    for name in ("operation", "code", "result"):
        assert "El tiempo para confirmar esta operación terminó" in text(
            client.get(_url(name, operation))
        )
    assert "terminó" in text(client.post(_url("resend", operation)))
    assert _image(socio) == "delfin"
    assert latest_operation(socio).status == Status.EXPIRED


def test_two_operations_in_two_tabs_each_keep_their_code(client, socio, test_kind) -> None:
    first = _start(client, socio, image="paloma")
    client.post(_url("operation", first))
    first_code = last_code(socio)
    second = _start(client, socio, image="martillo")
    client.post(_url("operation", second))
    second_code = last_code(socio)
    # The first tab's code typed in the second tab: refused, saying why.
    refused = client.post(_url("code", second), {"code": first_code})
    if first_code != second_code:
        assert refused.status_code == 400
        assert "Ese código es de otra operación" in text(refused)
    assert client.post(_url("code", first), {"code": first_code}).status_code == 302
    assert _image(socio) == "paloma"
    assert client.post(_url("code", second), {"code": second_code}).status_code == 302
    assert _image(socio) == "martillo"


def test_the_pages_need_a_login(client, socio, test_kind) -> None:
    operation = _start(client, socio)
    for name in URL_NAMES:
        response = Client().get(_url(name, operation))
        assert response.status_code == 302
        assert "?next=" in response["Location"]


def test_methods_other_than_the_steps_are_refused(client, socio, test_kind) -> None:
    operation = _start(client, socio)
    assert client.get(_url("resend", operation)).status_code == 405
    assert client.post(_url("result", operation)).status_code == 405
    assert client.delete(_url("code", operation)).status_code == 405


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_members_token_is_404_on_every_confirmation_url(
    client, socio, test_kind, name, method
) -> None:
    operation = _start(client, socio)
    client.post(_url("operation", operation))
    other = logged_in(enrolled_member("mariaperez1"))
    response = getattr(other, method)(_url(name, operation), {"code": last_code(socio)})
    assert response.status_code == 404
    assert client.get(_url(name, operation)).status_code != 404  # the owner reaches it
    operation.refresh_from_db()
    assert operation.status == Status.PENDING
    assert SecurityChallenge.objects.get().attempts == 0
    assert _image(socio) == "delfin"


def test_an_unknown_token_is_404(client) -> None:
    for name in URL_NAMES:
        assert client.get(reverse(f"confirmation:{name}", args=["no-existe"])).status_code == 404
