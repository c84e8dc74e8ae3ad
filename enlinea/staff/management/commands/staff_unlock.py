"""``manage.py staff_unlock USERNAME``: the operator's way out when every admin is locked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enlinea.staff.services import staff_unlock


class Command(BaseCommand):
    help = "Desbloquea el acceso al back office de un usuario del personal (queda auditado)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"No hay un usuario del personal llamado {username!r}.")
        if staff_unlock(actor=None, user=user):
            self.stdout.write(f"Acceso de {username} desbloqueado.")
        else:
            self.stdout.write(f"El acceso de {username} no estaba bloqueado.")
