from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from enlinea.products.roles import ROLES, roles_ensure


class Command(BaseCommand):
    help = "Crea o actualiza los roles del back office (Cajero, Operaciones, Soporte)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            groups = roles_ensure()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        for name in ROLES:
            count = groups[name].permissions.count()
            self.stdout.write(f"{name}: {count} permisos.")
        self.stdout.write(self.style.SUCCESS("Roles del back office al día."))
