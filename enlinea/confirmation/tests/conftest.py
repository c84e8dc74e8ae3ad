from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from enlinea.access.tests.profile_support import enrolled_member, logged_in
from enlinea.confirmation import registry
from enlinea.confirmation.tests.support import TEST_KIND


@pytest.fixture
def socio(db):
    return enrolled_member()  # security image: delfin


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


@pytest.fixture
def test_kind() -> Iterator[registry.OperationKind]:
    registry.register(TEST_KIND)
    yield TEST_KIND
    registry.unregister(TEST_KIND.name)
