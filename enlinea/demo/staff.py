"""One demo back-office user per staff role, so each role can be tried in `make run`.

Their usernames carry a dot, which the member username policy (letters and digits
only, ``access.policy.USERNAME_CHARS``) never allows: no socio can ever hold one of
these names, and seeding can never turn a socio's user into staff. Each user belongs
to exactly its role's group (``products.roles``) and is not a superuser; the first
login asks them to register an authenticator app (the staff second factor).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER, roles_ensure


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    role: str
    first_name: str


# Printed by `make run` (scripts/serve) and listed in the README.
DEMO_ROLE_USERS: tuple[DemoStaff, ...] = (
    DemoStaff("cajero.demo", "Ventanilla#2026", TELLER, "Cajero"),
    DemoStaff("operaciones.demo", "Oficina#Quito26", OPERATIONS, "Operaciones"),
    DemoStaff("soporte.demo", "Ayuda#Socio2026", SUPPORT, "Soporte"),
)


def demo_staff_seed() -> list[str]:
    """Create the role users that are missing; returns the usernames created.

    Idempotent: an existing user keeps its password, its second factor and whether it
    is active; it is put back as staff (not superuser) in exactly its role's group.
    """
    groups = roles_ensure()
    User = get_user_model()
    created_names: list[str] = []
    with transaction.atomic():
        for demo in DEMO_ROLE_USERS:
            user, created = User.objects.get_or_create(
                username=demo.username,
                defaults={"first_name": demo.first_name, "is_staff": True, "is_active": True},
            )
            if getattr(user, "member", None) is not None:
                raise ImproperlyConfigured(
                    f"El usuario {demo.username} pertenece a un socio: no se lo convierte en personal."
                )
            if created:
                user.set_password(demo.password)
                created_names.append(demo.username)
            user.is_staff = True
            user.is_superuser = False
            user.save(update_fields=["password", "is_staff", "is_superuser"])
            role_group: Group = groups[demo.role]
            user.groups.set([role_group])
    return created_names
