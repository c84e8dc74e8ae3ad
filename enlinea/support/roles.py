"""Back-office permissions for the complaints queue, given to the existing staff roles.

The groups themselves (Cajero, Operaciones, Soporte) are created by
``enlinea.products.roles.roles_ensure`` after every migrate. This runs after it (the
support app comes later in INSTALLED_APPS, and post_migrate is sent app by app in that
order) and only *adds* these permissions, leaving the others as they are: Soporte works
the queue, Operaciones may look at it, Cajero does not see it.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

SUPPORT_GROUP = "Soporte"
OPERATIONS_GROUP = "Operaciones"

_VIEW = ("view_complaint", "view_complaintevent")
PERMISSIONS: dict[str, tuple[str, ...]] = {
    SUPPORT_GROUP: (*_VIEW, "change_complaint"),
    OPERATIONS_GROUP: _VIEW,
}


def support_roles_ensure() -> None:
    """Give each staff group its complaint permissions (idempotent, additive)."""
    with transaction.atomic():
        for name, codenames in PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=name)
            permissions = Permission.objects.filter(
                content_type__app_label="support", codename__in=codenames
            )
            group.permissions.add(*permissions)
