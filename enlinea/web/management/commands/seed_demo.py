"""Demo data for `make run`: idempotent, safe to run on every start."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

# Printed by `make run` and listed in the README.
DEMO_STAFF = ("backoffice", "Operaciones#2026")
DEMO_MEMBER = ("andreslopez", "Progreso#2026")


class Command(BaseCommand):
    help = "Carga los datos de demostración (idempotente)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        staff, created = User.objects.get_or_create(
            username=DEMO_STAFF[0],
            defaults={"first_name": "Operaciones", "is_staff": True, "is_superuser": True},
        )
        if created:
            staff.set_password(DEMO_STAFF[1])
            staff.save(update_fields=["password"])
        member, created = User.objects.get_or_create(
            username=DEMO_MEMBER[0],
            defaults={"first_name": "ANDRES DAVID", "last_name": "LOPEZ MAYA"},
        )
        if created:
            member.set_password(DEMO_MEMBER[1])
            member.save(update_fields=["password"])
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))
