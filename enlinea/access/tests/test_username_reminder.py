"""«¿Olvidaste tu usuario?» (issue point 15): cédula → code → the username by e-mail.

Every cédula walks the same pages with the same answers: a member with online access
gets a code and then the username by e-mail; anyone else (unknown cédula, member
without online access or still temporary, contact just changed) sees the same code
step, nothing is sent and every code is refused the way a wrong code is.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.access import reminder
from enlinea.access.models import AuditKind
from enlinea.access.tests.profile_support import enrolled_member, last_code, text, wrong_code
from enlinea.access.tests.test_enrolment_services import new_member, registered_member
from enlinea.access.views_username import ATTEMPT
from enlinea.members.models import Member
from enlinea.members.tests.support import make_cedula
from enlinea.notifications.models import Channel, Message
from enlinea.notifications.services import REDACTED_BODY
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent
from enlinea.security.ratelimit import MSG_RATE_LIMITED

pytestmark = pytest.mark.django_db

START = reverse("session:username_remind")
CODE = reverse("session:username_code")
RESEND = reverse("session:username_resend")
DONE = reverse("session:username_done")


@pytest.fixture
def socio() -> Member:
    return enrolled_member("rosaquishpe")


def _start(client: Client, cedula: str):
    return client.post(START, {"identification": cedula})


def _main(response) -> str:
    """The page's <main>, without what differs on every request (CSRF token, clock)."""
    page = text(response)
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
    main = re.sub(r'data-seconds="\d+"', "", main)
    return re.sub(r"\d\d:\d\d", "mm:ss", main)


def _error(response) -> str:
    found = re.search(r'id="otp-code-error" role="alert">(.*?)</p>', text(response))
    assert found, "no error in the code dialog"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip().removeprefix("Error: ")


def _not_eligible() -> dict[str, str]:
    """One cédula of each kind that must get the neutral answer."""
    without_access = new_member(email="sinacceso@example.com")
    temporary = registered_member()
    moved = enrolled_member("cambiocontacto", email="cambio@example.com")
    Member.objects.filter(pk=moved.pk).update(contact_changed_at=timezone.now())
    return {
        "unknown": make_cedula(),
        "without_access": without_access.identification,
        "temporary": temporary.identification,
        "contact_just_changed": moved.identification,
    }


# ---------------------------------------------------------------- the member's walk


def test_the_login_page_links_to_the_username_reminder(client: Client) -> None:
    page = text(client.get(reverse("session:login")))
    assert f'<a href="{START}">¿Olvidaste tu usuario?</a>' in page
    assert "¿Olvidaste tu contraseña?" in page


def test_a_member_gets_the_username_by_email_after_the_code(client: Client, socio) -> None:
    page = text(client.get(START))
    assert "¿Olvidaste tu usuario?" in page
    assert "Número de identificación" in page
    response = _start(client, socio.identification)
    assert response.status_code == 302
    assert response["Location"] == CODE
    page = text(client.get(CODE))
    assert "Factor de seguridad" in page
    assert "¿No te llegó el código?" in page
    code_sms = Message.objects.get(channel=Channel.SMS, kind="codigo_seguridad")
    assert "Recordar tu usuario" in code_sms.body
    assert "rosaquishpe" not in code_sms.body

    response = client.post(CODE, {"code": last_code(socio)})
    assert response["Location"] == DONE
    done = text(client.get(DONE))
    assert "Te enviamos tu usuario" in done
    assert "rosaquishpe" not in done  # never on screen
    sent = Message.objects.get(kind=reminder.NOTIFICATION_KIND)
    assert (sent.channel, sent.recipient) == (Channel.EMAIL, socio.email)
    assert "Usuario: rosaquishpe" in sent.body
    assert not Message.objects.filter(channel=Channel.SMS, body__contains="rosaquishpe").exists()
    steps = list(
        AuditEvent.objects.filter(kind=AuditKind.USERNAME_REMINDED, member=socio)
        .order_by("id")
        .values_list("detail__step", flat=True)
    )
    assert steps == ["code_sent", "sent"]
    assert SecurityChallenge.objects.get(kind=reminder.KIND).status == "used"
    # The result page is shown once, and the code cannot be used again.
    assert client.get(DONE)["Location"] == START
    assert client.get(CODE)["Location"] == START


