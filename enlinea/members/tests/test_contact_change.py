"""A member's e-mail and mobile change only through member_contact_change: audited with
who changed it, announced to the OLD contact, then a cooling-off period in which
Regístrate and password recovery refuse (issue point 2: takeover by a silent change)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from enlinea.access.devices import DEVICE_COOKIE, device_register
from enlinea.access.models import AuditKind
from enlinea.access.tests.profile_support import ANSWERS, NEW_PASSWORD, PASSWORD, enrolled_member
from enlinea.access.views_recovery import RECOVERY
from enlinea.confirmation.models import PendingOperation
from enlinea.members.models import Member
from enlinea.members.selectors import contact_cooling_off_message, member_contact_cooling_off
from enlinea.members.services import (
    mask_email,
    mask_mobile_phone,
    member_contact_change,
    member_create,
)
from enlinea.members.tests.support import member_data
from enlinea.notifications.models import Channel, MailboxItem, Message
from enlinea.products.roles import OPERATIONS, SUPPORT, TELLER, roles_ensure
from enlinea.security.models import AuditEvent, SecurityChallenge
from enlinea.staff.testing import staff_login

pytestmark = pytest.mark.django_db

OLD_EMAIL = "andres.lopez@example.com"
OLD_PHONE = "0991234567"
NEW_EMAIL = "nuevo.contacto@correo.ec"
NEW_PHONE = "0998887766"
COOLING_OFF_MESSAGE = (
    "Por tu seguridad, tus datos de contacto cambiaron hace poco. Para continuar, llama al "
    "call center 1800 266 776 o acércate a una agencia."
)
NO_MATCH = "Los datos ingresados no coinciden con nuestros registros."


def staff_with_role(role: str, username: str):
    user = get_user_model().objects.create_user(
        username=username, password="x-Back-Office-2026", is_staff=True
    )
    user.groups.add(roles_ensure()[role])
    return user


@pytest.fixture
def operaciones():
    return staff_with_role(OPERATIONS, "operaciones1")


@pytest.fixture
def socio() -> Member:
    """A member without online access yet (may use Regístrate)."""
    return member_create(**member_data(email=OLD_EMAIL, mobile_phone=OLD_PHONE))


@pytest.fixture
def online_socio() -> Member:
    """A member with online access and security questions (may use recovery)."""
    return enrolled_member(email=OLD_EMAIL, mobile_phone=OLD_PHONE)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def admin_change(client: Client, member: Member, **overrides: str):
    data = {
        "email": member.email,
        "mobile_phone": member.mobile_phone,
        "address": member.address,
        "contact_reason": "",
        **overrides,
    }
    return client.post(reverse("admin:members_member_change", args=[member.pk]), data)


def contact_audits(member: Member):
    return AuditEvent.objects.filter(kind=AuditKind.CONTACT_CHANGED, member=member)


def notices() -> list[Message]:
    return list(Message.objects.filter(kind="contacto_cambiado").order_by("channel"))


def move_change_back(member: Member, hours: float) -> None:
    """Time passes: the last contact change happened ``hours`` ago."""
    Member.objects.filter(pk=member.pk).update(
        contact_changed_at=timezone.now() - timedelta(hours=hours)
    )
    member.refresh_from_db()


# ---------------------------------------------------------------- masking


def test_masks_show_enough_to_recognise_the_contact_and_no_more() -> None:
    assert mask_email("andres.lopez@example.com") == "an***@example.com"
    assert mask_email("ab@x.ec") == "a***@x.ec"
    assert mask_mobile_phone("0991234567") == "09*****567"


# ---------------------------------------------------------------- the admin path


def test_admin_change_of_email_and_mobile_is_audited_and_the_old_contact_is_told(
    client, operaciones, socio, smtp_server, django_capture_on_commit_callbacks
) -> None:
    staff_login(client, operaciones)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_change(
            client,
            socio,
            email=NEW_EMAIL,
            mobile_phone="099 888 7766",
            contact_reason="Solicitud del socio en agencia",
        )
    assert response.status_code == 302, text(response)
    socio.refresh_from_db()
    assert (socio.email, socio.mobile_phone) == (NEW_EMAIL, NEW_PHONE)
    assert socio.contact_changed_at is not None

    audit = contact_audits(socio).get()
    assert audit.user == operaciones
    assert audit.username == "operaciones1"
    assert audit.detail["changed_by"] == "operaciones1"
    assert audit.detail["fields"] == ["email", "mobile_phone"]
    assert audit.detail["email_old"] == "an***@example.com"
    assert audit.detail["email_new"] == "nu***@correo.ec"
    assert audit.detail["mobile_phone_old"] == "09*****567"
    assert audit.detail["mobile_phone_new"] == "09*****766"
    assert audit.detail["reason"] == "Solicitud del socio en agencia"
    for secret in (OLD_EMAIL, NEW_EMAIL, OLD_PHONE, NEW_PHONE):
        assert secret not in str(audit.detail), "audit keeps only masked contacts"

    # The old e-mail, through a real SMTP server: what changed, when, whom to call.
    email = smtp_server.wait_for(to=OLD_EMAIL, subject="Cambiaron tus datos de contacto")
    body = smtp_server.body(email)
    assert "Correo electrónico: antes an***@example.com, ahora nu***@correo.ec" in body
    assert "Celular: antes 09*****567, ahora 09*****766" in body
    assert "Fecha: " in body
    assert "Si no pediste este cambio, llama de inmediato" in body
    assert "1800 266 776" in body
    assert NEW_EMAIL not in body
    # The old mobile, through the SMS gateway (the simulator's mailbox).
    sms = MailboxItem.objects.get(channel=Channel.SMS, recipient=OLD_PHONE)
    assert "cambiaron tus datos de contacto (correo y celular)" in sms.body
    assert "1800 266 776" in sms.body
    # Nothing to the new contact: whoever set it must not be the only one told.
    assert not Message.objects.filter(recipient__in=[NEW_EMAIL, NEW_PHONE]).exists()
    # The admin's own history names the staff user too.
    entry = LogEntry.objects.get(object_id=str(socio.pk), action_flag=CHANGE)
    assert entry.user == operaciones


def test_admin_contact_change_needs_a_reason_and_changes_nothing_without_one(
    client, operaciones, socio
) -> None:
    staff_login(client, operaciones)
    response = admin_change(client, socio, email=NEW_EMAIL)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["contact_reason"] == [
        "Escribe el motivo del cambio de correo o celular: queda en la auditoría."
    ]
    socio.refresh_from_db()
    assert socio.email == OLD_EMAIL
    assert not contact_audits(socio).exists()
    assert notices() == []


def test_admin_save_without_a_contact_change_sends_no_notice(client, operaciones, socio) -> None:
    staff_login(client, operaciones)
    response = admin_change(client, socio, email=" ANDRES.Lopez@example.com ", address="Loja")
    assert response.status_code == 302
    socio.refresh_from_db()
    assert socio.address == "Loja"
    assert socio.contact_changed_at is None
    assert not contact_audits(socio).exists()
    assert notices() == []


def test_admin_change_form_shows_when_the_contact_last_changed(client, operaciones, socio) -> None:
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones)
    staff_login(client, operaciones)
    page = client.get(reverse("admin:members_member_change", args=[socio.pk]))
    assert "Contacto cambiado" in text(page)
    assert "contact_changed_at" not in page.context["adminform"].form.fields


def test_the_teller_cannot_change_a_members_contact(client, socio) -> None:
    teller = staff_with_role(TELLER, "cajero1")
    staff_login(client, teller)
    response = admin_change(client, socio, email=NEW_EMAIL, contact_reason="x")
    assert response.status_code == 403
    socio.refresh_from_db()
    assert socio.email == OLD_EMAIL


# ---------------------------------------------------------------- the service and the command


def test_an_email_only_change_notifies_the_old_email_and_the_unchanged_phone(
    operaciones, socio
) -> None:
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones, reason="x")
    sent = {(m.channel, m.recipient) for m in notices()}
    assert sent == {(Channel.EMAIL, OLD_EMAIL), (Channel.SMS, OLD_PHONE)}
    email = Message.objects.get(kind="contacto_cambiado", channel=Channel.EMAIL)
    assert "Correo electrónico: antes an***@example.com, ahora nu***@correo.ec" in email.body
    assert "Celular:" not in email.body
    assert "(correo)" in Message.objects.get(kind="contacto_cambiado", channel=Channel.SMS).body
    assert contact_audits(socio).get().detail["fields"] == ["email"]


def test_a_mobile_only_change_notifies_the_old_mobile_and_the_unchanged_email(
    operaciones, socio
) -> None:
    member_contact_change(member=socio, mobile_phone=NEW_PHONE, changed_by=operaciones)
    sent = {(m.channel, m.recipient) for m in notices()}
    assert sent == {(Channel.EMAIL, OLD_EMAIL), (Channel.SMS, OLD_PHONE)}


def test_the_same_values_are_no_change(operaciones, socio) -> None:
    member_contact_change(
        member=socio,
        email=" Andres.Lopez@Example.com",
        mobile_phone="+593 99 123 4567",
        changed_by=operaciones,
    )
    socio.refresh_from_db()
    assert socio.contact_changed_at is None
    assert not contact_audits(socio).exists()
    assert notices() == []


def test_a_failed_change_leaves_no_audit_and_no_notice(operaciones, socio) -> None:
    with pytest.raises(ValidationError):
        member_contact_change(
            member=socio, email=NEW_EMAIL, mobile_phone="12345", changed_by=operaciones
        )
    socio.refresh_from_db()
    assert socio.email == OLD_EMAIL
    assert not contact_audits(socio).exists()
    assert notices() == []


def test_the_command_changes_the_contact_through_the_audited_service(operaciones, socio) -> None:
    out = StringIO()
    call_command(
        "member_contact_change",
        "--cedula",
        socio.identification,
        "--email",
        NEW_EMAIL,
        "--por",
        "operaciones1",
        "--motivo",
        "Formulario firmado en agencia",
        stdout=out,
    )
    socio.refresh_from_db()
    assert socio.email == NEW_EMAIL
    audit = contact_audits(socio).get()
    assert audit.user == operaciones
    assert audit.detail["changed_by"] == "operaciones1"
    assert audit.detail["reason"] == "Formulario firmado en agencia"
    assert {m.recipient for m in notices()} == {OLD_EMAIL, OLD_PHONE}
    assert member_contact_cooling_off(socio)
    assert f"socio_id={socio.pk}" in out.getvalue()


def test_the_command_needs_an_active_staff_user_and_a_reason(socio) -> None:
    get_user_model().objects.create_user(username="nostaff")
    for who, reason in (("nadie", "x"), ("nostaff", "x"), ("nostaff", " ")):
        with pytest.raises(CommandError):
            call_command(
                "member_contact_change",
                "--cedula",
                socio.identification,
                "--email",
                NEW_EMAIL,
                "--por",
                who,
                "--motivo",
                reason,
            )
    socio.refresh_from_db()
    assert socio.email == OLD_EMAIL
    assert not contact_audits(socio).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_are_serialized_and_each_tells_the_contact_it_replaced() -> None:
    staff = get_user_model().objects.create_user(username="operaciones1", is_staff=True)
    socio = member_create(**member_data(email=OLD_EMAIL, mobile_phone=OLD_PHONE))
    targets = ["primero@correo.ec", "segundo@correo.ec"]
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def change(new_email: str) -> None:
        stale = Member.objects.get(pk=socio.pk)  # both read the original row first
        try:
            barrier.wait()
            member_contact_change(member=stale, email=new_email, changed_by=staff)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=change, args=(email,)) for email in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    audits = list(contact_audits(socio).order_by("id"))
    assert len(audits) == 2
    first, second = audits
    # The row lock makes the second change see the first one's result as its "old".
    assert first.detail["email_old"] == "an***@example.com"
    assert second.detail["email_old"] == first.detail["email_new"]
    winner = targets[0] if first.detail["email_new"] == "pr***@correo.ec" else targets[1]
    loser = targets[1] if winner == targets[0] else targets[0]
    socio.refresh_from_db()
    assert socio.email == loser
    emailed = set(
        Message.objects.filter(kind="contacto_cambiado", channel=Channel.EMAIL).values_list(
            "recipient", flat=True
        )
    )
    assert emailed == {OLD_EMAIL, winner}


# ---------------------------------------------------------------- Regístrate in the cooling-off


def register_start(client: Client, member: Member):
    return client.post(reverse("enrol:register"), {"identification": member.identification})


def codes_sent() -> int:
    return Message.objects.filter(kind="codigo_seguridad").count()


def test_registration_in_the_cooling_off_is_refused_and_sends_no_code(
    client, operaciones, socio
) -> None:
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones, reason="x")
    response = register_start(client, socio)
    assert response.status_code == 200
    assert COOLING_OFF_MESSAGE in text(response)
    assert "enrol_registro" not in client.session
    # Even a browser that jumps ahead gets no code: there is no registration state.
    assert client.post(reverse("enrol:register_data"), {"accept": "on"}).status_code == 302
    assert codes_sent() == 0
    assert not SecurityChallenge.objects.filter(member=socio).exists()
    refusal = AuditEvent.objects.get(kind=AuditKind.CONTACT_COOLING_OFF, member=socio)
    assert refusal.detail["flow"] == "registration"


def test_registration_after_the_cooling_off_works(client, operaciones, socio) -> None:
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones)
    move_change_back(socio, hours=24.1)
    assert register_start(client, socio).url == reverse("enrol:register_terms")
    client.post(reverse("enrol:register_terms"), {"accept": "on"})
    response = client.post(reverse("enrol:register_data"), {"accept": "on"})
    token = PendingOperation.objects.get(member=socio).token
    assert response.url == reverse("confirmation:code", kwargs={"token": token})
    assert Message.objects.filter(kind="codigo_seguridad", recipient=NEW_EMAIL).exists()


def test_the_cooling_off_follows_its_setting(client, operaciones, socio, settings) -> None:
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones)
    move_change_back(socio, hours=30)
    settings.MEMBERS_CONTACT_COOLING_OFF_HOURS = 48
    assert COOLING_OFF_MESSAGE in text(register_start(client, socio))
    settings.MEMBERS_CONTACT_COOLING_OFF_HOURS = 0  # off
    assert register_start(client, socio).url == reverse("enrol:register_terms")


def test_the_message_uses_the_institutions_call_center(settings) -> None:
    settings.INSTITUTION = {**settings.INSTITUTION, "call_center": "1700 111 222"}
    assert "llama al call center 1700 111 222 o acércate" in contact_cooling_off_message()


def test_a_contact_change_during_registration_stops_it_before_the_code(
    client, operaciones, socio
) -> None:
    assert register_start(client, socio).url == reverse("enrol:register_terms")
    client.post(reverse("enrol:register_terms"), {"accept": "on"})
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones)
    response = client.post(reverse("enrol:register_data"), {"accept": "on"})
    assert response.status_code == 200
    assert COOLING_OFF_MESSAGE in text(response)
    assert codes_sent() == 0


def test_a_contact_change_after_the_code_stops_the_temporary_credentials(
    client, operaciones, socio
) -> None:
    from enlinea.access.tests.profile_support import last_code

    assert register_start(client, socio).url == reverse("enrol:register_terms")
    client.post(reverse("enrol:register_terms"), {"accept": "on"})
    code_url = client.post(reverse("enrol:register_data"), {"accept": "on"}).url
    code = last_code(socio)  # sent to the old e-mail
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones)
    # The code is right, but the registration is refused (the operation fails).
    response = client.post(code_url, {"code": code}, follow=True)
    assert "No se realizó la operación" in text(response)
    assert COOLING_OFF_MESSAGE in text(response)
    socio.refresh_from_db()
    assert socio.user is None
    assert not Message.objects.filter(recipient=NEW_EMAIL).exists()


# ---------------------------------------------------------------- recovery in the cooling-off


def recover_start(client: Client, member: Member, username: str = "andreslopez"):
    return client.post(
        reverse("profile:recover"),
        {"identification": member.identification, "username": username},
    )


def test_recovery_in_the_cooling_off_is_refused_and_sends_no_code(
    client, operaciones, online_socio
) -> None:
    member_contact_change(
        member=online_socio, mobile_phone=NEW_PHONE, changed_by=operaciones, reason="x"
    )
    response = recover_start(client, online_socio)
    assert response.status_code == 400
    assert COOLING_OFF_MESSAGE in text(response)
    assert RECOVERY not in client.session
    assert client.get(reverse("profile:recover_questions")).url == reverse("profile:recover")
    assert codes_sent() == 0
    refusal = AuditEvent.objects.get(kind=AuditKind.CONTACT_COOLING_OFF, member=online_socio)
    assert refusal.detail["flow"] == "recovery"


def test_recovery_with_a_wrong_username_keeps_the_neutral_message(
    client, operaciones, online_socio
) -> None:
    member_contact_change(member=online_socio, mobile_phone=NEW_PHONE, changed_by=operaciones)
    page = text(recover_start(client, online_socio, username="otrousuario"))
    assert NO_MATCH in page
    assert COOLING_OFF_MESSAGE not in page
    assert not AuditEvent.objects.filter(kind=AuditKind.CONTACT_COOLING_OFF).exists()


def test_recovery_after_the_cooling_off_works(client, operaciones, online_socio) -> None:
    member_contact_change(member=online_socio, mobile_phone=NEW_PHONE, changed_by=operaciones)
    move_change_back(online_socio, hours=25)
    assert recover_start(client, online_socio).url == reverse("profile:recover_questions")


def test_a_contact_change_during_recovery_stops_it_before_the_new_password(
    client, operaciones, online_socio
) -> None:
    from enlinea.access.tests.profile_support import last_code

    assert recover_start(client, online_socio).url == reverse("profile:recover_questions")
    asked = client.session[RECOVERY]["questions"]
    code_step = client.post(reverse("profile:recover_questions"), {q: ANSWERS[q] for q in asked})
    code = client.post(code_step.url, {"code": last_code(online_socio)})
    assert code.url == reverse("profile:recover_password")
    member_contact_change(member=online_socio, email=NEW_EMAIL, changed_by=operaciones)
    response = client.post(
        reverse("profile:recover_password"),
        {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
        follow=True,
    )
    assert COOLING_OFF_MESSAGE in text(response)
    online_socio.user.refresh_from_db()
    assert not online_socio.user.check_password(NEW_PASSWORD)


def test_blocking_the_access_from_recovery_still_works_in_the_cooling_off(
    client, operaciones, online_socio
) -> None:
    member_contact_change(member=online_socio, email=NEW_EMAIL, changed_by=operaciones)
    response = client.post(
        reverse("profile:recover_block"),
        {"identification": online_socio.identification, "username": "andreslopez"},
    )
    operation = PendingOperation.objects.get(member=online_socio, kind="self_block")
    assert response.url == reverse("confirmation:code", kwargs={"token": operation.token})


# ---------------------------------------------------------------- the admin's own history


def _log_url(action: str, *args: object) -> str:
    return reverse(f"admin:admin_logentry_{action}", args=args)


@pytest.mark.parametrize("role", [SUPPORT, OPERATIONS])
def test_support_and_operations_read_the_admin_history_but_cannot_change_it(
    client, operaciones, socio, role
) -> None:
    staff_login(client, operaciones)
    admin_change(client, socio, email=NEW_EMAIL, contact_reason="Solicitud del socio")
    entry = LogEntry.objects.get(object_id=str(socio.pk))
    reader = operaciones if role == OPERATIONS else staff_with_role(SUPPORT, "soporte1")
    staff_login(client, reader)

    listing = client.get(_log_url("changelist"))
    assert listing.status_code == 200
    assert str(socio) in text(listing)
    assert "operaciones1" in text(listing)
    detail = client.get(_log_url("change", entry.pk))
    assert detail.status_code == 200
    assert "Correo electrónico" in text(detail)  # the admin's change message

    assert client.post(_log_url("change", entry.pk), {"change_message": "[]"}).status_code == 403
    assert client.get(_log_url("add")).status_code == 403
    assert client.post(_log_url("delete", entry.pk), {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_not_even_a_superuser_changes_the_admin_history(
    client, admin_user, operaciones, socio
) -> None:
    admin_client = staff_login(client, admin_user)
    member_contact_change(member=socio, email=NEW_EMAIL, changed_by=operaciones)
    admin_change(admin_client, socio, email="otro@correo.ec", contact_reason="x")
    entry = LogEntry.objects.get()
    assert admin_client.post(_log_url("delete", entry.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(_log_url("add")).status_code == 403
    changelist = admin_client.get(_log_url("changelist"))
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )


def test_the_teller_does_not_see_the_admin_history(client) -> None:
    staff_login(client, staff_with_role(TELLER, "cajero1"))
    assert client.get(_log_url("changelist")).status_code == 403


# ---------------------------------------------------------------- login from a new device


def _password_login(client: Client, member: Member):
    client.post(reverse("session:login"), {"username": member.user.username})
    return client.post(reverse("session:password"), {"password": PASSWORD})


def test_a_new_device_in_the_cooling_off_is_refused_and_gets_no_code(
    client, operaciones, online_socio
) -> None:
    """Staff who changed the contact, with the member's password, would get the new
    device's code at the new contact: the login from a new device waits too."""
    member_contact_change(
        member=online_socio,
        email=NEW_EMAIL,
        mobile_phone=NEW_PHONE,
        changed_by=operaciones,
        reason="x",
    )
    response = _password_login(client, online_socio)
    assert response.status_code == 200
    assert COOLING_OFF_MESSAGE in text(response)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("session:device")).url == reverse("session:login")
    assert codes_sent() == 0
    refusal = AuditEvent.objects.get(kind=AuditKind.CONTACT_COOLING_OFF, member=online_socio)
    assert refusal.detail["flow"] == "login_device"


