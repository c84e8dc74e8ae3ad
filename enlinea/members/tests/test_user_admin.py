"""A member's online-banking user is read-only in Django's user admin, superusers included.

Otherwise a superuser could set a member's password (or e-mail, username, flags) with no
audit row and no notice to the member, and with a contact change log in as them.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from enlinea.access.tests.profile_support import enrolled_member
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

STOLEN = "Robado#2026xy"


@pytest.fixture
def superuser_client() -> Client:
    user = get_user_model().objects.create_superuser(
        username="jefe.sistemas", password="x-Back-Office-2026", email="jefe@coop.ec"
    )
    return staff_login(Client(), user)


def test_a_superuser_cannot_set_a_members_password(superuser_client: Client) -> None:
    member = enrolled_member()
    url = reverse("admin:auth_user_password_change", args=[member.user.pk])
    assert superuser_client.get(url).status_code == 403
    response = superuser_client.post(url, {"password1": STOLEN, "password2": STOLEN})
    assert response.status_code == 403
    member.user.refresh_from_db()
    assert not member.user.check_password(STOLEN)


def test_a_superuser_cannot_edit_or_delete_a_members_user(superuser_client: Client) -> None:
    member = enrolled_member()
    user = member.user
    change = reverse("admin:auth_user_change", args=[user.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200  # seen, read-only
    assert b'name="email"' not in page.content
    response = superuser_client.post(
        change,
        {
            "username": user.username,
            "email": "atacante@correo.ec",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 403
    delete = reverse("admin:auth_user_delete", args=[user.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = superuser_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert get_user_model().objects.filter(pk=user.pk).exists()
    user.refresh_from_db()
    assert user.email != "atacante@correo.ec"


def test_staff_users_are_still_managed_in_the_user_admin(superuser_client: Client) -> None:
    staff = get_user_model().objects.create_user(
        username="cajero.nuevo", password="x-Back-Office-2026", is_staff=True
    )
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    assert superuser_client.get(url).status_code == 200
    response = superuser_client.post(url, {"password1": STOLEN, "password2": STOLEN})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(STOLEN)
