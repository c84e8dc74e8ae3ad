from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from enlinea.money import AmountError, format_cents, parse_amount
from enlinea.web.menu import BY_SLUG

logger = logging.getLogger(__name__)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after login: Mis productos (enlinea/position/views/accounts.py)."""
    from enlinea.position.views.accounts import my_products

    return my_products(request)


@login_required
def section(request: HttpRequest, slug: str) -> HttpResponse:
    current = BY_SLUG.get(slug)
    if current is None:
        raise Http404
    return render(request, "web/section.html", {"section": current, "current_slug": slug})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable", exc_info=True)
        connection.close()
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class DemoForm(forms.Form):
    """The design system's sample form: shows field errors and the error summary."""

    cedula = forms.CharField(
        label="Número de identificación",
        help_text="Los 10 dígitos de tu cédula.",
        error_messages={"required": "Ingresa tu número de cédula."},
    )
    monto = forms.CharField(
        label="Monto",
        help_text="Por ejemplo 1,255.02",
        error_messages={"required": "Ingresa un monto."},
    )
    referencia = forms.CharField(label="Referencia (Opcional)", required=False)

    def clean_cedula(self) -> str:
        digits = "".join(c for c in self.cleaned_data["cedula"] if c.isdigit())
        if len(digits) != 10:
            raise forms.ValidationError("Ingresa un número de cédula de 10 dígitos.")
        return digits

    def clean_monto(self) -> int:
        try:
            return parse_amount(self.cleaned_data["monto"])
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc


@login_required
def components(request: HttpRequest) -> HttpResponse:
    """The design system on one page, for developers and the browser tests."""
    if not (settings.DEBUG or settings.DEMO_MODE):
        raise Http404
    form = DemoForm(request.POST or None)
    submitted = request.method == "POST" and form.is_valid()
    rows = [
        {
            "numero": "4101****2345",
            "tipo": "CUENTA DE AHORROS",
            "disponible": 19995684,
            "contable": 19996159,
            "estado": "ACTIVA",
        },
        {
            "numero": "4102****0071",
            "tipo": "CERTIFICADOS DE APORTACION",
            "disponible": 0,
            "contable": 0,
            "estado": "ACTIVA",
        },
        {
            "numero": "4103****8810",
            "tipo": "CUENTA PROGRESAR CLIENTES",
            "disponible": 0,
            "contable": 0,
            "estado": "INACTIVA",
        },
    ]
    context = {
        "form": form,
        "submitted": submitted,
        "rows": rows,
        "code_expires_at": timezone.now() + timedelta(minutes=3),
        "confirm_details": [
            ("Cuenta origen", "CUENTA DE AHORROS 4101****2345"),
            ("Beneficiario", "ANDRES DAVID LOPEZ MAYA"),
            ("Monto", format_cents(125502)),
        ],
        "receipt_details": [
            ("Cuenta origen", "CUENTA DE AHORROS 4101****2345"),
            ("Monto", format_cents(125502)),
            ("Comisión", format_cents(36)),
        ],
        "now": timezone.now(),
    }
    return render(request, "web/components.html", context)


def _way_back(request: HttpRequest) -> dict[str, Any]:
    """Where an error page sends people: staff to the back office, a member to Mis
    productos, anyone else to the login page. Never anything about the error itself."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    try:
        back_office = reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin
        back_office = ""
    if back_office and (request.path.startswith(back_office) or (signed_in and user.is_staff)):
        return {"staff": True, "back_url": back_office, "back_label": "Volver al back office"}
    if signed_in:
        return {"staff": False, "back_url": reverse("web:home"), "back_label": "Ir a Mis productos"}
    return {
        "staff": False,
        "back_url": reverse("session:login"),
        "back_label": "Ir a Iniciar Sesión",
    }


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in Spanish for members and staff (e.g. a teller on another role's page).

    The exception's text is never shown: it may name permissions or objects."""
    context = {"title": "No tienes permiso para ver esta página", **_way_back(request)}
    return render(request, "web/403.html", context, status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 in Spanish: a malformed or tampered request (too many fields, a bad upload)."""
    context = {"title": "No pudimos procesar tu solicitud", **_way_back(request)}
    return render(request, "web/400.html", context, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "Página no encontrada",
            "message": "La página que buscas no existe o no tienes acceso a ella.",
        },
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "Algo salió mal",
            "message": "No pudimos completar tu solicitud. Tu dinero está seguro; intenta de nuevo en unos minutos.",
        },
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "La página expiró",
            "message": "Por tu seguridad, vuelve a cargar la página e intenta de nuevo.",
        },
        status=403,
    )
