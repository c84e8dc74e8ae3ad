"""Reads for the support pages, always scoped to the logged-in member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from enlinea.members import selectors as members_selectors
from enlinea.members.models import Member
from enlinea.products.models import CreditCard, DebitCard, DepositAccount, Investment, Loan
from enlinea.support.models import Complaint, ComplaintProduct


@dataclass(frozen=True)
class ProductRef:
    """One of the member's products as the complaint form offers it."""

    key: str  # "<kind>-<id>", what the form posts back
    label: str  # shown to the member and kept on the complaint; cards are masked
    product: ComplaintProduct


def member_for_user(user: Any) -> Member:
    """The member behind a logged-in user; 404 for staff and users without one."""
    return members_selectors.member_for_user(user=user)


def member_products(*, member: Member) -> list[ProductRef]:
    """Every product the member holds, in the order of the "Producto" list."""
    refs: list[ProductRef] = []
    for account in DepositAccount.objects.filter(member=member).order_by("opened_at", "id"):
        refs.append(ProductRef(f"cuenta-{account.pk}", str(account), ComplaintProduct.ACCOUNTS))
    for loan in Loan.objects.filter(member=member).order_by("disbursed_on", "id"):
        refs.append(
            ProductRef(f"credito-{loan.pk}", f"Crédito {loan.number}", ComplaintProduct.LOANS)
        )
    for investment in Investment.objects.filter(member=member).order_by("start_date", "id"):
        refs.append(
            ProductRef(
                f"inversion-{investment.pk}",
                f"Póliza {investment.number}",
                ComplaintProduct.INVESTMENTS,
            )
        )
    for card in DebitCard.objects.filter(member=member).order_by("issued_at", "id"):
        refs.append(
            ProductRef(
                f"debito-{card.pk}",
                f"Tarjeta de débito {card.masked_number}",
                ComplaintProduct.DEBIT_CARD,
            )
        )
    for card in CreditCard.objects.filter(member=member).order_by("issued_at", "id"):
        refs.append(
            ProductRef(
                f"tcredito-{card.pk}",
                f"Tarjeta de crédito {card.masked_number}",
                ComplaintProduct.CREDIT_CARD,
            )
        )
    return refs


def member_product_choices(*, member: Member) -> list[tuple[str, Any]]:
    """Choices for the "Número de cuenta o tarjeta" select, grouped by product."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for ref in member_products(member=member):
        groups.setdefault(ref.product.label, []).append((ref.key, ref.label))
    return [("", "Ninguno (no aplica)"), *groups.items()]


def complaints_for_member(*, member: Member) -> QuerySet[Complaint]:
    return Complaint.objects.filter(member=member).order_by("-created_at", "-id")


def complaint_for_member(*, member: Member, complaint_id: int) -> Complaint:
    """The member's own complaint; anyone else's id answers 404."""
    try:
        return complaints_for_member(member=member).get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise Http404("No existe esa queja o reclamo.") from None
