"""The back-office queue: who sees it, who changes statuses, attachment downloads."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enlinea.notifications.models import Message
from enlinea.products.roles import roles_ensure
from enlinea.staff.testing import staff_login
from enlinea.support.models import Complaint, ComplaintStatus
from enlinea.support.services import complaint_file
from enlinea.support.tests.conftest import complaint_data, upload
from enlinea.support.tests.files import pdf_bytes

CHANGELIST = reverse("admin:support_complaint_changelist")


def change_url(complaint: Complaint) -> str:
    return reverse("admin:support_complaint_change", args=[complaint.pk])


def status_url(complaint: Complaint) -> str:
    return reverse("admin:support_complaint_status", args=[complaint.pk])


def attachment_url(complaint: Complaint) -> str:
    return reverse("admin:support_complaint_attachment", args=[complaint.pk])


@pytest.fixture
def complaint(socio) -> Complaint:
    return complaint_file(
        member=socio,
        **complaint_data(
            identification=socio.identification,
            attachment=upload("estado de cuenta.pdf", pdf_bytes()),
        ),
    )


def codenames(group: str) -> set[str]:
    return set(
        Group.objects.get(name=group)
        .permissions.filter(content_type__app_label="support")
        .values_list("codename", flat=True)
    )


def test_roles_get_their_complaint_permissions_after_migrate(db) -> None:
    # Nothing called here: the post_migrate handlers ran when the test database was made.
    assert codenames("Soporte") == {"view_complaint", "view_complaintevent", "change_complaint"}
    assert codenames("Operaciones") == {"view_complaint", "view_complaintevent"}
    assert codenames("Cajero") == set()


def test_setup_roles_keeps_the_complaint_permissions(staff) -> None:
    soporte = Group.objects.get(name="Soporte")
    before = set(soporte.permissions.all())
    roles_ensure()
    roles_ensure()
    assert set(soporte.permissions.all()) == before
    assert codenames("Soporte") == {"view_complaint", "view_complaintevent", "change_complaint"}


def test_support_sees_the_queue_and_searches_by_ticket_and_cedula(client, staff, complaint):
    staff_login(client, staff("Soporte"))
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert complaint.ticket in page.content.decode()

    for term in (complaint.ticket, complaint.identification):
        found = client.get(CHANGELIST, {"q": term})
        assert complaint.ticket in found.content.decode()
    assert complaint.ticket not in client.get(CHANGELIST, {"q": "QR-1999-999999"}).content.decode()


def test_queue_filters_by_status_and_product(client, staff, complaint, socio) -> None:
    other = complaint_file(
        member=socio, **complaint_data(identification=socio.identification, product="otro")
    )
    staff_login(client, staff("Soporte"))

    by_product = client.get(CHANGELIST, {"product__exact": "otro"}).content.decode()
    assert other.ticket in by_product
    assert complaint.ticket not in by_product
    by_status = client.get(CHANGELIST, {"status__exact": "EN_GESTION"}).content.decode()
    assert complaint.ticket not in by_status


def test_support_changes_the_status_and_the_member_is_emailed(client, staff, complaint) -> None:
    agent = staff("Soporte")
    staff_login(client, agent)
    detail = client.get(change_url(complaint)).content.decode()
    assert f'href="{status_url(complaint)}"' in detail
    assert f'href="{attachment_url(complaint)}"' in detail

    form = client.get(status_url(complaint))
    assert form.status_code == 200
    assert [value for value, _ in form.context["form"].fields["status"].choices] == [
        "EN_GESTION",
        "RECHAZADO",
    ]
    response = client.post(
        status_url(complaint),
        {"expected_status": "RECIBIDO", "status": "EN_GESTION", "response": "Lo revisamos."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.updated_by == agent
    assert complaint.events.last().by == agent
    history = client.get(change_url(complaint)).content.decode()
    assert "Historial" in history
    assert history.count("En gestión") >= 2  # the status and the history row
    assert agent.username in history  # who changed it
    email = Message.objects.get(kind="queja_estado")
    assert email.recipient == complaint.email
    assert "En gestión" in email.body
    assert "Lo revisamos." in email.body


def test_closing_without_a_response_shows_the_error(client, staff, complaint) -> None:
    staff_login(client, staff("Soporte"))
    client.post(status_url(complaint), {"expected_status": "RECIBIDO", "status": "EN_GESTION"})

    response = client.post(
        status_url(complaint), {"expected_status": "EN_GESTION", "status": "RESUELTO"}
    )
    assert response.status_code == 200
    assert "Escribe la respuesta para el socio" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS


def test_a_final_status_offers_no_change(client, staff, complaint) -> None:
    staff_login(client, staff("Soporte"))
    client.post(
        status_url(complaint),
        {"expected_status": "RECIBIDO", "status": "RECHAZADO", "response": "Duplicado."},
    )
    detail = client.get(change_url(complaint)).content.decode()
    assert f'href="{status_url(complaint)}"' not in detail
    assert client.get(status_url(complaint)).status_code == 302


def test_nothing_is_added_edited_or_deleted_in_the_admin(client, staff, complaint) -> None:
    staff_login(client, staff("Soporte"))
    page = client.get(change_url(complaint)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:support_complaint_add")).status_code == 403
    assert (
        client.get(reverse("admin:support_complaint_delete", args=[complaint.pk])).status_code
        == 403
    )
    client.post(change_url(complaint), {"status": "RESUELTO", "detail": "cambiado"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_operations_may_look_but_not_change(client, staff, complaint) -> None:
    staff_login(client, staff("Operaciones"))
    assert client.get(CHANGELIST).status_code == 200
    detail = client.get(change_url(complaint)).content.decode()
    assert f'href="{status_url(complaint)}"' not in detail
    assert client.get(status_url(complaint)).status_code == 403
    refused = client.post(
        status_url(complaint),
        {"expected_status": "RECIBIDO", "status": "EN_GESTION", "response": ""},
    )
    assert refused.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_tellers_do_not_see_the_queue(client, staff, complaint) -> None:
    staff_login(client, staff("Cajero"))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(complaint)).status_code == 403
    assert client.get(status_url(complaint)).status_code == 403
    assert client.get(attachment_url(complaint)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Quejas y reclamos" not in index


def test_members_cannot_reach_the_back_office(member_client, complaint) -> None:
    response = member_client.get(attachment_url(complaint))
    assert response.status_code == 302
    assert "/backoffice/login/" in response["Location"]


def test_attachment_downloads_as_an_attachment_with_nosniff(client, staff, complaint) -> None:
    staff_login(client, staff("Soporte"))
    response = client.get(attachment_url(complaint))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert re.match(
        r'attachment; filename="estado de cuenta\.pdf"', response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_complaint_without_attachment_has_nothing_to_download(client, staff, socio) -> None:
    plain = complaint_file(member=socio, **complaint_data(identification=socio.identification))
    staff_login(client, staff("Soporte"))
    assert client.get(attachment_url(plain)).status_code == 404