def test_a_wrong_password_in_the_cooling_off_says_nothing_about_it(
    client, operaciones, online_socio
) -> None:
    member_contact_change(member=online_socio, mobile_phone=NEW_PHONE, changed_by=operaciones)
    client.post(reverse("session:login"), {"username": online_socio.user.username})
    response = client.post(reverse("session:password"), {"password": "Otra#Clave2026"})
    assert COOLING_OFF_MESSAGE not in text(response)
    assert not AuditEvent.objects.filter(kind=AuditKind.CONTACT_COOLING_OFF).exists()


def test_a_registered_device_still_logs_in_during_the_cooling_off(
    client, operaciones, online_socio
) -> None:
    _, token = device_register(
        user=online_socio.user, alias="Mi laptop", request=RequestFactory().get("/")
    )
    client.cookies[DEVICE_COOKIE] = token
    member_contact_change(member=online_socio, mobile_phone=NEW_PHONE, changed_by=operaciones)
    response = _password_login(client, online_socio)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(online_socio.user.pk)


def test_a_new_device_after_the_cooling_off_gets_its_code(
    client, operaciones, online_socio
) -> None:
    member_contact_change(member=online_socio, mobile_phone=NEW_PHONE, changed_by=operaciones)
    move_change_back(online_socio, hours=25)
    assert _password_login(client, online_socio).url == reverse("session:device")
