"""Personalizing cupos: the institution's maximums, the rules of a member's cupo, the
audit row and the notice, and the database's own copy of the rules."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from enlinea.limits.errors import LimitError
from enlinea.limits.models import InstitutionLimit, Scope, TransferLimit
from enlinea.limits.selectors import DEFAULT_MAXIMUMS, Amounts, limits_for, maximums_for
from enlinea.limits.services import (
    AUDIT_LIMITS_CHANGED,
    NOTICE_KIND,
    limits_set,
    limits_validate,
    maximums_validate,
)
from enlinea.notifications.models import Message
from enlinea.security.models import AuditEvent

from .support import fail_after

pytestmark = pytest.mark.django_db

EXTERNAL = Scope.EXTERNAL
INTERNAL = Scope.INTERNAL


def _errors(excinfo: pytest.ExceptionInfo[LimitError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_the_institution_maximums_are_the_manuals_until_the_institution_edits_them() -> None:
    # Seeded by the migration, and the same in code when a row is missing.
    assert maximums_for(EXTERNAL) == Amounts(15_000_00, 20_000_00, 40_000_00)
    assert maximums_for(INTERNAL) == Amounts(20_000_00, 50_000_00, 100_000_00)
    seeded = {
        row.scope: Amounts(row.daily, row.weekly, row.monthly)
        for row in InstitutionLimit.objects.all()
    }
    assert seeded == DEFAULT_MAXIMUMS
    InstitutionLimit.objects.all().delete()
    assert maximums_for(EXTERNAL) == Amounts(15_000_00, 20_000_00, 40_000_00)


def test_a_member_who_never_personalized_has_the_maximum(socio) -> None:
    limits = limits_for(member=socio)
    external = limits.external
    assert [(p.label, p.cupo, p.maximum, p.remaining) for p in external.periods] == [
        ("DIARIO", 15_000_00, 15_000_00, 15_000_00),
        ("SEMANAL", 20_000_00, 20_000_00, 20_000_00),
        ("MENSUAL", 40_000_00, 40_000_00, 40_000_00),
    ]
    assert not external.personalized
    assert [s.label for s in limits.scopes] == [
        "Transferencias internas",
        "Transferencias externas",
    ]
    assert limits.internal.period("daily").cupo == 20_000_00
    assert not TransferLimit.objects.exists()  # reading creates nothing


def test_the_manuals_example_is_refused_field_by_field() -> None:
    # The external column of the manual's screenshot: $ 16,000 / $ 10,000 / $ 200,000.
    with pytest.raises(LimitError) as excinfo:
        limits_validate(scope=EXTERNAL, daily=16_000_00, weekly=10_000_00, monthly=200_000_00)
    assert _errors(excinfo) == {
        "daily": ["El cupo diario no puede superar el máximo de $ 15,000.00 de la cooperativa."],
        "weekly": ["El cupo semanal no puede ser menor que el cupo diario ($ 16,000.00)."],
        "monthly": ["El cupo mensual no puede superar el máximo de $ 40,000.00 de la cooperativa."],
    }


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            (1_000_00, 20_000_01, 30_000_00),
            "weekly",
            "El cupo semanal no puede superar el máximo de $ 20,000.00 de la cooperativa.",
        ),
        (
            (5_000_00, 10_000_00, 9_999_99),
            "monthly",
            "El cupo mensual no puede ser menor que el cupo semanal ($ 10,000.00).",
        ),
        ((0, 10_000_00, 20_000_00), "daily", "El cupo diario debe ser mayor a cero."),
        ((1_000_00, -5, 20_000_00), "weekly", "El cupo semanal debe ser mayor a cero."),
        ((1_000_00, 2_000_00, None), "monthly", "Ingresa el cupo mensual."),
    ],
)
def test_each_rule_of_a_cupo_is_told_at_its_field(socio, values, field, message) -> None:
    daily, weekly, monthly = values
    with pytest.raises(LimitError) as excinfo:
        limits_set(member=socio, scope=EXTERNAL, daily=daily, weekly=weekly, monthly=monthly)
    assert _errors(excinfo) == {field: [message]}
    assert not TransferLimit.objects.exists()
    assert not AuditEvent.objects.filter(kind=AUDIT_LIMITS_CHANGED).exists()


def test_amounts_that_are_not_cents_are_a_programming_error() -> None:
    with pytest.raises(TypeError):
        limits_validate(scope=EXTERNAL, daily=1.5, weekly=2_000_00, monthly=3_000_00)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        limits_validate(scope=EXTERNAL, daily=True, weekly=2_000_00, monthly=3_000_00)  # type: ignore[arg-type]


def test_an_unknown_scope_is_refused_in_spanish(socio) -> None:
    with pytest.raises(LimitError, match="Tipo de cupo desconocido"):
        limits_set(member=socio, scope="own", daily=1, weekly=1, monthly=1)


def test_a_member_lowers_and_raises_up_to_the_maximum_audited_and_notified(socio) -> None:
    row = limits_set(
        member=socio, scope=EXTERNAL, daily=1_500_00, weekly=5_000_00, monthly=10_000_00
    )
    assert (row.daily, row.weekly, row.monthly) == (1_500_00, 5_000_00, 10_000_00)
    assert row.personalized_at is not None
    external = limits_for(member=socio).external
    assert external.personalized
    assert [(p.cupo, p.maximum) for p in external.periods] == [
        (1_500_00, 15_000_00),
        (5_000_00, 20_000_00),
        (10_000_00, 40_000_00),
    ]

    # Back up to exactly the maximum: allowed.
    limits_set(member=socio, scope=EXTERNAL, daily=15_000_00, weekly=20_000_00, monthly=40_000_00)
    assert [p.cupo for p in limits_for(member=socio).external.periods] == [
        15_000_00,
        20_000_00,
        40_000_00,
    ]
    # The internal cupo is its own.
    assert limits_for(member=socio).internal.period("daily").cupo == 20_000_00

    events = list(AuditEvent.objects.filter(kind=AUDIT_LIMITS_CHANGED, member=socio).order_by("id"))
    assert len(events) == 2
    assert events[0].detail == {
        "scope": "external",
        "before": {"daily": 15_000_00, "weekly": 20_000_00, "monthly": 40_000_00},
        "after": {"daily": 1_500_00, "weekly": 5_000_00, "monthly": 10_000_00},
        "maximum": {"daily": 15_000_00, "weekly": 20_000_00, "monthly": 40_000_00},
    }
    notices = Message.objects.filter(kind=NOTICE_KIND).order_by("id")
    assert {m.recipient for m in notices} == {socio.email, socio.mobile_phone}
    email = notices.filter(channel="email").first()
    assert email.subject == "Actualizaste tus cupos de transferencias externas en Cooprogreso"
    assert "Diario: antes $ 15,000.00, ahora $ 1,500.00" in email.body
    assert "Mensual: antes $ 40,000.00, ahora $ 10,000.00" in email.body
    assert "Hola, Andres David:" in email.body
    sms = notices.filter(channel="sms").first()
    assert sms.body.startswith("Cooprogreso: se actualizaron tus cupos de transferencias externas")


def test_setting_the_same_cupos_again_changes_nothing(socio) -> None:
    limits_set(member=socio, scope=INTERNAL, daily=1_000_00, weekly=2_000_00, monthly=3_000_00)
    limits_set(member=socio, scope=INTERNAL, daily=1_000_00, weekly=2_000_00, monthly=3_000_00)
    assert AuditEvent.objects.filter(kind=AUDIT_LIMITS_CHANGED).count() == 1
    assert Message.objects.filter(kind=NOTICE_KIND, channel="email").count() == 1


def test_limits_set_composes_with_the_callers_transaction(socio) -> None:
    # The confirmation flow spends its code and sets the cupo in one transaction: if
    # anything after it fails, neither the cupo nor its audit row nor its notice remain.
    with pytest.raises(RuntimeError):
        fail_after(
            lambda: limits_set(
                member=socio, scope=EXTERNAL, daily=100_00, weekly=200_00, monthly=300_00
            )
        )
    assert limits_for(member=socio).external.period("daily").cupo == 15_000_00
    assert not AuditEvent.objects.filter(kind=AUDIT_LIMITS_CHANGED).exists()
    assert not Message.objects.filter(kind=NOTICE_KIND).exists()


def test_a_lowered_institution_maximum_caps_a_cupo_chosen_before(socio) -> None:
    limits_set(member=socio, scope=EXTERNAL, daily=12_000_00, weekly=18_000_00, monthly=30_000_00)
    InstitutionLimit.objects.filter(scope=EXTERNAL).update(
        daily=10_000_00, weekly=20_000_00, monthly=25_000_00
    )
    external = limits_for(member=socio).external
    assert [(p.cupo, p.maximum) for p in external.periods] == [
        (10_000_00, 10_000_00),
        (18_000_00, 20_000_00),
        (25_000_00, 25_000_00),
    ]
    # A member who never personalized follows the institution's current maximum.
    InstitutionLimit.objects.filter(scope=INTERNAL).update(
        daily=30_000_00, weekly=60_000_00, monthly=90_000_00
    )
    assert limits_for(member=socio).internal.period("daily").cupo == 30_000_00


def test_the_institution_maximums_follow_the_same_rules() -> None:
    with pytest.raises(LimitError) as excinfo:
        maximums_validate(daily=30_000_00, weekly=20_000_00, monthly=0)
    assert _errors(excinfo) == {
        "weekly": ["El máximo semanal no puede ser menor que el máximo diario ($ 30,000.00)."],
        "monthly": ["El máximo mensual debe ser mayor a cero."],
    }
    with pytest.raises(LimitError) as excinfo:
        maximums_validate(daily=1, weekly=2, monthly=100_000_000_000)
    assert _errors(excinfo) == {"monthly": ["El máximo mensual no puede superar $ 999,999,999.99."]}


def test_the_database_refuses_cupos_out_of_order_or_half_set(socio) -> None:
    for values in (
        {"daily": 3, "weekly": 2, "monthly": 5},
        {"daily": 0, "weekly": 2, "monthly": 5},
        {"daily": 1, "weekly": None, "monthly": 5},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            TransferLimit.objects.create(member=socio, scope=EXTERNAL, **values)
    TransferLimit.objects.create(member=socio, scope=EXTERNAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferLimit.objects.create(member=socio, scope=EXTERNAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionLimit.objects.filter(scope=EXTERNAL).update(weekly=1)
