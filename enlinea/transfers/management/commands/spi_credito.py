"""Have the SPI simulator deliver a transfer from another institution to a member here
(development and demos): ``manage.py spi_credito --cuenta 4100000001 --monto 25.00``.
The next clearing cycle (the worker's, every minute) credits it, or returns it to the
network when the account does not exist or is inactive or blocked."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlinea.money import AmountError, format_cents, parse_amount
from enlinea.receipts.services import Counterpart
from enlinea.transfers.network import DEFAULT_NETWORK
from enlinea.transfers.simulator import simulator_credit_schedule


class Command(BaseCommand):
    help = "Programa en el simulador del SPI una transferencia recibida de otra institución."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cuenta", required=True, help="número de cuenta del socio")
        parser.add_argument("--monto", required=True, help="monto en dólares, p. ej. 25.00")
        parser.add_argument("--ordenante", default="EMPRESA ANDINA DE SOFTWARE S.A.")
        parser.add_argument("--identificacion", default="1792345678001")
        parser.add_argument("--cuenta-ordenante", default="2100123456")
        parser.add_argument("--institucion", default="BANCO PICHINCHA C.A.")
        parser.add_argument("--motivo", default="Transferencia recibida")
        parser.add_argument("--referencia", default="", help="para no repetirla (opcional)")

    def handle(self, *args: Any, **options: Any) -> None:
        network = getattr(settings, "INTERBANK_NETWORK", DEFAULT_NETWORK) or DEFAULT_NETWORK
        if network != DEFAULT_NETWORK:
            raise CommandError("La red interbancaria configurada no es el simulador del SPI.")
        try:
            amount = parse_amount(options["monto"])
        except AmountError as exc:
            raise CommandError(str(exc)) from exc
        if amount <= 0:
            raise CommandError("Ingresa un monto mayor a cero.")
        credit = simulator_credit_schedule(
            account_number=options["cuenta"],
            amount=amount,
            originator=Counterpart(
                name=options["ordenante"],
                identification=options["identificacion"],
                account_number=options["cuenta_ordenante"],
                account_type="CORRIENTE",
                institution=options["institucion"],
            ),
            motive=options["motivo"],
            reference=options["referencia"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Crédito {credit.reference} de {format_cents(credit.amount)} para la cuenta "
                f"{credit.account_number}: se acredita en el próximo ciclo de compensación."
            )
        )
