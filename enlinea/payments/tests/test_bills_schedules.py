"""Programar pagos: the schedule's pages (Términos y Condiciones recorded with version,
time and IP; a code to create, edit and delete; another member's schedule a 404) and
the job (each new bill paid once when within the maximum and the funds; above the
maximum, without funds or from a blocked account nothing moves and the member is
e-mailed why; two workers at once pay a bill once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
)
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.ledger.verify import ledger_verify
from enlinea.notifications.models import Message
from enlinea.payments.models import (
    BillPayment,
    BillPaymentStatus,
    PaymentSchedule,
    ScheduleRun,
    ScheduleRunStatus,
)
from enlinea.payments.schedules import (
    NOTICE_NOT_PAID,
    TERMS_VERSION,
    schedule_create,
    schedules_run,
)
from enlinea.payments.simulator import period_of, simulator_bill_publish
from enlinea.payments.tests.support import biller_make
from enlinea.products.models import AccountStatus
from enlinea.products.services import account_open, account_set_status, cash_deposit
from tests.support.threads import at_once

pytestmark = pytest.mark.django_db

SCHEDULES = reverse("payments:bill_schedules")
NEW = reverse("payments:bill_schedule_new")
REFERENCE = "1000234567"


def balance(account) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def savings(socio):
    account = account_open(member=socio, idempotency_key=f"bs-sav-{socio.pk}")
    cash_deposit(account=account, amount=100_000, idempotency_key=f"bs-fund-{account.pk}")
    return account


@pytest.fixture
def luz():
    return biller_make("sched-luz", name="EMPRESA DE LUZ PROGRAMADA")


def _schedule(member, source, biller, max_amount=5_000, reference=REFERENCE):
    return schedule_create(
        member=member,
        source=source,
        biller=biller,
        reference=reference,
        max_amount=max_amount,
        start_date=timezone.localdate(),
        end_date=None,
        terms_version=TERMS_VERSION,
        ip="127.0.0.1",
    )


def _bill(biller, amount, reference=REFERENCE):
    return simulator_bill_publish(biller_code=biller.code, reference=reference, amount=amount)


def _notices(member):
    return list(
        Message.objects.filter(kind=NOTICE_NOT_PAID, recipient=member.email).values_list(
            "body", flat=True
        )
    )


# ------------------------------------------------------------------- the pages


def test_a_schedule_with_fecha_indefinida_needs_the_terms_and_a_code(socio, savings, luz) -> None:
    client = logged_in(socio)
    step = client.get(NEW, {"categoria": luz.category_id})
    assert luz.name in step.content.decode()
    form = client.get(NEW, {"empresa": luz.code})
    page = form.content.decode()
    assert "Recuerda que si la factura es mayor al valor establecido" in page
    assert "Cooprogreso no se responsabiliza por no poder realizar el débito" in page
    assert "Siempre que se encuentre disponible" in page
    data = {
        "empresa": luz.code,
        "source": savings.number,
        "reference": REFERENCE,
        "max_amount": "20.00",
        "frequency": "DISPONIBLE",
        "start_date": timezone.localdate().isoformat(),
        "indefinite": "on",
    }
    refused = client.post(NEW, data)
    assert refused.status_code == 400
    assert "Acepta los Términos y Condiciones" in refused.content.decode()
    no_end = client.post(NEW, {**data, "indefinite": "", "terms": "on"})
    assert "marca Fecha indefinida" in no_end.content.decode()
    past = client.post(
        NEW, {**data, "terms": "on", "start_date": (timezone.localdate() - dt.timedelta(1))}
    )
    assert "no puede ser anterior a hoy" in past.content.decode()
    started = client.post(NEW, {**data, "terms": "on"}, REMOTE_ADDR="10.1.2.3")
    assert started.status_code == 302
    assert not PaymentSchedule.objects.exists()
    operation = latest_operation(socio)
    client.post(started["Location"])
    done = client.post(code_url(operation), {"code": last_code(socio)}, REMOTE_ADDR="10.1.2.3")
    result = client.get(done["Location"]).content.decode()
    assert "¡Pago programado con éxito!" in result
    schedule = PaymentSchedule.objects.get(member=socio)
    assert schedule.end_date is None
    assert schedule.max_amount == 2_000
    assert schedule.terms_version == TERMS_VERSION
    assert schedule.terms_ip == "10.1.2.3"
    assert schedule.terms_accepted_at is not None
    listing = client.get(SCHEDULES).content.decode()
    assert "Indefinido" in listing
    assert "$ 20.00" in listing
    assert luz.name in listing


def test_editing_and_deleting_need_a_code(socio, savings, luz) -> None:
    client = logged_in(socio)
    schedule = _schedule(socio, savings, luz)
    edit_url = reverse("payments:bill_schedule_edit", args=[schedule.pk])
    assert client.get(edit_url).status_code == 200
    started = client.post(
        edit_url,
        {
            "source": savings.number,
            "reference": REFERENCE,
            "max_amount": "35.00",
            "frequency": "DISPONIBLE",
            "start_date": schedule.start_date.isoformat(),
            "indefinite": "on",
        },
    )
    assert started.status_code == 302
    schedule.refresh_from_db()
    assert schedule.max_amount == 5_000  # not before the code
    operation = latest_operation(socio)
    client.post(started["Location"])
    client.post(code_url(operation), {"code": last_code(socio)})
    schedule.refresh_from_db()
    assert schedule.max_amount == 3_500
    started = client.post(reverse("payments:bill_schedule_delete", args=[schedule.pk]))
    operation = latest_operation(socio)
    client.post(started["Location"])
    assert PaymentSchedule.objects.get(pk=schedule.pk).deleted_at is None
    client.post(code_url(operation), {"code": last_code(socio)})
    assert PaymentSchedule.objects.get(pk=schedule.pk).deleted_at is not None
    # A deleted schedule pays nothing.
    _bill(luz, 1_000)
    assert schedules_run()["paid"] == 0


@pytest.mark.parametrize("how", ["edit", "delete"])
def test_another_members_schedule_is_a_404(socio, savings, luz, how) -> None:
    maria = enrolled_member("mariaperez", first_names="Maria", last_names="Perez Guaman")
    hers = account_open(member=maria, idempotency_key="bs-maria")
    theirs = _schedule(maria, hers, luz)
    client = logged_in(socio)
    if how == "edit":
        response = client.get(reverse("payments:bill_schedule_edit", args=[theirs.pk]))
    else:
        response = client.post(reverse("payments:bill_schedule_delete", args=[theirs.pk]))
        assert (
            client.get(reverse("payments:bill_schedule_delete", args=[theirs.pk])).status_code
            == 404
        )
        assert (
            client.post(reverse("payments:bill_schedule_edit", args=[theirs.pk])).status_code == 404
        )
    assert response.status_code == 404
    assert REFERENCE not in client.get(SCHEDULES).content.decode()


# ------------------------------------------------------------------- the job


def test_a_bill_within_the_maximum_is_paid_once(socio, savings, luz) -> None:
    _schedule(socio, savings, luz)
    bill = _bill(luz, 1_500)
    assert schedules_run() == {"paid": 1, "not_paid": 0, "skipped": 0}
    assert schedules_run()["paid"] == 0  # the bill is paid: no debt now
    payment = BillPayment.objects.get(member=socio)
    assert payment.bill_id == bill.bill_id
    assert payment.status == BillPaymentStatus.CONFIRMED
    assert balance(savings) == 100_000 - 1_500
    run = ScheduleRun.objects.get()
    assert run.status == ScheduleRunStatus.PAID
    assert run.payment == payment
    told = Message.objects.get(kind="pago_servicio_realizado", channel="email")
    assert told.recipient == socio.email
    assert f"Tu pago programado de {luz.name} se realizó" in told.body
    assert f"Comprobante N.º {payment.receipt_id}" in told.body
    # Next period's bill is paid by the next run.
    nxt = simulator_bill_publish(
        biller_code=luz.code, reference=REFERENCE, amount=700, period=period_of(timezone.now()) + 1
    )
    assert schedules_run()["paid"] == 1
    assert BillPayment.objects.get(bill_id=nxt.bill_id).amount == 700


def test_a_bill_above_the_maximum_moves_nothing_and_is_emailed(socio, savings, luz) -> None:
    _schedule(socio, savings, luz, max_amount=1_000)
    _bill(luz, 4_321)
    assert schedules_run()["not_paid"] == 1
    assert schedules_run()["not_paid"] == 0  # told once per bill
    assert not BillPayment.objects.exists()
    assert balance(savings) == 100_000
    (body,) = _notices(socio)
    assert "$ 43.21" in body
    assert "supera el monto máximo de $ 10.00" in body
    assert "No debitamos ningún valor" in body


def test_insufficient_funds_and_a_blocked_account_move_nothing_and_are_emailed(socio, luz) -> None:
    poor = account_open(member=socio, idempotency_key="bs-poor")
    cash_deposit(account=poor, amount=500, idempotency_key="bs-poor-fund")
    _schedule(socio, poor, luz, max_amount=10_000)
    _bill(luz, 2_000)
    assert schedules_run()["not_paid"] == 1
    assert balance(poor) == 500
    (body,) = _notices(socio)
    assert "insuficiente" in body.lower()
    blocked_luz = biller_make("sched-luz-2", name="OTRA LUZ")
    cash_deposit(account=poor, amount=100_000, idempotency_key="bs-poor-fund2")
    _schedule(socio, poor, blocked_luz, max_amount=10_000)
    _bill(blocked_luz, 2_000)
    account_set_status(account=poor, status=AccountStatus.BLOCKED)
    assert schedules_run()["not_paid"] == 1
    assert not BillPayment.objects.exists()
    assert len(_notices(socio)) == 2
    assert ledger_verify().ok


def test_a_refused_payment_comes_back(socio, savings, luz) -> None:
    _schedule(socio, savings, luz, reference="1000000004")
    _bill(luz, 1_200, reference="1000000004")
    assert schedules_run()["paid"] == 1
    assert BillPayment.objects.get().status == BillPaymentStatus.RETURNED
    assert balance(savings) == 100_000
    assert Message.objects.filter(kind="pago_servicio_devuelto", recipient=socio.email).exists()


def test_outside_its_dates_nothing_is_paid(socio, savings, luz) -> None:
    schedule = _schedule(socio, savings, luz)
    PaymentSchedule.objects.filter(pk=schedule.pk).update(
        start_date=timezone.localdate() + dt.timedelta(days=3)
    )
    _bill(luz, 1_000)
    assert schedules_run() == {"paid": 0, "not_paid": 0, "skipped": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_pay_each_bill_once(socio) -> None:
    account = account_open(member=socio, idempotency_key="bs-race")
    cash_deposit(account=account, amount=500_000, idempotency_key="bs-race-fund")
    billers = [biller_make(f"race-{i}", name=f"LUZ CARRERA {i}") for i in range(4)]
    for biller in billers:
        _schedule(socio, account, biller, max_amount=10_000)
        _bill(biller, 2_500)
    results, errors = at_once([schedules_run, schedules_run])
    assert errors == []
    assert sum(r["paid"] for r in results) == 4
    assert BillPayment.objects.count() == 4
    assert ScheduleRun.objects.count() == 4
    assert balance(account) == 500_000 - 4 * 2_500
    assert ledger_verify().ok
    # And once more, sequentially: nothing more.
    assert schedules_run()["paid"] == 0
    assert BillPayment.objects.count() == 4


def test_historial_shows_scheduled_payments_paid_and_not_paid(socio, savings, luz) -> None:
    _schedule(socio, savings, luz, max_amount=1_000)
    _bill(luz, 4_321)
    other = biller_make("sched-agua", name="AGUA PROGRAMADA")
    _schedule(socio, savings, other, max_amount=10_000)
    _bill(other, 900)
    schedules_run()
    page = logged_in(socio).get(reverse("payments:bill_history")).content.decode()
    assert "Pago programado" in page
    assert "No pagado" in page
    assert "supera el monto máximo" in page
    assert "AGUA PROGRAMADA" in page
    payment = BillPayment.objects.get(member=socio)
    assert f"Comprobante N.º {payment.receipt_id}" in page


def test_the_job_is_a_periodic_task() -> None:
    from enlinea.payments.tasks import payment_schedules_run

    assert payment_schedules_run.task_class in HUEY._registry._periodic_tasks


def test_the_job_queues_its_shards_which_together_pay_every_schedule_once(
    socio, savings, settings
) -> None:
    from enlinea.payments.tasks import payment_schedules_run

    settings.PAYMENT_SCHEDULE_SHARDS = 3
    billers = [biller_make(f"shard-{i}", name=f"LUZ SECTOR {i}") for i in range(7)]
    for biller in billers:
        _schedule(socio, savings, biller, max_amount=10_000)
        _bill(biller, 1_000)
    assert payment_schedules_run.call_local() == 3  # the shards ran inline (tests)
    assert BillPayment.objects.count() == 7
    assert ScheduleRun.objects.filter(status=ScheduleRunStatus.PAID).count() == 7
    assert balance(savings) == 100_000 - 7_000
    assert schedules_run()["paid"] == 0


def test_a_shard_takes_the_ids_of_its_remainder(socio, savings) -> None:
    schedules = [
        _schedule(socio, savings, biller_make(f"part-{i}", name=f"AGUA PARTE {i}"))
        for i in range(5)
    ]
    for schedule in schedules:
        _bill(schedule.biller, 900)
    paid = [schedules_run(shard=(k, 2))["paid"] for k in (0, 1)]
    assert paid == [
        sum(1 for s in schedules if s.pk % 2 == 0),
        sum(1 for s in schedules if s.pk % 2 == 1),
    ]
    assert ScheduleRun.objects.count() == 5
    with pytest.raises(ValueError, match="shard 2 of 2"):
        schedules_run(shard=(2, 2))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_shards_beside_a_whole_run_pay_each_bill_once(socio) -> None:
    account = account_open(member=socio, idempotency_key="bs-shards")
    cash_deposit(account=account, amount=500_000, idempotency_key="bs-shards-fund")
    for i in range(6):
        biller = biller_make(f"overlap-{i}", name=f"LUZ TRASLAPE {i}")
        _schedule(socio, account, biller, max_amount=10_000)
        _bill(biller, 1_500)
    results, errors = at_once(
        [schedules_run, lambda: schedules_run(shard=(0, 2)), lambda: schedules_run(shard=(1, 2))]
    )
    assert errors == []
    assert sum(r["paid"] for r in results) == 6
    assert BillPayment.objects.count() == 6
    assert balance(account) == 500_000 - 6 * 1_500
    assert ledger_verify().ok


def test_back_office_shows_schedules_runs_and_saved_services_read_only(
    admin_client, socio, savings, luz
) -> None:
    from enlinea.payments.saved import saved_service_ensure

    schedule = _schedule(socio, savings, luz, max_amount=100)
    _bill(luz, 4_000)
    schedules_run()
    saved, _ = saved_service_ensure(member=socio, biller=luz, reference=REFERENCE)
    for name, obj in (
        ("paymentschedule", schedule),
        ("schedulerun", ScheduleRun.objects.get()),
        ("savedservice", saved),
    ):
        assert admin_client.get(reverse(f"admin:payments_{name}_changelist")).status_code == 200
        change = reverse(f"admin:payments_{name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {}).status_code == 403
        assert admin_client.get(reverse(f"admin:payments_{name}_add")).status_code == 403


def test_a_bill_the_member_is_paying_by_hand_is_not_paid_again(socio, savings, luz) -> None:
    from enlinea.payments.services import bill_payment_start

    _schedule(socio, savings, luz)
    bill = _bill(luz, 1_800)
    bill_payment_start(  # by hand, still PENDIENTE (the biller not asked yet)
        source=savings,
        biller=luz,
        reference=REFERENCE,
        amount=1_800,
        bill_id=bill.bill_id,
        idempotency_key="by-hand",
    )
    assert schedules_run() == {"paid": 0, "not_paid": 0, "skipped": 1}
    assert BillPayment.objects.count() == 1
    assert balance(savings) == 100_000 - 1_800
