from __future__ import annotations

import pytest

STAFF_PASSWORD = "Operaciones#2026"


@pytest.fixture
def jefa(db, django_user_model):
    """A superuser: the second factor is asked of her too."""
    return django_user_model.objects.create_superuser(
        username="jefa", email="jefa@example.com", password=STAFF_PASSWORD
    )


@pytest.fixture
def cajero(db, django_user_model):
    """A staff member of a role, not a superuser."""
    from django.contrib.auth.models import Group

    from enlinea.products.roles import TELLER, roles_ensure

    roles_ensure()
    user = django_user_model.objects.create_user(
        username="cajero", password=STAFF_PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=TELLER))
    return user
