from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffAccess(models.Model):
    """A staff account's login state: consecutive failures and the lock.

    The row is the lock the login takes (``select_for_update``) while it checks the
    lock and the password, so parallel tries neither lose a failure nor slip past it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_access",
        verbose_name="usuario",
    )
    failed_logins = models.PositiveSmallIntegerField("intentos fallidos seguidos", default=0)
    last_failed_at = models.DateTimeField("último intento fallido", null=True, blank=True)
    locked_at = models.DateTimeField("bloqueado", null=True, blank=True)

    class Meta:
        verbose_name = "acceso del personal"
        verbose_name_plural = "accesos del personal"
        ordering = ["user__username"]
        permissions = [
            ("unlock_staffaccess", "Puede desbloquear el acceso de otro miembro del personal"),
            ("reset_staffaccess", "Puede reiniciar el segundo factor de otro miembro del personal"),
        ]

    def __str__(self) -> str:
        return f"Acceso de {self.user}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
