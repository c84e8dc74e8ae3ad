"""The cast for the support tests: a socio with online access and products, another
socio, and staff of each back-office role. Built through the real services."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from enlinea.access.tests.cast import PASSWORD, online_member
from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.products.services import account_open, credit_card_issue, debit_card_issue
from enlinea.support.tests.files import pdf_bytes


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Attachments go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def socio(db) -> Member:
    chart_ensure()
    return online_member(
        "andreslopez",
        first_names="Andres David",
        last_names="Lopez Maya",
        email="andres.lopez@example.com",
    )


@pytest.fixture
def otro_socio(db) -> Member:
    chart_ensure()
    return online_member(
        "mariaperez",
        first_names="Maria Jose",
        last_names="Perez Ruiz",
        email="maria.perez@example.com",
        mobile_phone="0987654321",
    )


@pytest.fixture
def savings(socio):
    return account_open(member=socio, idempotency_key=f"support-savings-{socio.pk}")


@pytest.fixture
def debit_card(savings):
    return debit_card_issue(account=savings, idempotency_key=f"support-debit-{savings.pk}")


@pytest.fixture
def credit_card(socio):
    return credit_card_issue(
        member=socio, credit_limit=150_000, idempotency_key=f"support-credit-{socio.pk}"
    )


@pytest.fixture
def member_client(client, socio):
    client.force_login(socio.user)
    return client


@pytest.fixture
def staff(db, django_user_model):
    """``staff(role)``: a back-office user in that group (after the roles exist)."""
    from enlinea.products.roles import roles_ensure

    roles_ensure()

    def _staff(role: str):
        user = django_user_model.objects.create_user(
            username=f"staff-{role.lower()}", password=PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return _staff


def upload(
    name: str = "comprobante.pdf",
    content: bytes | None = None,
    content_type: str = "application/pdf",
):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type)


def complaint_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "product": "cuentas",
        "product_reference": "",
        "full_name": "Andres David Lopez Maya",
        "identification": "",
        "detail": "El cajero automático no me entregó el dinero pero sí lo debitó.",
        "attachment": None,
        "consent": True,
    }
    data.update(overrides)
    return data
