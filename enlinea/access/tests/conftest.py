from __future__ import annotations

import pytest


@pytest.fixture
def fast_hashes(settings) -> None:
    """Argon2 is what production uses; flows whose tests hash many times don't depend on its cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
