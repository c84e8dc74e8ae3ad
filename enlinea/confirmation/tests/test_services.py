"""The confirmation flow's services: binding, tabs, expiry, resend, once, failures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from enlinea.access.confirmations import IMAGE, USERNAME
from enlinea.access.models import AuditKind, OnlineProfile
from enlinea.access.tests.profile_support import last_code, wrong_code
from enlinea.confirmation import services
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.services import (
    OperationRefused,
    operation_code_resend,
    operation_code_send,
    operation_confirm,
    operation_expire_due,
    operation_refresh,
    operation_start,
)
from enlinea.confirmation.tasks import expire_operations
from enlinea.confirmation.tests.support import KIND, MSG_REFUSED
from enlinea.security.codes import ChallengeError
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent

pytestmark = pytest.mark.django_db

Status = PendingOperation.Status


@pytest.fixture
def rf_request(socio):
    request = RequestFactory().post("/", REMOTE_ADDR="179.60.191.12")
    request.user = socio.user
    request.session = {}
    return request


def _image(socio) -> str:
    return OnlineProfile.objects.get(user=socio.user).security_image


def _start(socio, request, kind=IMAGE, **content):
    content = content or {"image": "paloma"}
    return operation_start(member=socio, kind=kind, content=content, request=request)


def _confirm(operation, code, request):
    return operation_confirm(operation=operation, code=code, request=request)


def _refusal(call, *args, **kwargs):
    with pytest.raises(ChallengeError) as caught:
        call(*args, **kwargs)
    return caught.value


# ---------------------------------------------------------------- start


def test_a_kind_without_confirm_page_gets_its_code_at_once(socio, rf_request) -> None:
    operation = _start(socio, rf_request)
    assert operation.status == Status.PENDING
    assert operation.challenge is not None
    assert operation.challenge.kind == IMAGE
    assert operation.challenge.scope == operation.token
    assert operation.expires_at > operation.challenge.expires_at  # time to press Reenviar
    assert len(operation.token) >= 32
    assert (
        AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_STARTED, member=socio).count() == 1
    )
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_SENT, member=socio).count() == 1


def test_a_kind_with_confirm_page_sends_its_code_on_confirmar_once(
    socio, rf_request, test_kind
) -> None:
    operation = _start(socio, rf_request, kind=KIND, image="paloma")
    assert operation.challenge is None
    assert not SecurityChallenge.objects.exists()
    sent = operation_code_send(operation=operation, request=rf_request)
    again = operation_code_send(operation=operation, request=rf_request)  # a double click
    assert sent.challenge_id is not None
    assert again.challenge_id == sent.challenge_id
    assert SecurityChallenge.objects.count() == 1


def test_tokens_are_unguessable_and_distinct(socio, rf_request) -> None:
    tokens = {_start(socio, rf_request).token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 32 for token in tokens)


def test_content_must_be_plain_json(socio, rf_request, test_kind) -> None:
    with pytest.raises(TypeError):
        _start(socio, rf_request, kind=KIND, image="paloma", amount=Decimal("1.00"))
    assert not PendingOperation.objects.exists()


def test_the_code_rate_limit_applies_at_start_and_at_confirmar(
    socio, rf_request, test_kind, settings
) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/h"
    _start(socio, rf_request)
    with pytest.raises(OperationRefused) as caught:
        _start(socio, rf_request)
    assert caught.value.code == "rate_limited"
    waiting = _start(socio, rf_request, kind=KIND, image="paloma")  # no code yet: allowed
    with pytest.raises(OperationRefused):
        operation_code_send(operation=waiting, request=rf_request)
    assert PendingOperation.objects.count() == 2
    assert SecurityChallenge.objects.count() == 1
    assert AuditEvent.objects.filter(kind=SecurityEvent.RATE_LIMITED).count() == 2


# ---------------------------------------------------------------- binding


def test_the_right_code_executes_once_and_keeps_the_result(socio, rf_request, test_kind) -> None:
    operation = operation_code_send(
        operation=_start(socio, rf_request, kind=KIND, image="paloma"), request=rf_request
    )
    done, executed = _confirm(operation, last_code(socio), rf_request)
    assert executed
    assert done.status == Status.DONE
    assert done.result == {"image": "paloma"}
    assert done.done_at is not None
    assert _image(socio) == "paloma"
    assert SecurityChallenge.objects.get().status == SecurityChallenge.Status.USED
    again, executed = _confirm(operation, last_code(socio), rf_request)  # refresh, retry
    assert not executed
    assert again.status == Status.DONE
    assert again.result == {"image": "paloma"}
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).count() == 1
    assert AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_DONE).count() == 1


def test_a_code_for_one_operation_fails_on_another(socio, rf_request) -> None:
    first = _start(socio, rf_request, image="paloma")
    first_code = last_code(socio)
    second = _start(socio, rf_request, kind=USERNAME, username="andres2026")
    refused = _refusal(_confirm, second, first_code, rf_request)
    assert refused.code == "other_operation"
    assert _image(socio) == "delfin"
    # …and the first operation's own code still works for it.
    _, executed = _confirm(first, first_code, rf_request)
    assert executed
    assert _image(socio) == "paloma"


def test_content_changed_after_the_code_is_refused_and_the_code_dies(socio, rf_request) -> None:
    operation = _start(socio, rf_request, image="paloma")
    code = last_code(socio)
    PendingOperation.objects.filter(pk=operation.pk).update(content={"image": "martillo"})
    operation.refresh_from_db()
    refused = _refusal(_confirm, operation, code, rf_request)
    assert refused.code == "mismatch"
    assert _image(socio) == "delfin"
    assert SecurityChallenge.objects.get().status == SecurityChallenge.Status.DEAD
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_MISMATCH).count() == 1


def test_two_tabs_of_the_same_kind_both_work(socio, rf_request) -> None:
    first = _start(socio, rf_request, image="paloma")
    first_code = last_code(socio)
    second = _start(socio, rf_request, image="martillo")  # another tab
    second_code = last_code(socio)
    first.challenge.refresh_from_db()
    assert first.challenge.status == SecurityChallenge.Status.PENDING  # not killed
    _confirm(second, second_code, rf_request)
    assert _image(socio) == "martillo"
    _confirm(first, first_code, rf_request)
    assert _image(socio) == "paloma"
    assert set(PendingOperation.objects.values_list("status", flat=True)) == {Status.DONE}


def test_a_wrong_code_counts_and_the_third_kills_it(socio, rf_request) -> None:
    operation = _start(socio, rf_request)
    code = last_code(socio)
    assert _refusal(_confirm, operation, wrong_code(code), rf_request).attempts_left == 2
    assert _refusal(_confirm, operation, wrong_code(code), rf_request).attempts_left == 1
    assert _refusal(_confirm, operation, wrong_code(code), rf_request).code == "exhausted"
    assert _refusal(_confirm, operation, code, rf_request).code == "exhausted"
    assert SecurityChallenge.objects.get().attempts == 3
    operation.refresh_from_db()
    assert operation.status == Status.PENDING  # «Reenviar» can still give a good code
    assert _image(socio) == "delfin"


# ---------------------------------------------------------------- expiry and resend


def test_an_operation_expires_with_its_code_and_then_nothing_happens(
    socio, rf_request, settings
) -> None:
    operation = _start(socio, rf_request)
    code = last_code(socio)
    window = timedelta(seconds=settings.CONFIRMATION_TTL_SECONDS)
    # The code expired: the operation waits for «Reenviar» during the window.
    SecurityChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _refusal(_confirm, operation, code, rf_request).code == "expired"
    assert operation_refresh(operation=operation).status == Status.PENDING
    # Past the window, it is over.
    PendingOperation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    operation.refresh_from_db()
    expired, executed = _confirm(operation, code, rf_request)
    assert (expired.status, executed) == (Status.EXPIRED, False)
    with pytest.raises(OperationRefused) as caught:
        operation_code_resend(operation=expired, request=rf_request)
    assert caught.value.code == "not_pending"
    assert _image(socio) == "delfin"
    assert AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_EXPIRED).count() == 1
    assert window.total_seconds() > settings.ACCESS_CODE_TTL_SECONDS


def test_resend_gives_a_new_code_and_extends_the_operation(socio, rf_request, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    operation = _start(socio, rf_request)
    first = last_code(socio)
    PendingOperation.objects.update(expires_at=timezone.now() + timedelta(seconds=5))
    operation.refresh_from_db()
    resent = operation_code_resend(operation=operation, request=rf_request)
    assert resent.expires_at > timezone.now() + timedelta(seconds=settings.ACCESS_CODE_TTL_SECONDS)
    second = last_code(socio)
    assert resent.challenge_id == operation.challenge_id  # the same challenge, a new code
    if first != second:
        assert _refusal(_confirm, resent, first, rf_request).code in ("wrong", "other_operation")
    _, executed = _confirm(resent, second, rf_request)
    assert executed
    assert _image(socio) == "paloma"


def test_resend_waits_for_the_cool_down_and_is_capped(socio, rf_request, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 30
    settings.ACCESS_CODE_MAX_RESENDS = 1
    operation = _start(socio, rf_request)
    wait = _refusal(operation_code_resend, operation=operation, request=rf_request)
    assert wait.code == "resend_wait"
    assert str(wait) == "Espera 30 segundos para solicitar un nuevo código."
    SecurityChallenge.objects.update(sent_at=timezone.now() - timedelta(seconds=31))
    operation_code_resend(operation=operation, request=rf_request)
    SecurityChallenge.objects.update(sent_at=timezone.now() - timedelta(seconds=31))
    capped = _refusal(operation_code_resend, operation=operation, request=rf_request)
    assert capped.code == "resend_cap"
    assert SecurityChallenge.objects.get().resends == 1


def test_expire_due_marks_only_what_is_past_its_time(socio, rf_request) -> None:
    old = _start(socio, rf_request)
    fresh = _start(socio, rf_request, image="martillo")
    PendingOperation.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert expire_operations.call_local() == 1  # the periodic job
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (Status.EXPIRED, Status.PENDING)
    assert operation_expire_due() == 0


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize("refuse", ["validation", "product"])
def test_a_refused_execution_leaves_nothing_and_says_why(
    socio, rf_request, test_kind, refuse
) -> None:
    operation = operation_code_send(
        operation=_start(socio, rf_request, kind=KIND, image="paloma", refuse=refuse),
        request=rf_request,
    )
    failed, executed = _confirm(operation, last_code(socio), rf_request)
    assert executed
    assert failed.status == Status.FAILED
    assert failed.failure_message == MSG_REFUSED
    assert _image(socio) == "delfin"  # image_set ran, and was rolled back
    assert not AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).exists()
    assert AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_FAILED).count() == 1
    assert SecurityChallenge.objects.get().status == SecurityChallenge.Status.USED
    again, executed = _confirm(operation, last_code(socio), rf_request)
    assert (again.status, executed) == (Status.FAILED, False)


def test_a_bug_in_execute_rolls_everything_back(socio, rf_request, test_kind) -> None:
    operation = operation_code_send(
        operation=_start(socio, rf_request, kind=KIND, image="paloma", refuse="bug"),
        request=rf_request,
    )
    with pytest.raises(RuntimeError):
        _confirm(operation, last_code(socio), rf_request)
    operation.refresh_from_db()
    assert operation.status == Status.PENDING
    assert SecurityChallenge.objects.get().status == SecurityChallenge.Status.PENDING
    assert _image(socio) == "delfin"


def test_confirm_without_a_code_sent_is_refused(socio, rf_request, test_kind) -> None:
    operation = _start(socio, rf_request, kind=KIND, image="paloma")
    with pytest.raises(OperationRefused) as caught:
        _confirm(operation, "123456", rf_request)
    assert caught.value.code == "no_code"
    assert caught.value.args[0] == services.MSG_NO_CODE
