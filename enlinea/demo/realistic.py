"""A few realistic members with a year of history, loans, an investment and cards.

Everything goes through the members, products and ledger services, so the demo data
obeys the same rules as real operations. Idempotent: once the first demo member
exists, nothing is created again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from enlinea.demo.identity import cedula
from enlinea.demo.online import online_enrolment_seed
from enlinea.demo.staff import demo_staff_seed
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import Line, chart_ensure, coop_account, entry_record
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.products.finance import add_months, french_schedule
from enlinea.products.models import AccountKind, AccountStatus, CreditCard, DepositAccount
from enlinea.products.services import (
    account_open,
    account_set_status,
    card_pin_set,
    card_purchase_record,
    credit_card_issue,
    credit_card_statement_cut,
    debit_card_issue,
    investment_open,
    loan_disburse,
    loan_repay,
)

GUAYAQUIL = ZoneInfo("America/Guayaquil")

# Printed by `make run` and listed in the README.
DEMO_STAFF = ("backoffice", "Operaciones#2026")
DEMO_MEMBER = ("andreslopez", "Progreso#2026")


@dataclass(frozen=True)
class Person:
    serial: int
    first: str
    last: str
    email: str
    mobile: str
    birth: datetime.date
    address: str
    salary: int  # cents a month


ANDRES = Person(
    101,
    "Andres David",
    "Lopez Maya",
    "andres.lopez@demo.enlinea.ec",
    "0991234567",
    datetime.date(1988, 3, 14),
    "Av. Amazonas N34-120 y Juan Pablo Sanz, Quito",
    185_000,
)
MARIA = Person(
    102,
    "Maria Fernanda",
    "Perez Guaman",
    "maria.perez@demo.enlinea.ec",
    "0987654321",
    datetime.date(1993, 9, 2),
    "Calle Bolívar 5-67 y Sucre, Cuenca",
    98_000,
)
JOSE = Person(
    103,
    "Jose Luis",
    "Mora Vera",
    "jose.mora@demo.enlinea.ec",
    "0998877665",
    datetime.date(1979, 12, 21),
    "Cdla. Kennedy Norte, Mz. 5 V. 12, Guayaquil",
    142_000,
)
CARMEN = Person(
    104,
    "Carmen Elena",
    "Tapia Rios",
    "carmen.tapia@demo.enlinea.ec",
    "0961122334",
    datetime.date(1965, 6, 30),
    "Av. 10 de Agosto 2345, Ambato",
    76_000,
)
PEOPLE = (ANDRES, MARIA, JOSE, CARMEN)

BILLERS = (
    ("CNEL EP", "Pago de luz CNEL EP", 2_345),
    ("EPMAPS AGUA", "Pago de agua potable EPMAPS", 1_180),
    ("CNT", "Pago de telefonía fija CNT", 2_050),
    ("CLARO RECARGA", "Recarga Claro", 1_000),
)
LOAN = (500_000, 1_575, 24)  # $ 5,000.00 at 15.75 % for 24 months
CARD_PURCHASES = (
    ("KFC QUICENTRO", 1_875, 1),
    ("ALMACENES JAPON", 60_000, 6),
    ("FYBECA", 2_340, 1),
    ("KYWI", 12_999, 3),
    ("CINEMARK", 1_450, 1),
    ("GASOLINERA PRIMAX", 3_000, 1),
)
COMMISSION = 31  # $ 0.31 per service payment or interbank transfer
IVA = 5  # 15 % of the commission, rounded to the cent


def demo_member_cedula(person: Person) -> str:
    return cedula("17", person.serial)


def _key(person: Person, product: str) -> str:
    """The idempotency key of a demo member's product: the same on every run."""
    return f"demo:{demo_member_cedula(person)}:{product}"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=GUAYAQUIL)


def _months_back(today: datetime.date, months: int) -> datetime.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, 1)


