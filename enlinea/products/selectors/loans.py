"""Owner-scoped reads of a member's loans (créditos) and their schedules."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from enlinea.members.models import Member
from enlinea.products.models import Loan, LoanInstallment

MSG_LOAN_NOT_FOUND = "No encontramos ese crédito entre tus productos."


def _with_next_installment(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    """Each loan with ``next_due_date`` / ``next_payment`` (its first unpaid installment,
    None once paid off) and ``regular_payment`` (installment 1's cuota), in one query.
    Installments are paid in order, so this is the installment ``loan_state`` names."""
    unpaid = LoanInstallment.objects.filter(loan=OuterRef("pk"), paid_at__isnull=True).order_by(
        "number"
    )
    first = LoanInstallment.objects.filter(loan=OuterRef("pk"), number=1)
    return loans.select_related("ledger_account").annotate(
        next_due_date=Subquery(unpaid.values("due_date")[:1]),
        next_payment=Subquery(unpaid.values("payment")[:1]),
        regular_payment=Subquery(first.values("payment")[:1]),
    )


def loans_for_member(*, member: Member, next_installment: bool = True) -> QuerySet[Loan]:
    """The member's loans, newest first; ``loan.balance`` reads the ledger (no extra query).
    With ``next_installment`` (the loan pages) each also carries its next installment;
    Mis productos shows only their total and leaves the three subqueries out (they cost
    the landing page more to build than to run)."""
    if next_installment:
        return _with_next_installment(Loan.objects.filter(member=member))
    return Loan.objects.filter(member=member).select_related("ledger_account")


def loan_for_member(*, member: Member, number: str) -> Loan:
    """One of the member's loans by its number; 404 for anyone else's or an unknown one."""
    loan = loans_for_member(member=member).filter(number=number).first()
    if loan is None:
        raise Http404(MSG_LOAN_NOT_FOUND)
    return loan


def loan_installments(*, loan: Loan) -> QuerySet[LoanInstallment]:
    """The amortization table of a loan already fetched through ``loan_for_member``."""
    return LoanInstallment.objects.filter(loan=loan).order_by("number")
