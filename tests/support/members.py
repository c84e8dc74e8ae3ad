"""A member ready to use the site in a browser test: enrolled (username, password,
questions, image), the terms accepted, and the data a transactional test's flush
emptied loaded again (the SPI catalogue, the chart of accounts)."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import Consent
from enlinea.access.tests.profile_support import enrolled_member
from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member


def online_member(username: str = "andreslopez", **overrides: Any) -> Member:
    catalogue = importlib.import_module("enlinea.institutions.migrations.0002_spi_participants")
    catalogue.forwards(apps, None)
    chart_ensure()
    member = enrolled_member(username, **overrides)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member
