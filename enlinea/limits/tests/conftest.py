from __future__ import annotations

import pytest

from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data


@pytest.fixture
def socio(db):
    return member_create(**member_data())


@pytest.fixture
def otro_socio(db):
    return member_create(
        **member_data(
            first_names="Maria Fernanda",
            last_names="Perez Guaman",
            email="maria.perez@example.com",
            mobile_phone="0987654321",
        )
    )
