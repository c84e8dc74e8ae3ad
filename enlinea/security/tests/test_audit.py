"""The audit log: what each row holds, and the read-only back office around it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from enlinea.access.devices import device_register
from enlinea.access.models import AuditKind, Consent, Device, LoginRecord, OnlineProfile
from enlinea.access.tests.cast import online_member
from enlinea.access.tests.cast import support_staff as cast_support_staff
from enlinea.products.roles import ROLES, SUPPORT
from enlinea.security import codes
from enlinea.security.audit import AUDIT_VIEW_PERMISSIONS, audit_record
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
)


def _request(agent: str = EDGE):
    return RequestFactory().post("/", REMOTE_ADDR="179.60.191.12", HTTP_USER_AGENT=agent)


@pytest.fixture
def socio():
    return online_member()


def test_a_row_has_time_ip_user_agent_user_member_and_detail(socio) -> None:
    event = audit_record(kind=AuditKind.LOGIN, request=_request(), user=socio.user, device="nuevo")
    event.refresh_from_db()
    assert (event.ip, event.user_agent) == ("179.60.191.12", EDGE)
    assert (event.user, event.member, event.username) == (socio.user, socio, "andreslopez")
    assert event.detail == {"device": "nuevo"}
    assert abs((timezone.now() - event.created_at).total_seconds()) < 5
    assert str(event).endswith("Ingreso")


def test_member_alone_finds_its_user_and_an_unknown_username_is_kept(socio) -> None:
    by_member = audit_record(kind=SecurityEvent.CODE_SENT, member=socio)
    assert (by_member.user, by_member.username) == (socio.user, "andreslopez")
    unknown = audit_record(kind=AuditKind.LOGIN_FAILED, request=_request(), username="nadie123")
    assert (unknown.user, unknown.member, unknown.username) == (None, None, "nadie123")


def test_staff_without_member_and_no_request(django_user_model) -> None:
    staff = django_user_model.objects.create_user(username="operaciones1", is_staff=True)
    event = audit_record(kind=AuditKind.LOGIN, user=staff)
    assert (event.member, event.ip, event.user_agent) == (None, None, "")


def test_user_agent_is_cut_at_1000_characters(socio) -> None:
    event = audit_record(kind=AuditKind.LOGIN, request=_request("M" * 5000), user=socio.user)
    assert len(event.user_agent) == 1000


# ---------------------------------------------------------------- back office


@pytest.fixture
def records(socio, django_capture_on_commit_callbacks):
    """One row of each access model, made by the real services."""
    with django_capture_on_commit_callbacks(execute=True):
        challenge = codes.challenge_issue(
            member=socio,
            kind="image_change",
            content={"image": "delfin"},
            description="Cambio de imagen",
            request=_request(),
        )
        device, token = device_register(user=socio.user, alias="Casa", request=_request())
    Consent.objects.create(member=socio, document="terms", version="2026.1", ip="179.60.191.12")
    LoginRecord.objects.create(
        user=socio.user, created_at=timezone.now(), ip="179.60.191.12", browser="Microsoft Edge"
    )
    return {"challenge": challenge, "device": device, "token": token}


@pytest.fixture
def support(db):
    return cast_support_staff()


def test_the_support_role_carries_every_audit_view_permission() -> None:
    assert set(AUDIT_VIEW_PERMISSIONS) <= set(ROLES[SUPPORT])


ADMIN_MODELS = [AuditEvent, SecurityChallenge, OnlineProfile, Device, Consent, LoginRecord]


def _url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_support_staff_read_the_audit_log(client, support, records, socio) -> None:
    staff_login(client, support)
    listing = client.get(_url(AuditEvent, "changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    for heading in ("Fecha", "Evento", "Usuario", "IP", "Navegador"):
        assert heading in html
    assert "Código enviado" in html
    assert "179.60.191.12" in html
    assert EDGE[:59] + "…" in html  # the list keeps the browser column short
    event = AuditEvent.objects.filter(kind=AuditKind.DEVICE_REGISTERED).get()
    detail = client.get(_url(AuditEvent, "change", event.pk))
    assert detail.status_code == 200
    assert "Dispositivo registrado" in detail.content.decode()


def test_audit_log_filters_and_search(client, support, records, socio) -> None:
    staff_login(client, support)
    only_codes = client.get(_url(AuditEvent, "changelist"), {"kind": "code_sent"})
    assert only_codes.context["cl"].result_count == 1
    found = client.get(_url(AuditEvent, "changelist"), {"q": socio.identification})
    assert found.context["cl"].result_count == AuditEvent.objects.filter(member=socio).count()
    assert (
        client.get(_url(AuditEvent, "changelist"), {"q": "nadie"}).context["cl"].result_count == 0
    )


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_access_record_is_visible_to_support(client, support, records, model) -> None:
    staff_login(client, support)
    assert client.get(_url(model, "changelist")).status_code == 200
    row = model.objects.first()
    assert client.get(_url(model, "change", row.pk)).status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_nobody_not_even_a_superuser_adds_changes_or_deletes(admin_client, records, model) -> None:
    row = model.objects.first()
    before = model.objects.count()
    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    change = admin_client.get(_url(model, "change", row.pk))
    assert change.status_code == 200
    assert "Guardar" not in change.content.decode()
    assert admin_client.post(_url(model, "change", row.pk), {}).status_code == 403
    listing = admin_client.get(_url(model, "changelist")).content.decode()
    assert "delete_selected" not in listing
    assert model.objects.count() == before


def test_staff_without_the_view_permission_see_nothing(client, django_user_model, records) -> None:
    staff = django_user_model.objects.create_user(username="cajero1", is_staff=True)
    staff_login(client, staff)
    for model in ADMIN_MODELS:
        assert client.get(_url(model, "changelist")).status_code == 403


def test_secrets_never_reach_the_pages(admin_client, records, socio) -> None:
    challenge = SecurityChallenge.objects.get(pk=records["challenge"].pk)
    device = Device.objects.get(pk=records["device"].pk)
    profile = OnlineProfile.objects.get(user=socio.user)
    profile.security_image = "delfin"
    profile.save()
    secrets = [challenge.code_hash, challenge.salt, challenge.digest, device.token_hash]
    secrets.append(records["token"])
    pages = [
        _url(SecurityChallenge, "changelist"),
        _url(SecurityChallenge, "change", challenge.pk),
        _url(Device, "changelist"),
        _url(Device, "change", device.pk),
        _url(OnlineProfile, "change", profile.pk),
        _url(AuditEvent, "changelist"),
    ]
    pages += [
        _url(AuditEvent, "change", pk) for pk in AuditEvent.objects.values_list("pk", flat=True)
    ]
    for url in pages:
        html = admin_client.get(url).content.decode()
        for secret in secrets:
            assert secret not in html, url
    profile_page = admin_client.get(_url(OnlineProfile, "change", profile.pk)).content.decode()
    assert "Delfín" not in profile_page
    assert "imagen de seguridad" not in profile_page.lower()


def test_security_answers_are_not_in_the_back_office(admin_client) -> None:
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "respuestas de seguridad" not in html.lower()
    assert "auditoría" in html.lower()


def test_there_is_no_staff_unlock(admin_client, socio) -> None:
    profile = OnlineProfile.objects.get(user=socio.user)
    listing = admin_client.get(_url(OnlineProfile, "changelist")).content.decode()
    assert "Desbloquear" not in listing
    assert profile.locked_at is None


def test_a_new_kind_needs_no_migration_and_an_unknown_one_is_refused(
    client, support, socio
) -> None:
    from enlinea.beneficiaries.services import AUDIT_CREATED
    from enlinea.security.audit_kinds import audit_kind_label, audit_kind_register

    # An app registers its kinds in code (here the beneficiaries app, at start-up).
    assert audit_kind_label(AUDIT_CREATED) == "Beneficiario registrado"
    event = audit_record(kind=AUDIT_CREATED, member=socio)
    assert event.get_kind_display() == "Beneficiario registrado"
    with pytest.raises(ValueError, match="Unregistered audit kind"):
        audit_record(kind="beneficiary_creatd", member=socio)  # a typo fails loudly
    with pytest.raises(ValueError, match="already registered"):
        audit_kind_register(AUDIT_CREATED, "Otro nombre")

    staff_login(client, support)
    listing = client.get(_url(AuditEvent, "changelist"), {"kind": AUDIT_CREATED})
    assert listing.context["cl"].result_count == 1
    html = listing.content.decode()
    assert "Beneficiario registrado" in html  # the column and the filter show the label
    assert "Cupos de transferencia personalizados" in html  # every registered kind is offered
