"""The back office's queue of stuck interbank transfers: the «atascadas» filter, and
Reintentar and Devolver, each behind its permission, audited and applied once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.security.models import AuditEvent
from enlinea.staff.testing import staff_login
from enlinea.transfers import clearing
from enlinea.transfers.clearing import clearing_cycle
from enlinea.transfers.models import InterbankTransfer, TransferStatus
from enlinea.transfers.tests.conftest import OPENING, balance, interbank

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:transfers_interbanktransfer_changelist"
QUEUE_PERMISSIONS = ("view_interbanktransfer", "resolve_interbanktransfer")


def _staff(username: str, *codenames: str) -> tuple[Client, object]:
    user = get_user_model().objects.create_user(
        username=username, password="x-Back-Office-2026", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="transfers", codename__in=codenames)
    )
    return staff_login(Client(), user), user


def _stuck(savings, number: str, key: str) -> InterbankTransfer:
    """An order sent 40 minutes ago that the network never answered."""
    order = interbank(savings, 1_000, number, key)
    clearing_cycle(now=timezone.now())
    long_ago = timezone.now() - dt.timedelta(minutes=40)
    InterbankTransfer.objects.filter(pk=order.pk).update(sent_at=long_ago, created_at=long_ago)
    return InterbankTransfer.objects.get(pk=order.pk)


def _url(name: str, order: InterbankTransfer) -> str:
    return reverse(f"admin:transfers_interbanktransfer_{name}", args=[order.pk])


def test_the_atascadas_filter_lists_only_stuck_transfers(savings, other_savings) -> None:
    stuck = _stuck(savings, "2203346666", "stuck")
    fresh = interbank(other_savings, 2_000, "2203344556", "fresh")
    client, _ = _staff("operaciones.cola", *QUEUE_PERMISSIONS)
    page = client.get(reverse(CHANGELIST), {"atascadas": "si"})
    assert page.status_code == 200
    shown = list(page.context["cl"].queryset)
    assert shown == [stuck]
    assert fresh not in shown
    html = page.content.decode()
    assert "atascadas" in html
    assert _url("retry", stuck) in html
    assert _url("giveback", stuck) in html
    other = client.get(reverse(CHANGELIST), {"atascadas": "no"})
    assert list(other.context["cl"].queryset) == [fresh]


def test_reintentar_resends_a_stuck_transfer_once_and_is_audited(savings) -> None:
    order = _stuck(savings, "2203347777", "lost")  # its first send was lost
    client, user = _staff("operaciones.reintenta", *QUEUE_PERMISSIONS)
    url = _url("retry", order)
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.attempts == 2
    assert order.status == TransferStatus.SENT
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETRIED, user=user).count() == 1
    assert LogEntry.objects.filter(object_id=str(order.pk), user=user).exists()
    # A second press right after: refused at the form, nothing sent.
    again = client.post(url, {})
    assert again.status_code == 200
    assert "no está atascada" in again.content.decode()
    order.refresh_from_db()
    assert order.attempts == 2
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETRIED).count() == 1


def test_devolver_needs_a_motive_and_returns_once(savings) -> None:
    order = _stuck(savings, "2203346666", "never")
    client, user = _staff("operaciones.devuelve", *QUEUE_PERMISSIONS)
    url = _url("giveback", order)
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200
    assert "Indica el motivo de la devolución." in empty.content.decode()
    assert InterbankTransfer.objects.get(pk=order.pk).status == TransferStatus.SENT

    done = client.post(url, {"reason": "Confirmado con el BCE: no procesada"})
    assert done.status_code == 302, done.content.decode()[:2000]
    order.refresh_from_db()
    assert order.status == TransferStatus.RETURNED
    assert order.returned_by == user
    assert balance(savings) == OPENING
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETURNED, user=user).count() == 1

    twice = client.post(url, {"reason": "otra vez"}, follow=True)
    assert "ya estaba devuelta" in twice.content.decode()
    assert AuditEvent.objects.filter(kind=clearing.AUDIT_RETURNED).count() == 1
    assert balance(savings) == OPENING


def test_without_the_permission_the_actions_are_refused(savings) -> None:
    order = _stuck(savings, "2203346666", "never")
    viewer, _ = _staff("soporte.cola", "view_interbanktransfer")
    page = viewer.get(reverse(CHANGELIST), {"atascadas": "si"})
    assert page.status_code == 200
    assert _url("giveback", order) not in page.content.decode()
    assert viewer.post(_url("retry", order), {}).status_code == 403
    assert viewer.post(_url("giveback", order), {"reason": "x"}).status_code == 403
    nobody, _ = _staff("cajero.cola")
    assert nobody.get(reverse(CHANGELIST)).status_code == 403
    assert InterbankTransfer.objects.get(pk=order.pk).status == TransferStatus.SENT


def test_an_unknown_transfer_answers_404(db) -> None:
    client, _ = _staff("operaciones.404", *QUEUE_PERMISSIONS)
    url = reverse("admin:transfers_interbanktransfer_retry", args=[999_999])
    assert client.get(url).status_code == 404


def test_batches_and_incoming_pages_open(savings) -> None:
    order = interbank(savings, 1_000, "2203344556", "ib")
    clearing_cycle(now=timezone.now())
    client, _ = _staff(
        "operaciones.lotes",
        "view_interbankbatch",
        "view_incomingtransfer",
        "view_interbanktransfer",
    )
    batches = client.get(reverse("admin:transfers_interbankbatch_changelist"))
    assert batches.status_code == 200
    batch = InterbankTransfer.objects.get(pk=order.pk).batch
    assert batch.reference in batches.content.decode()
    listing = client.get(
        reverse("admin:transfers_interbanktransfer_changelist"), {"batch__id__exact": batch.pk}
    )
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [InterbankTransfer.objects.get(pk=order.pk)]
    assert client.get(reverse("admin:transfers_incomingtransfer_changelist")).status_code == 200
    detail = client.get(reverse("admin:transfers_interbanktransfer_change", args=[order.pk]))
    assert detail.status_code == 200
