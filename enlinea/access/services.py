from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from user_agents import parse as parse_user_agent

from enlinea.access.models import LoginRecord
from enlinea.web.client_ip import client_ip

SESSION_KEY = "enlinea_login_record"

# The manual writes browsers by their full names.
_BROWSER_NAMES = {
    "Edge": "Microsoft Edge",
    "Chrome": "Google Chrome",
    "Chrome Mobile": "Google Chrome",
    "Chromium": "Chromium",
    "HeadlessChrome": "Chromium",
    "Firefox": "Mozilla Firefox",
    "Firefox Mobile": "Mozilla Firefox",
    "Safari": "Safari",
    "Mobile Safari": "Safari",
    "Opera": "Opera",
    "Samsung Internet": "Samsung Internet",
}


def browser_name(user_agent: str) -> str:
    family = parse_user_agent(user_agent or "").browser.family
    if family == "Other":
        return "Navegador desconocido"
    return _BROWSER_NAMES.get(family, family)


def login_record_create(*, user: AbstractBaseUser, request: HttpRequest) -> LoginRecord:
    """Record a successful login and remember it in the session."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:1000]
    record = LoginRecord.objects.create(
        user=user,
        created_at=timezone.now(),
        ip=client_ip(request),
        user_agent=agent,
        browser=browser_name(agent),
    )
    request.session[SESSION_KEY] = record.pk
    return record
