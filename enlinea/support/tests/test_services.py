"""Filing a complaint and moving it through its statuses (services)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError
from django.utils import timezone

from enlinea.access.models import AuditKind
from enlinea.notifications.models import Message
from enlinea.security.models import AuditEvent
from enlinea.support import services
from enlinea.support.attachments import attachment_path
from enlinea.support.models import Complaint, ComplaintEvent, ComplaintStatus
from enlinea.support.services import complaint_file, complaint_status_change
from enlinea.support.tests.conftest import complaint_data, upload
from enlinea.support.tests.files import exe_bytes, jpg_bytes, pdf_bytes, png_bytes


def file_for(member, **overrides) -> Complaint:
    data = complaint_data(**{"identification": member.identification, **overrides})
    return complaint_file(member=member, **data)


def move(complaint: Complaint, current: str, target: str, by, response: str = "") -> Complaint:
    return complaint_status_change(
        complaint_id=complaint.pk,
        expected_status=current,
        to_status=target,
        response=response,
        by=by,
    )


def stored_files(media_root: Path) -> list[Path]:
    folder = media_root / "quejas"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# -- tickets -------------------------------------------------------------------------


def test_tickets_are_unique_sequential_and_carry_the_year(socio) -> None:
    first = file_for(socio)
    second = file_for(socio)

    year = timezone.localtime().year
    assert first.ticket == f"QR-{year}-{first.pk:06d}"
    assert second.ticket == f"QR-{year}-{second.pk:06d}"
    assert second.pk == first.pk + 1
    assert first.status == ComplaintStatus.RECEIVED


def test_filing_writes_history_audit_and_emails_the_ticket(socio) -> None:
    complaint = file_for(socio)

    assert complaint.email == socio.email
    assert complaint.consent_at is not None
    assert complaint.consent_version == settings.ACCESS_DATA_CONSENT_VERSION
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert (event.from_status, event.to_status) == ("", ComplaintStatus.RECEIVED)
    audit = AuditEvent.objects.get(kind=AuditKind.COMPLAINT)
    assert audit.member == socio
    assert audit.detail["ticket"] == complaint.ticket
    message = Message.objects.get(kind="queja_recibida")
    assert message.recipient == socio.email
    assert message.channel == "email"
    assert complaint.ticket in message.subject
    assert complaint.ticket in message.body
    assert "Cuentas" in message.body


def test_names_are_kept_in_capitals_without_extra_spaces(socio) -> None:
    complaint = file_for(socio, full_name="  andrés   lópez ")
    assert complaint.full_name == "ANDRÉS LÓPEZ"


# -- attachments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime", "ext"),
    [
        ("comprobante.pdf", pdf_bytes(), "application/pdf", "pdf"),
        ("foto.png", png_bytes(), "image/png", "png"),
        ("foto.jpeg", jpg_bytes(), "image/jpeg", "jpg"),
        # Content wins over the name: a PNG called .pdf is kept as the PNG it is.
        ("captura.pdf", png_bytes(), "image/png", "png"),
    ],
)
def test_pdf_jpg_and_png_are_accepted_by_content(socio, media_root, name, content, mime, ext):
    complaint = file_for(socio, attachment=upload(name, content))

    assert complaint.attachment_type == mime
    assert complaint.attachment_name == name
    assert complaint.attachment_size == len(content)
    path = attachment_path(complaint.attachment)
    assert path.suffix == f".{ext}"
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("factura.pdf", b"Esto es texto plano, no un PDF.\n" * 10),
        ("factura.pdf", exe_bytes()),
        ("foto.png", b"<html><script>alert(1)</script></html>"),
        ("programa.exe", exe_bytes()),
    ],
)
def test_files_that_are_not_pdf_jpg_or_png_are_refused_whatever_their_name(
    socio, media_root, name, content
) -> None:
    with pytest.raises(ValidationError) as exc:
        file_for(socio, attachment=upload(name, content, "application/pdf"))

    assert field_errors(exc) == {"attachment": ["El archivo debe ser PDF, JPG o PNG."]}
    assert not Complaint.objects.exists()
    assert stored_files(media_root) == []


def test_attachment_over_the_default_5_mb_is_refused(socio, media_root) -> None:
    big = pdf_bytes() + b"0" * (5 * 1024 * 1024)

    with pytest.raises(ValidationError) as exc:
        file_for(socio, attachment=upload("grande.pdf", big))

    assert field_errors(exc) == {"attachment": ["El archivo supera el máximo de 5 MB."]}
    assert stored_files(media_root) == []


def test_attachment_limit_comes_from_the_setting(socio, settings) -> None:
    settings.SUPPORT_MAX_ATTACHMENT_MB = 1
    content = pdf_bytes() + b"0" * (1024 * 1024)

    with pytest.raises(ValidationError) as exc:
        file_for(socio, attachment=upload("grande.pdf", content))
    assert field_errors(exc) == {"attachment": ["El archivo supera el máximo de 1 MB."]}

    exactly = pdf_bytes()
    exactly += b"0" * (1024 * 1024 - len(exactly))
    assert file_for(socio, attachment=upload("justo.pdf", exactly)).attachment_size == 1024 * 1024


def test_empty_attachment_is_refused(socio) -> None:
    with pytest.raises(ValidationError) as exc:
        file_for(socio, attachment=upload("vacio.pdf", b""))
    assert field_errors(exc) == {"attachment": ["El archivo está vacío. Elige otro archivo."]}


def test_attachment_is_stored_privately_under_a_random_name(socio, media_root, client) -> None:
    name = "mi cédula ../../secreto.pdf"
    complaint = file_for(socio, attachment=upload(name, pdf_bytes()))
    path = attachment_path(complaint.attachment)

    # Under MEDIA_ROOT/quejas, never under the static files, with a random name.
    assert path.is_relative_to(Path(media_root) / "quejas")
    assert not path.is_relative_to(Path(settings.STATIC_ROOT))
    assert "secreto" not in complaint.attachment
    assert "cédula" not in complaint.attachment
    assert ".." not in complaint.attachment
    assert len(path.stem) == 32
    assert complaint.attachment_name == "secreto.pdf"  # shown to staff, never a path
    # Nothing serves it: neither a media URL nor any guess at one.
    for url in (
        f"/media/quejas/{complaint.attachment}",
        f"/quejas/{complaint.attachment}",
        f"/static/quejas/{complaint.attachment}",
    ):
        assert client.get(url).status_code == 404


def test_two_members_files_never_share_a_name(socio, otro_socio, media_root) -> None:
    first = file_for(socio, attachment=upload("comprobante.pdf"))
    second = file_for(
        otro_socio,
        attachment=upload("comprobante.pdf"),
        full_name="Maria Perez",
    )
    assert first.attachment != second.attachment
    assert len(stored_files(media_root)) == 2


# -- the member's products -------------------------------------------------------------


def test_product_number_must_be_the_members_own(socio, otro_socio, django_user_model) -> None:
    from enlinea.products.services import account_open

    theirs = account_open(member=otro_socio, idempotency_key="theirs")

    with pytest.raises(ValidationError) as exc:
        file_for(socio, product_reference=f"cuenta-{theirs.pk}")

    assert field_errors(exc) == {
        "product_reference": ["Selecciona una de tus cuentas o tarjetas de la lista."]
    }
    assert not Complaint.objects.exists()


def test_own_account_is_kept_on_the_complaint(socio, savings) -> None:
    complaint = file_for(socio, product_reference=f"cuenta-{savings.pk}")
    assert complaint.product_reference == f"CUENTA DE AHORROS {savings.number}"


def test_card_numbers_are_kept_masked(socio, debit_card) -> None:
    complaint = file_for(
        socio, product="tarjeta_debito", product_reference=f"debito-{debit_card.pk}"
    )
    assert complaint.product_reference == f"Tarjeta de débito {debit_card.masked_number}"
    digits = "".join(ch for ch in complaint.product_reference if ch.isdigit())
    assert len(digits) == 10  # first six and last four, nothing more


def test_number_must_fit_the_chosen_product(socio, savings) -> None:
    with pytest.raises(ValidationError) as exc:
        file_for(socio, product="tarjeta_credito", product_reference=f"cuenta-{savings.pk}")
    assert field_errors(exc) == {
        "product_reference": [
            "El número elegido no corresponde al producto «Tarjeta de crédito». "
            "Elige otro número o cambia el producto."
        ]
    }


def test_any_own_product_fits_transfers_and_other(socio, savings, credit_card) -> None:
    file_for(socio, product="transferencias", product_reference=f"cuenta-{savings.pk}")
    file_for(socio, product="otro", product_reference=f"tcredito-{credit_card.pk}")
    assert Complaint.objects.count() == 2


# -- required fields -------------------------------------------------------------------


def test_consent_is_required(socio) -> None:
    with pytest.raises(ValidationError) as exc:
        file_for(socio, consent=False)
    assert field_errors(exc) == {
        "consent": [
            "Para enviar tu queja o reclamo debes aceptar las condiciones para el "
            "tratamiento de tus datos."
        ]
    }
    assert not Complaint.objects.exists()


def test_detail_is_required_and_at_most_2000_characters(socio) -> None:
    with pytest.raises(ValidationError) as exc:
        file_for(socio, detail="   ")
    assert field_errors(exc) == {
        "detail": ["Cuéntanos qué pasó: escribe el detalle de tu queja o reclamo."]
    }

    with pytest.raises(ValidationError) as exc:
        file_for(socio, detail="a" * 2001)
    assert field_errors(exc) == {
        "detail": ["El detalle puede tener hasta 2000 caracteres; tiene 2001."]
    }

    assert len(file_for(socio, detail="a" * 2000).detail) == 2000


def test_identification_is_a_valid_cedula_or_a_passport(socio) -> None:
    wrong = socio.identification[:9] + str((int(socio.identification[9]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        file_for(socio, identification=wrong)
    assert field_errors(exc) == {
        "identification": ["El número de cédula no es válido: revisa el dígito verificador."]
    }
    assert file_for(socio, identification="ab 123456").identification == "AB123456"
    with_dashes = f"{socio.identification[:9]}-{socio.identification[9]}"
    assert file_for(socio, identification=with_dashes).identification == socio.identification


def test_every_refused_field_is_reported_at_once(socio) -> None:
    with pytest.raises(ValidationError) as exc:
        file_for(
            socio,
            product="",
            full_name="",
            identification="",
            detail="",
            consent=False,
        )
    assert set(field_errors(exc)) == {
        "product",
        "full_name",
        "identification",
        "detail",
        "consent",
    }


# -- nothing half-done -----------------------------------------------------------------


def test_outbox_failure_rolls_back_the_complaint_and_removes_the_file(
    socio, media_root, monkeypatch
) -> None:
    def broken_outbox(**kwargs):
        raise DatabaseError("outbox unavailable")

    monkeypatch.setattr(services, "notification_send", broken_outbox)

    with pytest.raises(DatabaseError):
        file_for(socio, attachment=upload())

    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.COMPLAINT).exists()
    assert stored_files(media_root) == []


def test_database_failure_removes_the_stored_file(socio, media_root, monkeypatch) -> None:
    def broken_create(*args, **kwargs):
        raise IntegrityError("insert failed")

    monkeypatch.setattr(ComplaintEvent.objects, "create", broken_create)

    with pytest.raises(IntegrityError):
        file_for(socio, attachment=upload())

    assert not Complaint.objects.exists()
    assert not Message.objects.exists()
    assert stored_files(media_root) == []


# -- statuses --------------------------------------------------------------------------


def test_status_moves_received_in_progress_resolved_and_tells_the_member(socio, staff) -> None:
    agent = staff("Soporte")
    complaint = file_for(socio)

    move(complaint, "RECIBIDO", "EN_GESTION", agent, "")
    move(complaint, "EN_GESTION", "RESUELTO", agent, "Revertimos el débito de $ 20.00 a tu cuenta.")

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.response == "Revertimos el débito de $ 20.00 a tu cuenta."
    assert complaint.updated_by == agent
    history = list(complaint.events.values_list("from_status", "to_status", "by"))
    assert history == [
        ("", "RECIBIDO", None),
        ("RECIBIDO", "EN_GESTION", agent.pk),
        ("EN_GESTION", "RESUELTO", agent.pk),
    ]
    emails = Message.objects.filter(kind="queja_estado").order_by("id")
    assert [m.recipient for m in emails] == [complaint.email, complaint.email]
    assert "Resuelto" in emails[1].body
    assert "Revertimos el débito de $ 20.00 a tu cuenta." in emails[1].body
    assert "&" not in emails[1].body  # plain text, not HTML-escaped


def test_closing_needs_a_response(socio, staff) -> None:
    complaint = file_for(socio)
    with pytest.raises(ValidationError) as exc:
        move(complaint, "RECIBIDO", "RECHAZADO", staff("Soporte"), " ")
    assert field_errors(exc) == {
        "response": ["Escribe la respuesta para el socio: se le enviará por correo."]
    }
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ([], "RESUELTO", "Un reclamo en estado «Recibido» no puede pasar a «Resuelto»."),
        (
            ["EN_GESTION"],
            "RECIBIDO",
            "Un reclamo en estado «En gestión» no puede pasar a «Recibido».",
        ),
        (
            ["EN_GESTION", "RESUELTO"],
            "RECHAZADO",
            "Un reclamo en estado «Resuelto» no puede pasar a «Rechazado».",
        ),
        (
            ["RECHAZADO"],
            "EN_GESTION",
            "Un reclamo en estado «Rechazado» no puede pasar a «En gestión».",
        ),
    ],
)
def test_statuses_only_move_forward(socio, staff, path, target, message) -> None:
    agent = staff("Soporte")
    complaint = file_for(socio)
    current = "RECIBIDO"
    for step in path:
        move(complaint, current, step, agent, "Respuesta.")
        current = step

    with pytest.raises(ValidationError) as exc:
        move(complaint, current, target, agent, "Respuesta.")
    assert field_errors(exc) == {"status": [message]}


def test_a_stale_status_form_changes_nothing(socio, staff) -> None:
    agent = staff("Soporte")
    complaint = file_for(socio)
    move(complaint, "RECIBIDO", "EN_GESTION", agent, "")

    with pytest.raises(ValidationError) as exc:
        move(complaint, "RECIBIDO", "RECHAZADO", agent, "Duplicado.")
    assert "ahora está «En gestión»" in field_errors(exc)["status"][0]
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.events.count() == 2


def test_the_database_refuses_an_overlong_or_empty_detail(socio) -> None:
    from django.db import transaction

    complaint = file_for(socio)
    for detail in ("a" * 2001, ""):
        with pytest.raises(IntegrityError), transaction.atomic():
            Complaint.objects.filter(pk=complaint.pk).update(detail=detail)
    complaint.refresh_from_db()
    assert complaint.detail == complaint_data()["detail"]
