"""Helpers for the staff login tests: codes as an authenticator app computes them."""

from __future__ import annotations

import re
import time
from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlinea.staff.tests.conftest import STAFF_PASSWORD


def totp_now(key: bytes, *, steps_ahead: int = 0) -> str:
    """The code an app shows now (or ``steps_ahead`` steps later: a fresh one)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def device_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return totp_now(device.bin_key, steps_ahead=steps_ahead)


def secret_from_page(html: str) -> bytes:
    """What a person types into the app from the enrolment page: the base32 secret."""
    match = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the enrolment page shows the secret in text"
    secret = match.group(1).replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def password_step(client: Client, username: str, password: str = STAFF_PASSWORD, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **extra
    )
