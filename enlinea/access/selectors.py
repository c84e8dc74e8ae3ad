from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from enlinea.access.models import LoginRecord


def previous_login(*, user: AbstractBaseUser, current_id: int | None) -> LoginRecord | None:
    """The login before the current session's, as the header's "Última conexión" shows."""
    records = LoginRecord.objects.filter(user=user)
    if current_id is not None:
        records = records.exclude(pk=current_id).filter(pk__lt=current_id)
    return records.order_by("-created_at", "-id").first()
