"""A few realistic members with a year of history, loans, an investment and cards.

Every movement goes through the product services (transfers, payments, cash, loans,
investments, cards), so the demo data obeys the same rules as real operations: each
opens its comprobante, and fees come from the tariff (the interbank transfer's
COMISIÓN $ 0.36 and IVA $ 0.05), never from constants here. Idempotent: once the first demo member
exists, nothing is created again.

This is an entry point (``manage.py seed_demo``), so it holds the durable transactions:
one for the members and their accounts, then one per movement of the history, since a
transaction runs one money operation (``enlinea.products.locking``).

Interbank transfers go through the clearing as real ones do: the SPI simulator's cycles
run at their moments in the history (``enlinea.transfers.clearing.clearing_cycle`` with
an explicit time), so the rent transfers are settled, one transfer of Andres to an
account the simulator does not know (ending in 0000, docs/interbank.md) is returned with
its fees credited back, and one of Jose's, to an account the network never answers
(ending in 6666), waits in the back office's queue of stuck transfers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from enlinea.demo.identity import cedula
from enlinea.demo.online import online_enrolment_seed
from enlinea.demo.staff import demo_staff_seed
from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.payments.services import bill_payment_record
from enlinea.products.finance import add_months, french_schedule
from enlinea.products.models import AccountKind, AccountStatus, CreditCard, DepositAccount
from enlinea.products.services import (
    account_open,
    account_set_status,
    card_pin_set,
    card_purchase_record,
    cash_deposit,
    credit_card_issue,
    credit_card_statement_cut,
    debit_card_issue,
    investment_open,
    loan_disburse,
    loan_repay,
)
from enlinea.receipts.services import Counterpart
from enlinea.transfers.clearing import clearing_cycle
from enlinea.transfers.services import (
    interbank_transfer_receive,
    interbank_transfer_record,
    transfer_record,
)
from enlinea.transfers.simulator import SpiSimulator, cycle_seconds

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
PICHINCHA = "BANCO PICHINCHA C.A."
PACIFICO = "BANCO DEL PACIFICO S.A."

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
# Who pays the salaries of the members paid by transfer: name, RUC, account, institution.
EMPLOYERS = {
    ANDRES.serial: ("EMPRESA ANDINA DE SOFTWARE S.A.", "1792345678001", "2100123456", PICHINCHA),
    MARIA.serial: ("EMPRESA TEXTIL AZUAYA CIA. LTDA.", "0190345678001", "2200456789", PICHINCHA),
    JOSE.serial: ("EMPRESA PORTUARIA DEL PACIFICO S.A.", "0992345678001", "3100987654", PACIFICO),
}
# Andres pays his rent by interbank transfer; the fee comes from the tariff.
RENT_BENEFICIARY = Counterpart(
    name="ROSA QUISHPE",
    identification="1712345678",
    account_number="2203344556",
    account_type="AHORROS",
    institution=PICHINCHA,
)
# The SPI simulator returns a transfer to an account ending in 0000 (CUENTA INEXISTENTE)
# and never answers one to an account ending in 6666 (docs/interbank.md).
MISTYPED_BENEFICIARY = Counterpart(
    name="LUIS TOAPANTA",
    identification="1709876543",
    account_number="2205550000",
    account_type="AHORROS",
    institution=PICHINCHA,
)
UNANSWERED_BENEFICIARY = Counterpart(
    name="FERRETERIA EL PUERTO S.A.",
    identification="0991234567001",
    account_number="1034566666",
    account_type="CORRIENTE",
    institution=PACIFICO,
)


DEMO_PIN = "8361"  # both of ANDRES's cards (README: Tarjetas Cooprogreso, Cambiar PIN)


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
    with transaction.atomic(durable=True):
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
    events.append(
        (
            _at(_months_back(today, 2).replace(day=20), 11, 10),
            "interbank_other",
            (ANDRES, MISTYPED_BENEFICIARY, 8_500, "Pago de curso de inglés"),
        )
    )
    events.append(
        (
            _at(today - datetime.timedelta(days=1), 15, 5),
            "interbank_other",
            (JOSE, UNANSWERED_BENEFICIARY, 12_000, "Compra de materiales"),
        )
    )
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
    # The clearing cycles after each interbank transfer: one sends its batch, the next
    # (a simulator cycle later) settles or returns it.
    cycle = datetime.timedelta(seconds=cycle_seconds())
    for when, kind, _ in list(events):
        if kind in ("interbank", "interbank_other"):
            sent = when + datetime.timedelta(minutes=10)
            events += [(sent, "clearing", None), (sent + cycle, "clearing", None)]
    now = timezone.now()
    events = sorted((e for e in events if e[0] < now), key=lambda e: e[0])

    andres = members[ANDRES.serial]
    loan = None
    credit: CreditCard | None = None
    debit = debit_card_issue(
        account=savings[ANDRES.serial], idempotency_key=_key(ANDRES, "debit_card")
    )
    card_pin_set(card=debit, pin=DEMO_PIN)
    simulator = SpiSimulator()  # never a real network, whatever the settings say
    for n, (when, kind, data) in enumerate(events):
        key = f"demo:{kind}:{n}"
        if kind == "clearing":  # an entry point of its own, one transaction per step
            clearing_cycle(now=when, network=simulator)
            continue
        with transaction.atomic(durable=True):
            if kind == "salary":
                p = data
                if p is CARMEN:  # paid in cash at the branch
                    cash_deposit(
                        account=savings[p.serial],
                        amount=p.salary,
                        idempotency_key=key,
                        description="Depósito en efectivo",
                        occurred_at=when,
                    )
                else:
                    employer = EMPLOYERS[p.serial]
                    interbank_transfer_receive(
                        destination=savings[p.serial],
                        amount=p.salary,
                        originator=Counterpart(
                            name=employer[0],
                            identification=employer[1],
                            account_number=employer[2],
                            account_type="CORRIENTE",
                            institution=employer[3],
                        ),
                        motive="Pago de nómina",
                        idempotency_key=key,
                        occurred_at=when,
                    )
            elif kind == "transfer":
                src, dst, amount = data
                transfer_record(
                    source=savings[src.serial],
                    kind="internal",
                    destination=savings[dst.serial],
                    amount=amount,
                    motive="Aporte familiar" if src is ANDRES else "Pago de almuerzos",
                    idempotency_key=key,
                    occurred_at=when,
                )
            elif kind == "bill":
                p, (biller, label, base), month_index = data
                bill_payment_record(
                    source=savings[p.serial],
                    biller=biller,
                    label=label,
                    amount=base + 37 * (month_index % 5),
                    reference=f"{p.serial}{month_index % 3:02d}{len(biller):04d}",
                    idempotency_key=key,
                    occurred_at=when,
                )
            elif kind == "interbank":
                p, amount = data
                interbank_transfer_record(
                    source=savings[p.serial],
                    amount=amount,
                    beneficiary=RENT_BENEFICIARY,
                    motive="Arriendo departamento",
                    idempotency_key=key,
                    occurred_at=when,
                )
            elif kind == "interbank_other":
                p, beneficiary, amount, motive = data
                interbank_transfer_record(
                    source=savings[p.serial],
                    amount=amount,
                    beneficiary=beneficiary,
                    motive=motive,
                    idempotency_key=key,
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
                card_pin_set(card=credit, pin=DEMO_PIN)
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