def test_the_reminder_leaves_the_outbox_once_delivered(
    client: Client, socio, django_capture_on_commit_callbacks
) -> None:
    _start(client, socio.identification)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CODE, {"code": last_code(socio)})
    sent = Message.objects.get(kind=reminder.NOTIFICATION_KIND)
    assert sent.status == Message.Status.SENT
    assert sent.body == REDACTED_BODY
    assert not Message.objects.filter(body__contains="rosaquishpe").exists()


def test_a_locked_member_may_still_get_the_username(client: Client, socio) -> None:
    from enlinea.access import credentials
    from enlinea.access.models import OnlineProfile

    credentials.access_lock(user=socio.user, reason=OnlineProfile.LockReason.SELF, request=None)
    _start(client, socio.identification)
    assert client.post(CODE, {"code": last_code(socio)})["Location"] == DONE


def test_pasted_cedula_with_dashes_is_accepted(client: Client, socio) -> None:
    typed = f"{socio.identification[:9]}-{socio.identification[9]}"
    assert _start(client, typed)["Location"] == CODE


def test_a_mistyped_cedula_is_caught_by_its_check_digit(client: Client, socio) -> None:
    wrong_digit = socio.identification[:9] + str((int(socio.identification[9]) + 1) % 10)
    response = _start(client, wrong_digit)
    assert response.status_code == 400
    assert "dígito verificador" in text(response)
    assert not Message.objects.exists()


# ---------------------------------------------------------------- neutral answers


def test_every_other_cedula_gets_the_same_pages_and_nothing_is_sent(socio) -> None:
    real = Client()
    assert _start(real, socio.identification)["Location"] == CODE
    real_page = _main(real.get(CODE))
    real_start = _main(real.get(START))
    sent_before = Message.objects.count()
    for case, cedula in _not_eligible().items():
        before = Message.objects.count()
        client = Client()
        response = _start(client, cedula)
        assert response.status_code == 302, case
        assert response["Location"] == CODE, case
        assert _main(client.get(CODE)) == real_page, case
        assert _main(client.get(START)) == real_start, case
        assert Message.objects.count() == before, f"{case}: something was sent"
        assert not SecurityChallenge.objects.filter(
            kind=reminder.KIND, member__identification=cedula
        )
    assert sent_before > 0  # the member's code did go out


def test_any_code_is_refused_as_a_wrong_code_is(socio, settings) -> None:
    """The same messages and count of tries for the member's wrong codes and the decoy's."""
    settings.ACCESS_RATE_RECOVERY_IP = settings.ACCESS_RATE_CODE_IP = "100/h"
    real = Client()
    _start(real, socio.identification)
    right = last_code(socio)
    for cedula in _not_eligible().values():
        decoy = Client()
        _start(decoy, cedula)
        for typed in ("12", wrong_code(right), wrong_code(right), wrong_code(right), right):
            answers = [client.post(CODE, {"code": typed}) for client in (real, decoy)]
            assert [a.status_code for a in answers] == [400, 400]
            assert _error(answers[0]) == _error(answers[1])
            assert _main(answers[0]) == _main(answers[1])
        # Start both over for the next cédula.
        _start(real, socio.identification)
        right = last_code(socio)
    assert _error(real.post(CODE, {"code": wrong_code(right)})) == (
        "El código ingresado es incorrecto. Te quedan 2 intentos."
    )
    assert not Message.objects.filter(kind=reminder.NOTIFICATION_KIND).exists()