def demo_seed() -> bool:
    """Create the realistic demo data; returns False when it was already there."""
    chart_ensure()
    _staff()
    demo_staff_seed()
    if Member.objects.filter(identification=demo_member_cedula(ANDRES)).exists():
        _member_user()
        return False
    members = {
        p.serial: member_create(
            identification_type="CEDULA",
            identification=demo_member_cedula(p),
            first_names=p.first,
            last_names=p.last,
            email=p.email,
            mobile_phone=p.mobile,
            birth_date=p.birth,
            address=p.address,
        )
        for p in PEOPLE
    }
    _member_user()
    today = timezone.localdate()
    start = _months_back(today, 12)
    savings = {}
    for p in PEOPLE:
        member = members[p.serial]
        savings[p.serial] = account_open(
            member=member, idempotency_key=_key(p, "savings"), opened_at=_at(start, 9)
        )
        account_open(
            member=member,
            idempotency_key=_key(p, "certificates"),
            kind=AccountKind.CERTIFICATES,
            opened_at=_at(start, 9, 5),
        )
    progresar = account_open(
        member=members[ANDRES.serial],
        idempotency_key=_key(ANDRES, "progresar"),
        kind=AccountKind.PROGRESAR,
        opened_at=_at(start, 9, 10),
    )
    account_set_status(account=progresar, status=AccountStatus.INACTIVE)
    _history(members, savings, start, today)
    return True


def _staff() -> None:
    User = get_user_model()
    staff, created = User.objects.get_or_create(
        username=DEMO_STAFF[0],
        defaults={"first_name": "Operaciones", "is_staff": True, "is_superuser": True},
    )
    if created:
        staff.set_password(DEMO_STAFF[1])
        staff.save(update_fields=["password"])


