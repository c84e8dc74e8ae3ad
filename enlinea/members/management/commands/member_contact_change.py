"""Change a member's e-mail or mobile from a script, through the one audited service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlinea.members.selectors import member_get_by_identification
from enlinea.members.services import member_contact_change


class Command(BaseCommand):
    help = (
        "Cambia el correo o el celular de un socio: queda en la auditoría con el usuario "
        "de back office que lo pidió, se avisa al correo y celular anteriores y empieza el "
        "periodo de enfriamiento."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cedula", required=True)
        parser.add_argument("--email")
        parser.add_argument("--celular")
        parser.add_argument(
            "--por", required=True, help="usuario de back office que hace el cambio"
        )
        parser.add_argument("--motivo", required=True, help="por qué cambia el contacto")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["email"] is None and options["celular"] is None:
            raise CommandError("Indica --email, --celular o ambos.")
        if not options["motivo"].strip():
            raise CommandError("--motivo: escribe por qué cambia el contacto.")
        staff = (
            get_user_model()
            .objects.filter(username=options["por"], is_staff=True, is_active=True)
            .first()
        )
        if staff is None:
            raise CommandError(
                f"--por: no hay un usuario de back office activo «{options['por']}»."
            )
        member = member_get_by_identification(
            identification_type="CEDULA", identification=options["cedula"]
        )
        if member is None:
            raise CommandError("--cedula: no hay un socio con esa cédula.")
        before = (member.email, member.mobile_phone)
        try:
            member = member_contact_change(
                member=member,
                email=options["email"],
                mobile_phone=options["celular"],
                changed_by=staff,
                reason=options["motivo"],
            )
        except ValidationError as exc:
            messages = [
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            ]
            raise CommandError("No se cambió el contacto. " + " ".join(messages)) from exc
        if (member.email, member.mobile_phone) == before:
            self.stdout.write("sin cambios")
        else:
            self.stdout.write(f"socio_id={member.pk}")
            self.stdout.write(f"contacto_cambiado={member.contact_changed_at.isoformat()}")