def test_the_tries_are_counted_exhausted_and_reset_by_a_resend_alike(socio, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    real, decoy = Client(), Client()
    _start(real, socio.identification)
    _start(decoy, make_cedula())
    wrong = wrong_code(last_code(socio))
    seen = []
    for _ in range(4):
        answers = [_error(c.post(CODE, {"code": wrong})) for c in (real, decoy)]
        assert answers[0] == answers[1]
        seen.append(answers[0])
    assert seen[0].endswith("Te quedan 2 intentos.")
    assert seen[1].endswith("Te queda 1 intento.")
    assert (
        seen[2]
        == seen[3]
        == ("Ingresaste un código incorrecto 3 veces. Solicita un nuevo código con «Reenviar».")
    )
    for client in (real, decoy):
        assert client.post(RESEND)["Location"] == CODE
    pages = [text(c.get(CODE)) for c in (real, decoy)]
    for page in pages:
        assert "Te enviamos un nuevo código a tu correo y a tu celular." in page
    answers = [_error(c.post(CODE, {"code": wrong_code(last_code(socio))})) for c in (real, decoy)]
    assert answers[0] == answers[1] == "El código ingresado es incorrecto. Te quedan 2 intentos."


def test_resend_cool_down_and_cap_answer_alike(socio, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 600
    real, decoy = Client(), Client()
    _start(real, socio.identification)
    _start(decoy, make_cedula())
    pages = []
    for client in (real, decoy):
        assert client.post(RESEND)["Location"] == CODE
        pages.append(text(client.get(CODE)))
    for page in pages:
        assert re.search(r"Espera (599|600) segundos para solicitar un nuevo código.", page)
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    settings.ACCESS_CODE_MAX_RESENDS = 1
    for client in (real, decoy):
        client.post(RESEND)
        client.get(CODE)
        client.post(RESEND)
        page = text(client.get(CODE))
        assert "Ya solicitaste el máximo de códigos para esta operación." in page
    assert Message.objects.filter(kind="codigo_seguridad", channel=Channel.EMAIL).count() == 2


def test_an_expired_code_is_refused_alike(socio) -> None:
    real, decoy = Client(), Client()
    _start(real, socio.identification)
    _start(decoy, make_cedula())
    SecurityChallenge.objects.filter(kind=reminder.KIND).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    key = f"reminder-decoy-sent:{decoy.session[ATTEMPT]['nonce']}"
    sent = cache.get(key)
    cache.set(key, {**sent, "sent_at": sent["sent_at"] - 3600}, 3600)
    answers = [_error(c.post(CODE, {"code": "123456"})) for c in (real, decoy)]
    assert answers[0] == answers[1] == "El código expiró. Solicita uno nuevo con «Reenviar»."


def test_the_code_page_needs_an_attempt(client: Client) -> None:
    assert client.get(CODE)["Location"] == START
    assert client.post(RESEND)["Location"] == START
    assert client.get(DONE)["Location"] == START


def test_a_logged_in_member_is_sent_home(client: Client, socio) -> None:
    client.force_login(socio.user)
    assert client.get(START)["Location"] == reverse("web:home")


# ---------------------------------------------------------------- rate limits


def test_the_reminder_is_rate_limited_per_cedula(socio, settings) -> None:
    settings.ACCESS_RATE_RECOVERY_IP = "2/h"
    unknown = make_cedula()
    for cedula in (socio.identification, unknown):
        for address in ("10.0.0.1", "10.0.0.2"):
            assert _start(Client(REMOTE_ADDR=address), cedula)["Location"] == CODE
        response = _start(Client(REMOTE_ADDR="10.0.0.3"), cedula)
        assert response.status_code == 429
        assert MSG_RATE_LIMITED in text(response)
    assert AuditEvent.objects.filter(
        kind=SecurityEvent.RATE_LIMITED, detail__group="username_reminder"
    )
    # Two codes went out to the member, none after the limit.
    assert Message.objects.filter(kind="codigo_seguridad", channel=Channel.EMAIL).count() == 2


def test_the_reminder_is_rate_limited_per_ip(socio, settings) -> None:
    settings.ACCESS_RATE_RECOVERY_IP = "2/h"
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(2):
        _start(client, make_cedula())
    response = _start(client, socio.identification)
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in text(response)
    assert not Message.objects.exists()


def test_the_codes_limit_answers_alike_for_member_and_stranger(socio, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/h"
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    unknown = make_cedula()
    for cedula, address in ((socio.identification, "10.0.1.1"), (unknown, "10.0.1.2")):
        client = Client(REMOTE_ADDR=address)
        assert _start(client, cedula)["Location"] == CODE
        client.post(RESEND)
        assert MSG_RATE_LIMITED in text(client.get(CODE))
