"""Owner-scoped reads of a member's term deposits (inversiones / pólizas)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from enlinea.members.models import Member
from enlinea.products.models import Investment

MSG_INVESTMENT_NOT_FOUND = "No encontramos esa inversión entre tus productos."


def investments_for_member(*, member: Member) -> QuerySet[Investment]:
    """The member's pólizas, newest first. Interest and withholding were computed by
    ``finance.term_deposit_interest`` / ``finance.interest_withholding`` when the póliza
    was opened and are stored on it: these are the amounts ``investment_pay`` pays."""
    return Investment.objects.filter(member=member).select_related("ledger_account")


def investment_for_member(*, member: Member, number: str) -> Investment:
    """One of the member's pólizas by its number; 404 for anyone else's or an unknown one."""
    investment = investments_for_member(member=member).filter(number=number).first()
    if investment is None:
        raise Http404(MSG_INVESTMENT_NOT_FOUND)
    return investment


def investment_total_at_maturity(*, investment: Investment) -> int:
    """Total a recibir al vencimiento, in cents: capital plus interest less withholding
    (what ``services.investment_pay`` credits to the source account)."""
    return investment.capital + investment.interest - investment.withholding
