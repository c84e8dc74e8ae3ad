"""The demo member's online-banking enrolment: what "Primer ingreso" would have set.

Written straight to the access models (not through the credential services) because
it is the member's starting state, not a change to notify or audit. Idempotent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from enlinea.access.catalog import ConsentDocument, Question, SecurityImage
from enlinea.access.models import Consent, OnlineProfile, SecurityAnswer

# Listed in the README so a newcomer can try password recovery.
DEMO_IMAGE = SecurityImage.DELFIN
DEMO_ANSWERS = {
    Question.COMIDA: "encebollado",
    Question.CIUDAD: "quito",
    Question.COLOR: "verde",
    Question.COLEGIO: "mejia",
    Question.DEPORTE: "futbol",
}


def online_enrolment_seed(*, user: Any, member: Any) -> None:
    """Give ``user`` a finished first login: image, answers and accepted consents."""
    now = timezone.now()
    OnlineProfile.objects.get_or_create(
        user=user,
        defaults={
            "security_image": DEMO_IMAGE,
            "temporary": False,
            "setup_completed_at": now,
            "password_changed_at": now,
        },
    )
    for question, answer in DEMO_ANSWERS.items():
        SecurityAnswer.objects.get_or_create(
            user=user, question=question, defaults={"answer_hash": make_password(answer)}
        )
    versions = {
        ConsentDocument.TERMS: settings.ACCESS_TERMS_VERSION,
        ConsentDocument.DATA: settings.ACCESS_DATA_CONSENT_VERSION,
    }
    for document, version in versions.items():
        Consent.objects.get_or_create(member=member, document=document, version=version)
