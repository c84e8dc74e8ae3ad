"""Finding 9: a complaint's e-mails go only to the member's registered e-mail.

Before, the form had a free "Correo" field and the ticket (with the member's product,
file name and the cooperative's name) went to whatever address was typed: a relay for
phishing. Now there is no address to type or forge.
"""

from __future__ import annotations

import inspect
import re

from django.urls import reverse

from enlinea.members.models import Member
from enlinea.notifications.models import Message
from enlinea.support.models import Complaint
from enlinea.support.services import complaint_file, complaint_status_change
from enlinea.support.tests.conftest import complaint_data

NEW = reverse("support:complaint_new")
FORGED = "victima@otro-dominio.example"


def form_data(member, **overrides) -> dict[str, object]:
    data = complaint_data(identification=member.identification, consent="on")
    data.pop("attachment")
    data.update(overrides)
    return data


def recipients() -> set[str]:
    return set(Message.objects.values_list("recipient", flat=True))


def test_a_forged_email_in_the_post_never_receives_anything(member_client, socio) -> None:
    response = member_client.post(NEW, form_data(socio, email=FORGED))

    complaint = Complaint.objects.get(member=socio)
    assert response.status_code == 302
    assert complaint.email == socio.email
    assert recipients() == {socio.email}
    assert not Message.objects.filter(recipient__icontains="otro-dominio").exists()


def test_the_ticket_goes_to_the_registered_email(member_client, socio) -> None:
    member_client.post(NEW, form_data(socio))

    complaint = Complaint.objects.get(member=socio)
    message = Message.objects.get(kind="queja_recibida")
    assert message.recipient == socio.email
    assert complaint.ticket in message.subject


def test_the_service_takes_no_address_at_all() -> None:
    assert "email" not in inspect.signature(complaint_file).parameters


def test_the_form_shows_the_registered_email_masked_and_read_only(member_client, socio) -> None:
    html = member_client.get(NEW).content.decode()

    field = re.search(r'<input[^>]*id="id_registered_email"[^>]*>', html)
    assert field is not None
    assert "readonly" in field.group(0)
    assert 'value="an***@example.com"' in field.group(0)
    assert "name=" not in field.group(0)  # never submitted
    assert '<label class="label" for="id_registered_email">Correo</label>' in html
    assert 'name="email"' not in html
    assert socio.email not in html


def test_the_receipt_names_the_registered_email_masked(member_client, socio) -> None:
    response = member_client.post(NEW, form_data(socio, email=FORGED), follow=True)

    text = re.sub(r"\s+", " ", response.content.decode())
    assert "Te enviamos el número de ticket a tu correo registrado an***@example.com." in text
    assert FORGED not in text
    assert socio.email not in text


def test_status_changes_go_to_the_registered_email_of_that_moment(socio, staff) -> None:
    complaint = complaint_file(member=socio, **complaint_data(identification=socio.identification))
    # A row written before the fix, with a typed address; and the member's e-mail
    # changed since filing: neither the stored address nor the old one gets the notice.
    Complaint.objects.filter(pk=complaint.pk).update(email=FORGED)
    Member.objects.filter(pk=socio.pk).update(email="andres.nuevo@example.com")

    complaint_status_change(
        complaint_id=complaint.pk,
        expected_status=complaint.status,
        to_status="EN_GESTION",
        response="Lo revisamos.",
        by=staff("Soporte"),
    )

    notice = Message.objects.get(kind="queja_estado")
    assert notice.recipient == "andres.nuevo@example.com"
    assert FORGED not in recipients()
