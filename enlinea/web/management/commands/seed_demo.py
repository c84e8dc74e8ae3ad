"""Demo data for `make run`: idempotent, safe to run on every start."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enlinea.demo.bulk import bulk_seed
from enlinea.demo.realistic import demo_seed


class Command(BaseCommand):
    help = (
        "Carga los datos de demostración (idempotente). Con --members y --movements crea "
        "además datos masivos para pruebas de rendimiento."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=0, help="socios de carga masiva")
        parser.add_argument("--movements", type=int, default=0, help="movimientos de carga masiva")

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Datos de demostración creados." if created else "Datos de demostración listos."
            )
        )
        if options["members"]:
            bulk_seed(
                members=options["members"], movements=options["movements"], log=self.stdout.write
            )
