"""Parallel "Validar" of one operation on PostgreSQL: it executes once.

Real threads, each with its own database connection and its own HTTP client on the
same session (a double click, or two tabs posting the same code). The lock order is
the challenge, then the operation row: the requests take turns, the first executes,
the others find it DONE and show its result.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from enlinea.access.models import AuditKind, OnlineProfile
from enlinea.access.tests.profile_support import logged_in
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.services import operation_code_send, operation_start
from enlinea.confirmation.tests.support import KIND
from enlinea.notifications.models import Channel, MailboxItem
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sms_code(member) -> str:
    """In autocommit the code is delivered at once (the stored e-mail is then redacted):
    read it from the SMS the simulator received."""
    item = MailboxItem.objects.filter(channel=Channel.SMS, recipient=member.mobile_phone).first()
    assert item is not None, "no SMS reached the simulator"
    return re.search(r"\b(\d{6})\b", item.body).group(1)


def _started(socio, client: Client) -> PendingOperation:
    request = RequestFactory().post("/")
    request.user = socio.user
    request.session = client.session
    operation = operation_start(
        member=socio, kind=KIND, content={"image": "paloma", "pause": 0.3}, request=request
    )
    return operation_code_send(operation=operation, request=request)


@pytest.mark.parametrize("parallel", [2, 6])
def test_parallel_posts_of_the_right_code_execute_once(socio, test_kind, parallel) -> None:
    first = logged_in(socio)
    operation = _started(socio, first)
    code = _sms_code(socio)
    url = f"/operaciones/{operation.token}/codigo/"
    clients = [first]
    for _ in range(parallel - 1):
        clone = Client()
        clone.cookies = first.cookies  # the same browser session
        clients.append(clone)
    barrier = threading.Barrier(parallel)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(url, {"code": code})
            outcome = (response.status_code, response.get("Location", ""))
        finally:
            connection.close()
        with lock:
            answers.append(outcome)

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    result_url = f"/operaciones/{operation.token}/resultado/"
    assert answers == [(302, result_url)] * parallel
    operation.refresh_from_db()
    assert operation.status == PendingOperation.Status.DONE
    assert OnlineProfile.objects.get(user=socio.user).security_image == "paloma"
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).count() == 1
    assert AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_DONE).count() == 1
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_VERIFIED).count() == 1
    assert SecurityChallenge.objects.get().status == SecurityChallenge.Status.USED
