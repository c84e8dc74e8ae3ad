"""Onboard a member from a script: the member, a savings account and an opening deposit."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlinea.ledger.errors import LedgerError
from enlinea.ledger.services import chart_ensure
from enlinea.members.services import member_create
from enlinea.money import AmountError, format_cents, parse_amount
from enlinea.products.services import account_open, cash_deposit


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
        chart_ensure()
        try:
            member = member_create(
                identification_type="CEDULA",
                identification=options["cedula"],
                first_names=options["nombres"],
                last_names=options["apellidos"],
                email=options["email"],
                mobile_phone=options["celular"],
                birth_date=options["nacimiento"],
                address=options["direccion"],
            )
        except ValidationError as exc:
            messages = (
                [f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("No se pudo registrar al socio. " + " ".join(messages)) from exc
        account = account_open(member=member, idempotency_key=f"onboard:{member.pk}:savings")
        if deposit:
            try:
                cash_deposit(
                    account=account,
                    amount=deposit,
                    idempotency_key=f"onboard:{account.number}:{uuid.uuid4().hex}",
                    description="Depósito inicial",
                )
            except (LedgerError, ValidationError) as exc:
                raise CommandError(f"Socio creado, pero el depósito falló: {exc}") from exc
        self.stdout.write(f"socio_id={member.pk}")
        self.stdout.write(f"cuenta={account.number}")
        self.stdout.write(f"saldo={format_cents(deposit)}")
