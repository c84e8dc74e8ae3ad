"""Security codes ("Factor de seguridad"): every rule of issue 4, point 1."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from enlinea.access.tests.cast import online_member
from enlinea.notifications.models import Channel, MailboxItem
from enlinea.security import codes
from enlinea.security.codes import (
    ChallengeError,
    challenge_issue,
    challenge_redeem,
    challenge_resend,
    challenge_use,
    challenge_verify,
    seconds_left,
)
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent

pytestmark = pytest.mark.django_db

KIND = "password_change"
CONTENT = {"user": 1, "what": "password"}

MSG_WRONG_2 = "El código ingresado es incorrecto. Te quedan 2 intentos."
MSG_WRONG_1 = "El código ingresado es incorrecto. Te queda 1 intento."
MSG_EXHAUSTED = "Ingresaste un código incorrecto 3 veces. Solicita un nuevo código con «Reenviar»."
MSG_EXPIRED = "El código expiró. Solicita uno nuevo con «Reenviar»."
MSG_USED = "Este código ya fue utilizado. Solicita uno nuevo con «Reenviar»."
MSG_DEAD = "Este código ya no es válido. Solicita uno nuevo con «Reenviar»."
MSG_MISMATCH = (
    "El código no corresponde a esta operación: los datos cambiaron después de "
    "solicitarlo. Solicita un nuevo código."
)
MSG_FORMAT = "Ingresa los 6 dígitos del código que te enviamos."
MSG_NOT_FOUND = "Solicita un código de verificación para continuar."
MSG_CAP = (
    "Ya solicitaste el máximo de códigos para esta operación. Vuelve a empezar en unos minutos."
)


@pytest.fixture
def socio():
    return online_member()


def _sms_code(member) -> str:
    item = MailboxItem.objects.filter(channel=Channel.SMS, recipient=member.mobile_phone).first()
    assert item is not None, "no SMS reached the simulator"
    return re.search(r"\b(\d{6})\b", item.body).group(1)


def _issue(member, capture, content=CONTENT, kind=KIND) -> tuple[SecurityChallenge, str]:
    """Issue a code and read it back from the SMS the simulator delivered at COMMIT."""
    with capture(execute=True):
        challenge = challenge_issue(
            member=member, kind=kind, content=content, description="Cambio de contraseña"
        )
    return challenge, _sms_code(member)


def _verify(member, challenge, code, content=CONTENT, kind=KIND) -> SecurityChallenge:
    return challenge_verify(
        challenge_id=challenge.pk, member=member, kind=kind, content=content, code=code
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _refusal(call, *args, **kwargs) -> ChallengeError:
    with pytest.raises(ChallengeError) as caught:
        call(*args, **kwargs)
    return caught.value


# ---------------------------------------------------------------- issue and send


def test_code_has_six_digits_and_reaches_email_through_smtp_and_sms(
    socio, smtp_server, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        challenge = challenge_issue(
            member=socio, kind=KIND, content=CONTENT, description="Cambio de contraseña"
        )
    email = smtp_server.wait_for(to=socio.email)
    code = smtp_server.code_in(email)
    assert re.fullmatch(r"\d{6}", code)
    body = smtp_server.body(email)
    assert "«Cambio de contraseña»" in body
    assert "Vence en 3 minutos" in body
    assert code not in email["Subject"], "codes stay out of subject lines"
    assert _sms_code(socio) == code
    sms = MailboxItem.objects.get(channel=Channel.SMS)
    assert sms.body.startswith("Cooprogreso: tu codigo para Cambio de contraseña es ")
    assert challenge.status == SecurityChallenge.Status.PENDING
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_SENT, member=socio).count() == 1


def test_code_is_stored_only_as_a_salted_hmac(socio, django_capture_on_commit_callbacks) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    row = SecurityChallenge.objects.filter(pk=challenge.pk).values().get()
    assert all(code not in str(value) for value in row.values())
    assert re.fullmatch(r"[0-9a-f]{64}", row["code_hash"])
    assert row["code_hash"] == codes._code_hash(row["salt"], code)
    audit = AuditEvent.objects.filter(member=socio).values_list("detail", flat=True)
    assert all(code not in str(detail) for detail in audit)


def test_countdown_starts_at_three_minutes(socio, django_capture_on_commit_callbacks) -> None:
    challenge, _ = _issue(socio, django_capture_on_commit_callbacks)
    assert 178 <= seconds_left(challenge) <= 180
    challenge.expires_at = timezone.now() - timedelta(seconds=5)
    assert seconds_left(challenge) == 0


# ---------------------------------------------------------------- verify


def test_right_code_verifies_then_use_spends_it(socio, django_capture_on_commit_callbacks) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    verified = _verify(socio, challenge, f" {code[:3]} {code[3:]} ")  # spaces are forgiven
    assert verified.status == SecurityChallenge.Status.VERIFIED
    with transaction.atomic():
        used = challenge_use(challenge_id=challenge.pk, member=socio, kind=KIND, content=CONTENT)
    assert used.status == SecurityChallenge.Status.USED
    assert used.used_at is not None
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_VERIFIED).count() == 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_anything_but_six_digits_is_a_format_error_and_no_try(
    socio, django_capture_on_commit_callbacks, typed
) -> None:
    challenge, _ = _issue(socio, django_capture_on_commit_callbacks)
    error = _refusal(_verify, socio, challenge, typed)
    assert (error.code, str(error)) == ("format", MSG_FORMAT)
    challenge.refresh_from_db()
    assert challenge.attempts == 0


def test_expired_code_is_refused(socio, django_capture_on_commit_callbacks) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    SecurityChallenge.objects.filter(pk=challenge.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    error = _refusal(_verify, socio, challenge, code)
    assert (error.code, str(error)) == ("expired", MSG_EXPIRED)
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_EXPIRED).count() == 1


def test_three_wrong_tries_kill_the_code_and_the_right_one_is_refused_after(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    first = _refusal(_verify, socio, challenge, _wrong(code))
    assert (first.code, str(first), first.attempts_left) == ("wrong", MSG_WRONG_2, 2)
    second = _refusal(_verify, socio, challenge, _wrong(code))
    assert (second.code, str(second), second.attempts_left) == ("wrong", MSG_WRONG_1, 1)
    third = _refusal(_verify, socio, challenge, _wrong(code))
    assert (third.code, str(third), third.attempts_left) == ("exhausted", MSG_EXHAUSTED, 0)
    challenge.refresh_from_db()
    assert (challenge.status, challenge.attempts) == (SecurityChallenge.Status.DEAD, 3)
    after = _refusal(_verify, socio, challenge, code)
    assert (after.code, str(after)) == ("exhausted", MSG_EXHAUSTED)
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_EXHAUSTED).count() == 1


def test_code_works_once(socio, django_capture_on_commit_callbacks) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    challenge_redeem(challenge_id=challenge.pk, member=socio, kind=KIND, content=CONTENT, code=code)
    again = _refusal(_verify, socio, challenge, code)
    assert (again.code, str(again)) == ("used", MSG_USED)
    with transaction.atomic():
        spent = _refusal(
            challenge_use, challenge_id=challenge.pk, member=socio, kind=KIND, content=CONTENT
        )
    assert (spent.code, str(spent)) == ("used", MSG_USED)


def test_verified_but_unspent_code_cannot_be_verified_twice(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    _verify(socio, challenge, code)
    again = _refusal(_verify, socio, challenge, code)
    assert (again.code, str(again)) == ("used", MSG_USED)


def test_right_code_for_changed_operation_is_a_mismatch_and_the_code_dies(
    socio, django_capture_on_commit_callbacks
) -> None:
    content = {"amount": "100.00", "source": "1001", "destination": "2002"}
    challenge, code = _issue(socio, django_capture_on_commit_callbacks, content=content)
    changed = {**content, "destination": "9999"}
    error = _refusal(_verify, socio, challenge, code, content=changed)
    assert (error.code, str(error)) == ("mismatch", MSG_MISMATCH)
    challenge.refresh_from_db()
    assert challenge.status == SecurityChallenge.Status.DEAD
    # Going back to the original data does not bring the code back.
    after = _refusal(_verify, socio, challenge, code, content=content)
    assert (after.code, str(after)) == ("dead", MSG_DEAD)
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_MISMATCH).count() == 1


def test_use_refuses_content_that_changed_after_verify(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    _verify(socio, challenge, code)
    with transaction.atomic():
        error = _refusal(
            challenge_use,
            challenge_id=challenge.pk,
            member=socio,
            kind=KIND,
            content={**CONTENT, "what": "other"},
        )
    assert (error.code, str(error)) == ("mismatch", MSG_MISMATCH)


def test_digest_ignores_key_order_but_not_values() -> None:
    a = codes.operation_digest(KIND, {"amount": "1.00", "to": "2"})
    assert a == codes.operation_digest(KIND, {"to": "2", "amount": "1.00"})
    assert a != codes.operation_digest(KIND, {"to": "2", "amount": "1.01"})
    assert a != codes.operation_digest("transfer", {"to": "2", "amount": "1.00"})


def test_wrong_kind_other_member_or_no_challenge_is_not_found(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    intruder = online_member(username="mariaperez", email="maria@example.com")
    for error in (
        _refusal(_verify, socio, challenge, code, kind="image_change"),
        _refusal(_verify, intruder, challenge, code),
        _refusal(
            challenge_verify, challenge_id=None, member=socio, kind=KIND, content=CONTENT, code=code
        ),
    ):
        assert (error.code, str(error)) == ("not_found", MSG_NOT_FOUND)
    challenge.refresh_from_db()
    assert (challenge.status, challenge.attempts) == (SecurityChallenge.Status.PENDING, 0)


def test_a_newer_code_of_the_same_kind_kills_the_older_one(
    socio, django_capture_on_commit_callbacks
) -> None:
    old, old_code = _issue(socio, django_capture_on_commit_callbacks)
    other_kind, _ = _issue(socio, django_capture_on_commit_callbacks, kind="image_change")
    MailboxItem.objects.all().delete()
    new, new_code = _issue(socio, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    other_kind.refresh_from_db()
    assert old.status == SecurityChallenge.Status.DEAD
    assert other_kind.status == SecurityChallenge.Status.PENDING
    error = _refusal(_verify, socio, old, old_code)
    assert (error.code, str(error)) == ("dead", MSG_DEAD)
    # Nor can the old one be brought back with "Reenviar".
    SecurityChallenge.objects.filter(pk=old.pk).update(
        sent_at=timezone.now() - timedelta(minutes=1)
    )
    revived = _refusal(challenge_resend, challenge_id=old.pk, member=socio)
    assert (revived.code, str(revived)) == ("not_found", MSG_NOT_FOUND)
    assert _verify(socio, new, new_code).status == SecurityChallenge.Status.VERIFIED


def test_a_newer_code_kills_only_the_codes_of_the_same_operation(
    socio, django_capture_on_commit_callbacks
) -> None:
    """With a scope (the confirmation flow's operation token), a second operation of
    the same kind — another tab — leaves the first one's code alone."""

    def issue(scope: str) -> SecurityChallenge:
        with django_capture_on_commit_callbacks(execute=True):
            return challenge_issue(
                member=socio, kind=KIND, content=CONTENT, description="x", scope=scope
            )

    first_tab, second_tab = issue("tab-1"), issue("tab-2")
    first_tab.refresh_from_db()
    assert first_tab.status == SecurityChallenge.Status.PENDING
    assert second_tab.status == SecurityChallenge.Status.PENDING
    again = issue("tab-1")  # a new code for the first operation replaces its old one
    first_tab.refresh_from_db()
    second_tab.refresh_from_db()
    assert first_tab.status == SecurityChallenge.Status.DEAD
    assert second_tab.status == SecurityChallenge.Status.PENDING
    assert again.scope == "tab-1"
    _age(first_tab, 60)
    revived = _refusal(challenge_resend, challenge_id=first_tab.pk, member=socio)
    assert revived.code == "not_found"
    _age(second_tab, 60)
    assert challenge_resend(challenge_id=second_tab.pk, member=socio).resends == 1


# ---------------------------------------------------------------- resend


def _age(challenge: SecurityChallenge, seconds: int) -> None:
    SecurityChallenge.objects.filter(pk=challenge.pk).update(
        sent_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_resend_waits_for_the_cool_down(socio, django_capture_on_commit_callbacks) -> None:
    challenge, _ = _issue(socio, django_capture_on_commit_callbacks)
    _age(challenge, 10)
    error = _refusal(challenge_resend, challenge_id=challenge.pk, member=socio)
    assert error.code == "resend_wait"
    assert str(error) in {f"Espera {n} segundos para solicitar un nuevo código." for n in (20, 21)}


def test_resend_gives_a_new_code_and_the_old_one_stops_working(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, old_code = _issue(socio, django_capture_on_commit_callbacks)
    _refusal(_verify, socio, challenge, _wrong(old_code))  # one wrong try before resending
    SecurityChallenge.objects.filter(pk=challenge.pk).update(
        sent_at=timezone.now() - timedelta(seconds=31),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    MailboxItem.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        resent = challenge_resend(challenge_id=challenge.pk, member=socio)
    new_code = _sms_code(socio)
    assert resent.pk == challenge.pk
    assert (resent.attempts, resent.resends) == (0, 1)
    assert 178 <= seconds_left(resent) <= 180
    if new_code != old_code:  # one chance in a million that the new code is the same
        error = _refusal(_verify, socio, challenge, old_code)
        assert (error.code, str(error)) == ("wrong", MSG_WRONG_2)
    assert _verify(socio, challenge, new_code).status == SecurityChallenge.Status.VERIFIED
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_RESENT).count() == 1


def test_resend_brings_back_a_code_dead_from_wrong_tries(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    for _ in range(3):
        _refusal(_verify, socio, challenge, _wrong(code))
    _age(challenge, 31)
    MailboxItem.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        challenge_resend(challenge_id=challenge.pk, member=socio)
    assert _verify(socio, challenge, _sms_code(socio)).status == SecurityChallenge.Status.VERIFIED


def test_resend_is_capped(socio, django_capture_on_commit_callbacks, settings) -> None:
    challenge, _ = _issue(socio, django_capture_on_commit_callbacks)
    for _ in range(settings.ACCESS_CODE_MAX_RESENDS):
        _age(challenge, 31)
        challenge_resend(challenge_id=challenge.pk, member=socio)
    _age(challenge, 31)
    error = _refusal(challenge_resend, challenge_id=challenge.pk, member=socio)
    assert (error.code, str(error)) == ("resend_cap", MSG_CAP)


def test_resend_of_a_used_or_foreign_code_is_refused(
    socio, django_capture_on_commit_callbacks
) -> None:
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    intruder = online_member(username="mariaperez", email="maria@example.com")
    _age(challenge, 31)
    foreign = _refusal(challenge_resend, challenge_id=challenge.pk, member=intruder)
    assert (foreign.code, str(foreign)) == ("not_found", MSG_NOT_FOUND)
    challenge_redeem(challenge_id=challenge.pk, member=socio, kind=KIND, content=CONTENT, code=code)
    used = _refusal(challenge_resend, challenge_id=challenge.pk, member=socio)
    assert (used.code, str(used)) == ("not_found", MSG_NOT_FOUND)


# ---------------------------------------------------------------- transactions (PostgreSQL)


def _issue_committed(member) -> tuple[SecurityChallenge, str]:
    """In autocommit the code is delivered at once; nothing needs capturing."""
    challenge = challenge_issue(
        member=member, kind=KIND, content=CONTENT, description="Cambio de contraseña"
    )
    return challenge, _sms_code(member)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_wrong_tries_count_even_when_the_operation_rolls_back(socio) -> None:
    challenge, code = _issue_committed(socio)

    class OperationFailed(Exception):
        pass

    def operation(typed: str) -> None:
        """A view's shape: verify on its own, then the operation's atomic block fails."""
        try:
            _verify(socio, challenge, typed)
        except ChallengeError:
            with transaction.atomic():
                SecurityChallenge.objects.filter(pk=challenge.pk).update(description="x")
                raise OperationFailed from None

    for _ in range(2):
        with pytest.raises(OperationFailed):
            operation(_wrong(code))
    challenge.refresh_from_db()
    assert challenge.attempts == 2
    assert challenge.description == "Cambio de contraseña"
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_FAILED, member=socio).count() == 2
    last = _refusal(_verify, socio, challenge, _wrong(code))
    assert (last.code, str(last)) == ("exhausted", MSG_EXHAUSTED)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_redeems_of_one_right_code_succeed_exactly_once(socio) -> None:
    challenge, code = _issue_committed(socio)
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            challenge_redeem(
                challenge_id=challenge.pk, member=socio, kind=KIND, content=CONTENT, code=code
            )
            result = "ok"
        except ChallengeError as error:
            result = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["used"] * (threads_count - 1)
    challenge.refresh_from_db()
    assert challenge.status == SecurityChallenge.Status.USED
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_VERIFIED).count() == 1


def test_a_code_typed_into_another_operation_is_refused_and_says_why(
    socio, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(codes, "_new_code", iter(["111111", "222222"]).__next__)
    _, other_code = _issue(socio, django_capture_on_commit_callbacks, kind="username_change")
    MailboxItem.objects.all().delete()
    image, image_code = _issue(socio, django_capture_on_commit_callbacks, kind="image_change")
    assert (other_code, image_code) == ("111111", "222222")
    refused = _refusal(_verify, socio, image, other_code, kind="image_change")
    assert refused.code == "other_operation"
    assert str(refused) == (
        "Ese código es de otra operación o fue reemplazado por uno nuevo: usa el último "
        "código que te enviamos para esta operación. Te quedan 2 intentos."
    )
    image.refresh_from_db()
    assert image.attempts == 1
    verified = _verify(socio, image, image_code, kind="image_change")
    assert verified.status == SecurityChallenge.Status.VERIFIED


# ---------------------------------------------------------------- spend in one step


def _spend(member, challenge_id, code, content=CONTENT, kind=KIND):
    with transaction.atomic():
        locked = codes.challenge_lock(challenge_id)
        return codes.challenge_spend(locked, member=member, kind=kind, content=content, code=code)


def test_spend_in_one_step_keeps_every_rule_of_verify(
    socio, django_capture_on_commit_callbacks
) -> None:
    """challenge_spend (the confirmation flow's Validar) refuses as challenge_verify does,
    counts the wrong try, and on the right code leaves the challenge USED at once."""
    challenge, code = _issue(socio, django_capture_on_commit_callbacks)
    assert _spend(socio, challenge.pk, "12").code == "format"
    wrong = _spend(socio, challenge.pk, _wrong(code))
    assert (wrong.code, str(wrong)) == ("wrong", MSG_WRONG_2)
    challenge.refresh_from_db()
    assert challenge.attempts == 1
    other = online_member(username="mariaperez", email="maria@example.com")
    assert _spend(other, challenge.pk, code).code == "not_found"  # someone else's code
    assert _spend(socio, challenge.pk, code, kind="username_change").code == "not_found"
    assert _spend(socio, challenge.pk, code, content={"user": 1, "what": "other"}).code == (
        "mismatch"
    )
    challenge.refresh_from_db()
    assert challenge.status == SecurityChallenge.Status.DEAD  # a mismatch kills the code

    fresh, code = _issue(socio, django_capture_on_commit_callbacks)
    assert _spend(socio, fresh.pk, code) is None
    fresh.refresh_from_db()
    assert fresh.status == SecurityChallenge.Status.USED
    assert fresh.verified_at is not None
    assert fresh.used_at is not None
    assert _spend(socio, fresh.pk, code).code == "used"  # once
    assert _spend(socio, 10**9, code).code == "not_found"
