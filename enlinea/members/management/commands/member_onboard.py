"""Onboard a member from a script: the member, a savings account and an opening deposit
(``members.services.member_onboard``, the same service as the Ventanilla's «Nuevo socio»)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from enlinea.ledger.errors import LedgerError
from enlinea.members.services import member_onboard
from enlinea.money import AmountError, format_cents, parse_amount
from enlinea.products.services import ProductError


class Command(BaseCommand):
    help = "Registra un socio con su cuenta de ahorros y, opcionalmente, un depósito inicial."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cedula", required=True)
        parser.add_argument("--nombres", required=True)
        parser.add_argument("--apellidos", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--celular", required=True)
        parser.add_argument("--nacimiento", help="fecha de nacimiento AAAA-MM-DD")
        parser.add_argument("--direccion", default="")
        parser.add_argument("--deposito", help="depósito inicial en efectivo, p. ej. 100.00")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            deposit = parse_amount(options["deposito"]) if options["deposito"] else 0
        except AmountError as exc:
            raise CommandError(f"--deposito: {exc}") from exc
        try:
            birth_date = (
                datetime.date.fromisoformat(options["nacimiento"])
                if options["nacimiento"]
                else None
            )
        except ValueError as exc:
            raise CommandError("--nacimiento: usa el formato AAAA-MM-DD.") from exc
        try:
            # One transaction: a refused opening deposit leaves no socio and no account.
            with transaction.atomic(durable=True):
                done = member_onboard(
                    identification=options["cedula"],
                    first_names=options["nombres"],
                    last_names=options["apellidos"],
                    email=options["email"],
                    mobile_phone=options["celular"],
                    birth_date=birth_date,
                    address=options["direccion"],
                    deposit=deposit,
                    idempotency_key=f"command:{uuid.uuid4().hex}",
                )
        except ProductError as exc:
            raise CommandError(
                f"No se registró al socio ni se abrió su cuenta: {exc.messages[0]}"
            ) from exc
        except LedgerError as exc:
            raise CommandError(f"No se registró al socio ni se abrió su cuenta: {exc}") from exc
        except ValidationError as exc:
            messages = (
                [f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("No se pudo registrar al socio. " + " ".join(messages)) from exc
        member, account = done.member, done.account
        self.stdout.write(f"socio_id={member.pk}")
        self.stdout.write(f"cuenta={account.number}")
        self.stdout.write(f"saldo={format_cents(deposit)}")
