from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from enlinea.ledger.verify import CHECKS, ledger_verify


class Command(BaseCommand):
    help = "Verifica todos los invariantes del libro contable; sale con error si alguno falla."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = ledger_verify()
        counts = report.counts
        self.stdout.write(
            f"Cuentas: {counts['ledger_ledgeraccount']:,} · asientos: {counts['ledger_journalentry']:,} · "
            f"movimientos: {counts['ledger_posting']:,} · retenciones: {counts['ledger_hold']:,}"
        )
        failed = {name for name, _ in report.problems}
        for name, _ in CHECKS:
            mark = "FALLA" if name in failed else "ok"
            self.stdout.write(f"  [{mark}] {name}")
        for name, rows in report.problems:
            self.stderr.write(f"{name}: {len(rows)} filas, por ejemplo {rows[:5]}")
        self.stdout.write(f"Verificado en {time.perf_counter() - started:.1f} s")
        if not report.ok:
            raise CommandError(f"El libro contable tiene {len(report.problems)} invariantes rotos.")
        self.stdout.write(self.style.SUCCESS("Libro contable correcto."))
