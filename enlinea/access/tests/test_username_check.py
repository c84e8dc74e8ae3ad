"""Username availability (Primer ingreso, Perfil) is not a free oracle of who exists.

Each lookup is audited and limited per session (``ACCESS_RATE_USERNAME_CHECK_SESSION``)
and per member (``ACCESS_RATE_USERNAME_CHECK``); staff
and reserved names answer exactly like a name another member has.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from enlinea.access import credentials
from enlinea.access.models import AuditKind
from enlinea.access.tests.profile_support import enrolled_member, logged_in, text
from enlinea.access.tests.test_enrolment_services import registered_member
from enlinea.security.models import AuditEvent, SecurityEvent
from enlinea.security.ratelimit import MSG_RATE_LIMITED

pytestmark = pytest.mark.django_db

UNAVAILABLE = "Ese nombre de usuario no está disponible. Prueba con otro."
STAFF_NAME = "jcarrion2024"  # a staff account with a name that follows the member policy


@pytest.fixture
def socio():
    return enrolled_member()


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


@pytest.fixture
def staff_and_other_member() -> None:
    get_user_model().objects.create_user(username=STAFF_NAME, password="x", is_staff=True)
    get_user_model().objects.create_user(username="backoffice", password="x", is_staff=True)
    enrolled_member("mariaperez1")


def _profile_check(client: Client, name: str):
    return client.post(reverse("profile:username"), {"username": name})


def _page(response) -> str:
    """The page without what differs from one request to the next (CSRF token, nonce)."""
    body = re.sub(r"[A-Za-z0-9]{64}", "", text(response))  # CSRF tokens
    body = re.sub(r'nonce="[^"]+"', 'nonce=""', body)
    return re.sub(r'value="[a-z0-9]+"', 'value=""', body)  # the name typed back


# ---------------------------------------------------------------- same answer for all


@pytest.mark.usefixtures("staff_and_other_member")
@pytest.mark.parametrize("name", [STAFF_NAME, "backoffice", "administrador", "soporte2026"])
def test_staff_and_reserved_names_answer_exactly_like_a_taken_member_name(
    client: Client, name: str
) -> None:
    taken = _profile_check(client, "mariaperez1")
    response = _profile_check(client, name)
    assert (response.status_code, taken.status_code) == (400, 400)
    assert UNAVAILABLE in text(response)
    assert _page(response) == _page(taken)


@pytest.mark.usefixtures("staff_and_other_member")
def test_staff_names_are_unavailable_in_primer_ingreso_too(client: Client) -> None:
    member = registered_member()
    temporary = Client()
    temporary.force_login(member.user)
    for name in (STAFF_NAME, "mariaperez1", "backoffice", "cooprogreso1"):
        response = temporary.post(reverse("enrol:setup_username"), {"username": name})
        assert response.status_code == 200, name
        assert UNAVAILABLE in text(response), name
    response = temporary.post(reverse("enrol:setup_username"), {"username": "andres2026"})
    assert response.url == reverse("enrol:setup_questions")


def test_staff_names_ignore_case_and_the_institution_name_is_reserved(socio, settings) -> None:
    get_user_model().objects.create_user(username="JCarrion2024", password="x", is_staff=True)
    settings.INSTITUTION = {**settings.INSTITUTION, "short_name": "Coop Andina"}
    for name in ("jcarrion2024", "coopandina01"):
        with pytest.raises(ValidationError) as refused:
            credentials.username_clean(username=name, user=socio.user)
        assert refused.value.messages == [UNAVAILABLE]
        assert refused.value.code == "username_taken"
    assert credentials.username_clean(username="andina2026", user=socio.user) == "andina2026"


# ---------------------------------------------------------------- audit


@pytest.mark.usefixtures("staff_and_other_member")
def test_each_check_is_audited_with_the_outcome_and_never_the_whole_name(
    client: Client, socio
) -> None:
    _profile_check(client, "mariaperez1")
    _profile_check(client, STAFF_NAME)
    _profile_check(client, "andres2026")
    _profile_check(client, "corto")  # the policy answers it: no lookup, nothing to count
    rows = list(AuditEvent.objects.filter(kind=AuditKind.USERNAME_CHECKED).order_by("id"))
    assert [row.detail["outcome"] for row in rows] == ["unavailable", "unavailable", "available"]
    assert {row.user_id for row in rows} == {socio.user.pk}
    assert [row.detail["name"] for row in rows] == ["ma*********", "jc**********", "an********"]
    for row, name in zip(rows, ["mariaperez1", STAFF_NAME, "andres2026"], strict=True):
        assert name not in str(row.detail)
        assert len(row.detail["name_digest"]) == 16
    # The same name always gives the same digest, so probing one name shows.
    _profile_check(client, "mariaperez1")
    last = AuditEvent.objects.filter(kind=AuditKind.USERNAME_CHECKED).latest("id")
    assert last.detail["name_digest"] == rows[0].detail["name_digest"]


# ---------------------------------------------------------------- rate limit


@pytest.mark.usefixtures("staff_and_other_member")
def test_over_the_limit_the_check_answers_with_the_rate_limit_message_and_audits(
    client: Client, socio, settings
) -> None:
    settings.ACCESS_RATE_USERNAME_CHECK = "3/h"
    for name in ("mariaperez1", "andres2026", "andres2027"):
        assert MSG_RATE_LIMITED not in text(_profile_check(client, name))
    response = _profile_check(client, STAFF_NAME)
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in text(response)
    assert UNAVAILABLE not in text(response)
    assert AuditEvent.objects.filter(kind=AuditKind.USERNAME_CHECKED).count() == 3
    refusal = AuditEvent.objects.get(kind=SecurityEvent.RATE_LIMITED)
    assert refusal.user_id == socio.user.pk
    assert refusal.detail == {"group": "username-check", "rate": "3/h"}


def test_the_limit_is_per_member_across_sessions_and_flows(socio, settings) -> None:
    settings.ACCESS_RATE_USERNAME_CHECK = "2/h"
    first, second = logged_in(socio), logged_in(socio)
    assert _profile_check(first, "andres2026").status_code == 302
    assert _profile_check(second, "andres2027").status_code == 302
    assert _profile_check(first, "andres2028").status_code == 429
    # Another member has a counter of their own.
    assert _profile_check(logged_in(enrolled_member("rosaquispe")), "rosa20261").status_code == 302


def test_the_limit_is_per_session_too(socio, settings) -> None:
    settings.ACCESS_RATE_USERNAME_CHECK = "10/h"
    settings.ACCESS_RATE_USERNAME_CHECK_SESSION = "2/h"
    first, second = logged_in(socio), logged_in(socio)
    assert _profile_check(first, "andres2026").status_code == 302
    assert _profile_check(first, "andres2027").status_code == 302
    response = _profile_check(first, "andres2028")
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in text(response)
    refusal = AuditEvent.objects.get(kind=SecurityEvent.RATE_LIMITED)
    assert refusal.user_id == socio.user.pk
    assert refusal.detail == {"group": "username-check", "rate": "2/h"}
    # The member's own counter (3 of 10) still lets another of their sessions check.
    assert _profile_check(second, "andres2029").status_code == 302


def test_primer_ingreso_is_limited_per_session_too(settings) -> None:
    settings.ACCESS_RATE_USERNAME_CHECK_SESSION = "1/h"
    member = registered_member()
    temporary = Client()
    temporary.force_login(member.user)
    statuses = [
        temporary.post(reverse("enrol:setup_username"), {"username": f"andres202{n}"}).status_code
        for n in range(2)
    ]
    assert statuses == [302, 429]


def test_primer_ingreso_is_limited_too(settings) -> None:
    settings.ACCESS_RATE_USERNAME_CHECK = "2/h"
    member = registered_member()
    temporary = Client()
    temporary.force_login(member.user)
    statuses = [
        temporary.post(reverse("enrol:setup_username"), {"username": f"andres202{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    response = temporary.post(reverse("enrol:setup_username"), {"username": "andres2029"})
    assert MSG_RATE_LIMITED in text(response)


def test_the_change_itself_after_the_code_is_not_counted(client: Client, socio, settings) -> None:
    from enlinea.access.tests.profile_support import code_url, last_code, latest_operation

    settings.ACCESS_RATE_USERNAME_CHECK = "1/h"
    assert _profile_check(client, "andres2026").status_code == 302
    response = client.post(code_url(latest_operation(socio)), {"code": last_code(socio)})
    assert response.status_code == 302
    socio.user.refresh_from_db()
    assert socio.user.username == "andres2026"