def _member_user() -> None:
    """Andres already uses online banking: his first login is done (image, answers)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=DEMO_MEMBER[0], defaults={"first_name": "ANDRES DAVID", "last_name": "LOPEZ MAYA"}
    )
    if created:
        user.set_password(DEMO_MEMBER[1])
        user.save(update_fields=["password"])
    Member.objects.filter(identification=demo_member_cedula(ANDRES), user__isnull=True).update(
        user=user
    )
    member = Member.objects.filter(identification=demo_member_cedula(ANDRES)).first()
    if member is not None and member.user_id == user.pk:
        online_enrolment_seed(user=user, member=member)


def _history(
    members: dict[int, Member],
    savings: dict[int, DepositAccount],
    start: datetime.date,
    today: datetime.date,
) -> None:
    """Twelve months of movements, recorded in time order so running balances read right."""
    events: list[tuple[datetime.datetime, str, object]] = []
    month = start
    n = 0
    while month <= today:
        for p in PEOPLE:
            events.append((_at(month, 8, p.serial % 60), "salary", p))
        events.append(
            (_at(month.replace(day=5), 10, 15), "transfer", (ANDRES, MARIA, 8_000 + 500 * (n % 4)))
        )
        events.append((_at(month.replace(day=7), 18, 40), "transfer", (JOSE, ANDRES, 2_500)))
        for i, p in enumerate(PEOPLE):
            biller = BILLERS[(n + i) % len(BILLERS)]
            events.append((_at(month.replace(day=10 + i), 12, 5), "bill", (p, biller, n)))
        events.append(
            (_at(month.replace(day=15), 16, 20), "interbank", (ANDRES, 15_000 + 1_000 * (n % 3)))
        )
        events.append(
            (_at(month.replace(day=20), 19, 2), "debit_purchase", (ANDRES, 4_567 + 211 * n))
        )
        month = _months_back(month, -1)
        n += 1
    loan_day = _months_back(today, 8).replace(day=12)
    events.append((_at(loan_day, 11), "loan", None))
    for row in french_schedule(
        principal_cents=LOAN[0],
        annual_rate_bp=LOAN[1],
        term_months=LOAN[2],
        first_due=add_months(loan_day, 1),
    ):
        events.append((_at(row.due_date, 9, 30), "loan_repay", row.number))
    events.append((_at(_months_back(today, 2).replace(day=3), 10), "investment", None))
    card_day = _months_back(today, 3).replace(day=2)
    events.append((_at(card_day, 9), "credit_card", None))
    for i, (merchant, amount, installments) in enumerate(CARD_PURCHASES):
        events.append(
            (
                _at(card_day + datetime.timedelta(days=4 + 9 * i), 13, 10 + i),
                "card_purchase",
                (merchant, amount, installments),
            )
        )
    for months in (2, 1, 0):
        events.append((_at(_months_back(today, months).replace(day=15), 23, 30), "statement", None))
    now = timezone.now()
    events = sorted((e for e in events if e[0] < now), key=lambda e: e[0])

    cash = coop_account(LedgerKind.CASH).pk
    clearing = coop_account(LedgerKind.CLEARING).pk
    biller_settlement = coop_account(LedgerKind.BILLER_SETTLEMENT).pk
    commission = coop_account(LedgerKind.COMMISSION_INCOME).pk
    iva = coop_account(LedgerKind.IVA_PAYABLE).pk
    acct = {serial: a.ledger_account_id for serial, a in savings.items()}
    andres = members[ANDRES.serial]
    loan = None
    credit: CreditCard | None = None
    debit = debit_card_issue(
        account=savings[ANDRES.serial], idempotency_key=_key(ANDRES, "debit_card")
    )
    card_pin_set(card=debit, pin="8361")
    for n, (when, kind, data) in enumerate(events):
        key = f"demo:{kind}:{n}"
        if kind == "salary":
            p = data
            if p is CARMEN:  # paid in cash at the branch
                entry_record(
                    idempotency_key=key,
                    kind="cash_deposit",
                    lines=[Line(cash, -p.salary), Line(acct[p.serial], p.salary)],
                    description="Depósito en efectivo",
                    occurred_at=when,
                )
            else:
                entry_record(
                    idempotency_key=key,
                    kind="interbank_in",
                    lines=[Line(clearing, -p.salary), Line(acct[p.serial], p.salary)],
                    description="Transferencia recibida · pago de nómina",
                    occurred_at=when,
                )
        elif kind == "transfer":
            src, dst, amount = data
            entry_record(
                idempotency_key=key,
                kind="transfer_internal",
                lines=[Line(acct[src.serial], -amount), Line(acct[dst.serial], amount)],
                description=f"Transferencia a {dst.first.split()[0].upper()} {dst.last.split()[0].upper()}",
                occurred_at=when,
            )
        elif kind in ("bill", "interbank"):
            if kind == "bill":
                p, (biller, label, base), month_index = data
                amount = base + 37 * (month_index % 5)
                target, description = biller_settlement, label
            else:
                p, amount = data
                target, description = clearing, "Transferencia interbancaria a BANCO PICHINCHA"
            entry_record(
                idempotency_key=key,
                kind="bill_payment" if kind == "bill" else "transfer_interbank",
                lines=[
                    Line(acct[p.serial], -(amount + COMMISSION + IVA)),
                    Line(target, amount),
                    Line(commission, COMMISSION),
                    Line(iva, IVA),
                ],
                description=description,
                metadata={"commission": COMMISSION, "iva": IVA},
                occurred_at=when,
            )
        elif kind == "debit_purchase":
            _, amount = data
            card_purchase_record(
                card=debit,
                amount=amount,
                merchant="SUPERMAXI",
                idempotency_key=key,
                occurred_at=when,
            )
        elif kind == "loan":
            loan = loan_disburse(
                member=andres,
                account=savings[ANDRES.serial],
                product_name="CRÉDITO DE CONSUMO",
                principal=LOAN[0],
                annual_rate_bp=LOAN[1],
                term_months=LOAN[2],
                disbursed_on=when.date(),
                idempotency_key=key,
                occurred_at=when,
            )
        elif kind == "loan_repay" and loan is not None:
            loan_repay(
                loan=loan,
                from_account=savings[ANDRES.serial],
                idempotency_key=key,
                occurred_at=when,
            )
        elif kind == "investment":
            investment_open(
                member=andres,
                source_account=savings[ANDRES.serial],
                capital=200_000,
                annual_rate_bp=650,
                term_days=180,
                start_date=when.date(),
                idempotency_key=key,
                occurred_at=when,
            )
        elif kind == "credit_card":
            credit = credit_card_issue(
                member=andres, credit_limit=150_000, idempotency_key=_key(ANDRES, "credit_card")
            )
        elif kind == "card_purchase" and credit is not None:
            merchant, amount, installments = data
            card_purchase_record(
                card=credit,
                amount=amount,
                merchant=merchant,
                idempotency_key=key,
                installments=installments,
                occurred_at=when,
            )
        elif kind == "statement" and credit is not None:
            credit_card_statement_cut(card=credit, cut_date=when.date())
