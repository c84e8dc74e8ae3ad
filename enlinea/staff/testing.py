"""Test helper: a staff session as the real login leaves it (password and second factor).

``client.force_login`` alone opens a session the back office refuses (no second
factor); ``staff_login`` also gives the user a confirmed TOTP device and marks the
session verified by it through ``django_otp.login``, as ``staff_login_complete`` does.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.http import HttpRequest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlinea.staff.services import TOTP_DEVICE_NAME


def staff_totp_device(user: Any) -> TOTPDevice:
    """The user's confirmed authenticator app (made when missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    return device


def staff_login(client: Client, user: Any) -> Client:
    """Log ``client`` in as ``user`` with the session verified by a real TOTP device."""
    client.force_login(user)
    device = staff_totp_device(user)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, device)
    request.session.save()
    return client


def staff_totp_code(device: TOTPDevice) -> str:
    """The code the device's app shows now, or the next one if now's was already used."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:  # the app's current code was spent: wait one step
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def staff_browser_login(page: Any, base_url: str, username: str, password: str) -> None:
    """Log into the back office in a Playwright page as a person with the app would.

    A staff member without an app enrols it: the secret is read from the page (as a
    person would type it into the app) and the recovery codes page is passed.
    """
    import re
    from base64 import b32decode

    from django_otp.oath import TOTP

    page.goto(base_url + "/backoffice/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar", exact=True).click()
    page.wait_for_url(re.compile(r"/backoffice/login/(codigo|activar)/"))
    if page.url.rstrip("/").endswith("activar"):
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        key = b32decode(secret + "=" * (-len(secret) % 8))
        page.get_by_label("Código de verificación").fill(f"{TOTP(key).token():06d}")
        page.get_by_role("button", name="Activar e ingresar").click()
        page.get_by_role("link", name="Ya los guardé, continuar al back office").click()
    else:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        page.get_by_label("Código de verificación").fill(staff_totp_code(staff_totp_device(user)))
        page.get_by_role("button", name="Ingresar", exact=True).click()
    page.wait_for_url(re.compile(r"/backoffice/(?!login)"))
