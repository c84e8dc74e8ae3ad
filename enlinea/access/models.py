from __future__ import annotations

from django.conf import settings
from django.db import models


class LoginRecord(models.Model):
    """One successful login: when, from which browser and address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_records"
    )
    created_at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    browser = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "ingreso"
        verbose_name_plural = "ingresos"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def device_label(self) -> str:
        """As the manual's header shows it: ``Microsoft Edge - WEB - 179.60.191.12``."""
        return f"{self.browser or 'Navegador desconocido'} - WEB - {self.ip or 'IP desconocida'}"
