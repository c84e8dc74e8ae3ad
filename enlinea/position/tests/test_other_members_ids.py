"""Every member-site URL that takes an id answers 404 to another member.

The URL patterns are discovered from Django's resolver: every pattern of the member site
(everything but the back office under ``backoffice/``) with a path converter
(``<int:...>``, ``<str:...>``, ``<slug:...>``...) must be listed in ``CASES`` or in
``EXEMPT``, or ``test_every_url_with_an_id_has_a_case`` fails. So each new page with an id
adds its case here in the same change.

How to add a case (another helper or a later issue):

* ``CASES["namespace:url_name"] = factory`` where ``factory(owner)`` receives the owner's
  ``Member`` (andreslopez; their user is ``owner.user``), creates what the page shows
  through the real services, and returns the URL kwargs, e.g.
  ``lambda owner: {"number": give_loan(owner, funded_account(owner)).number}``.
  The test then checks that the owner gets the page (not 404: the case must really reach
  an object) and that another member (mariaperez) logged in gets 404 for the same URL.
* Add the name to ``POST_TOO`` if the view also accepts POST: the other member's POST
  must be a 404 too.
* ``EXEMPT["namespace:url_name"] = "why"`` only for a parameter that is not the id of
  anything a member owns (a menu slug, a fixed step name), with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.test.client import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from enlinea.members.models import Member

from .products_support import (
    funded_account,
    give_credit_card,
    give_investment,
    give_loan,
)

pytestmark = pytest.mark.django_db

BACK_OFFICE = "backoffice/"  # the staff site: its own login, roles and permissions


def _device(owner: Member) -> dict[str, Any]:
    from enlinea.access.devices import device_register

    request = RequestFactory().get("/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="10.0.0.8")
    device, _ = device_register(user=owner.user, alias="Laptop de casa", request=request)
    return {"device_id": device.pk}


def _complaint(owner: Member) -> dict[str, Any]:
    from enlinea.support.models import ComplaintProduct
    from enlinea.support.services import complaint_file

    complaint = complaint_file(
        member=owner,
        product=ComplaintProduct.TRANSFERS,
        product_reference="",
        full_name=owner.full_name,
        identification=owner.identification,
        detail="La transferencia del lunes no llegó a su destino.",
        attachment=None,
        consent=True,
    )
    return {"complaint_id": complaint.pk}


def _account(owner: Member) -> dict[str, Any]:
    return {"number": funded_account(owner).number}


def _loan(owner: Member) -> dict[str, Any]:
    return {"number": give_loan(owner, funded_account(owner)).number}


def _investment(owner: Member) -> dict[str, Any]:
    return {"number": give_investment(owner, funded_account(owner)).number}


def _credit_card(owner: Member) -> dict[str, Any]:
    from enlinea.products.selectors.cards import credit_card_reference

    return {"reference": credit_card_reference(give_credit_card(owner))}


def _card(kind: str) -> Callable[[Member], dict[str, Any]]:
    """A card of Tarjetas {short_name}: its kind and reference (never its id)."""

    def factory(owner: Member) -> dict[str, Any]:
        from enlinea.products.selectors.cards import debit_card_reference
        from enlinea.products.services import debit_card_issue

        if kind == "credito":
            return {"kind": kind, **_credit_card(owner)}
        card = debit_card_issue(account=funded_account(owner), idempotency_key="walk-debit")
        return {"kind": kind, "reference": debit_card_reference(card)}

    return factory


def _receipt(owner: Member) -> dict[str, Any]:
    from enlinea.receipts.selectors import receipt_for_entry

    account = funded_account(owner)
    entry = account.ledger_account.postings.order_by("id").first().entry
    return {"number": receipt_for_entry(entry).number}


def _movement(owner: Member) -> dict[str, Any]:
    account = funded_account(owner)
    posting = account.ledger_account.postings.order_by("id").first()
    return {"number": account.number, "posting_id": posting.pk}


def _statement(owner: Member) -> dict[str, Any]:
    today = timezone.localdate()
    return {"number": funded_account(owner).number, "year": today.year, "month": today.month}


def _operation(owner: Member) -> dict[str, Any]:
    from enlinea.confirmation.tests.support import started

    return started(owner)


def _beneficiary(owner: Member) -> dict[str, Any]:
    from enlinea.beneficiaries.models import BeneficiaryKind
    from enlinea.beneficiaries.services import beneficiary_create
    from enlinea.institutions.models import Institution

    beneficiary = beneficiary_create(
        member=owner,
        kind=BeneficiaryKind.EXTERNAL,
        institution_id=Institution.objects.get(name="BANCO PICHINCHA").pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )
    return {"beneficiary_id": beneficiary.pk}


def _saved_card(owner: Member) -> dict[str, Any]:
    from enlinea.beneficiaries.models import BeneficiaryKind
    from enlinea.beneficiaries.services import beneficiary_create
    from enlinea.institutions.models import Institution

    card = beneficiary_create(
        member=owner,
        kind=BeneficiaryKind.CARD,
        institution_id=Institution.objects.get(name="BANCO DINERS CLUB DEL ECUADOR S.A.").pk,
        card_number="4517801212345671",  # Luhn-valid
        name="Yajaira Ibarra",
        identification_type="CEDULA",
        identification="1710034065",
    )
    return {"beneficiary_id": card.pk}


def _saved_service(owner: Member) -> dict[str, Any]:
    from enlinea.payments.saved import saved_service_ensure
    from enlinea.payments.tests.support import biller_make

    saved, _ = saved_service_ensure(member=owner, biller=biller_make(), reference="1000234567")
    return {"pk": saved.pk}


def _schedule(owner: Member) -> dict[str, Any]:
    from enlinea.payments.schedules import TERMS_VERSION, schedule_create
    from enlinea.payments.tests.support import biller_make

    schedule = schedule_create(
        member=owner,
        source=funded_account(owner),
        biller=biller_make(),
        reference="1000234567",
        max_amount=5_000,
        start_date=timezone.localdate(),
        end_date=None,
        terms_version=TERMS_VERSION,
        ip=None,
    )
    return {"pk": schedule.pk}


CASES: dict[str, Callable[[Member], dict[str, Any]]] = {
    "payments:bill_saved_delete": _saved_service,
    "payments:bill_schedule_edit": _schedule,
    "payments:bill_schedule_delete": _schedule,
    "payments:card_pay": _saved_card,
    "payments:own_card_pay": _credit_card,
    "cards:pin_change": _card("debito"),
    "cards:pin_generate": _card("credito"),
    "cards:defer": _credit_card,
    "cards:lock": _card("debito"),
    "cards:unlock": _card("credito"),
    "cards:travel": _card("credito"),
    "profile:device": _device,
    "profile:device_remove": _device,
    "support:complaint_detail": _complaint,
    "support:complaint_sent": _complaint,
    "position:account_movements": _account,
    "position:loan_detail": _loan,
    "position:loan_schedule": _loan,
    "position:investment_detail": _investment,
    "position:credit_card_detail": _credit_card,
    "position:movement_receipt": _movement,
    "receipts:detail": _receipt,
    "receipts:pdf": _receipt,
    "documents:movements_pdf": _account,
    "documents:movements_xlsx": _account,
    "documents:loan_schedule_pdf": _loan,
    "documents:loan_schedule_xlsx": _loan,
    "documents:statement_pdf": _statement,
    "documents:certificate_pdf": _account,
    "confirmation:operation": _operation,
    "confirmation:code": _operation,
    "confirmation:resend": _operation,
    "confirmation:result": _operation,
    "beneficiaries:edit": _beneficiary,
    "beneficiaries:delete": _beneficiary,
}

POST_TOO = {
    "payments:bill_saved_delete",
    "payments:bill_schedule_edit",
    "payments:bill_schedule_delete",
    "payments:card_pay",
    "payments:own_card_pay",
    "cards:pin_change",
    "cards:pin_generate",
    "cards:defer",
    "cards:lock",
    "cards:unlock",
    "cards:travel",
    "profile:device_remove",
    "confirmation:operation",
    "confirmation:code",
    "confirmation:resend",
    "confirmation:result",
    "beneficiaries:edit",
    "beneficiaries:delete",
}

EXEMPT: dict[str, str] = {
    "web:section": "a menu section's slug (Perfil, Transferencias...), the same for everyone",
    "notifications:mailbox_item": "the development mailbox: 404 to everyone outside DEBUG/DEMO",
    "cards:pin_link": (
        "Generar PIN's e-mailed one-time token, not an id: it is only put in the browser's "
        "session; cards:pin_reveal then shows a PIN only to the member whose link it is, "
        "and answers every other token alike (enlinea/cards/tests/test_pin_views.py)"
    ),
}


def _walk(patterns: list, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            has_params = bool(getattr(pattern.pattern, "converters", {})) or not hasattr(
                pattern.pattern, "converters"
            )
            for name, sub_route, params in _walk(pattern.url_patterns, route, inner):
                yield name, sub_route, params or has_params
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            converters = getattr(pattern.pattern, "converters", None)
            # A regex pattern has no converters attribute: treat any group as a parameter.
            params = bool(converters) if converters is not None else "(" in route
            yield name, route, params


def urls_with_ids() -> dict[str, str]:
    """``{url name: route}`` of every member-site pattern that takes a parameter."""
    found: dict[str, str] = {}
    for name, route, params in _walk(get_resolver().url_patterns):
        if params and not route.startswith(BACK_OFFICE):
            found[name or f"<sin nombre> {route}"] = route
    return found


def test_every_url_with_an_id_has_a_case() -> None:
    found = urls_with_ids()
    missing = sorted(set(found) - set(CASES) - set(EXEMPT))
    assert not missing, (
        "These member URLs take an id but no case checks that another member gets 404; "
        f"add them to CASES (or EXEMPT with a reason) in {__name__}: "
        + ", ".join(f"{name} ({found[name]})" for name in missing)
    )
    stale = sorted((set(CASES) | set(EXEMPT)) - set(found))
    assert not stale, f"Cases for URLs that no longer exist: {stale}"
    assert not set(CASES) & set(EXEMPT)


def test_the_walk_sees_the_known_id_urls() -> None:
    """The discovery itself works: the pages we know take an id are found."""
    found = urls_with_ids()
    for name in ("support:complaint_detail", "profile:device", "position:account_movements"):
        assert name in found
    assert "web:home" not in found
    assert not any(route.startswith(BACK_OFFICE) for route in found.values())


@pytest.fixture
def owner(member) -> Member:
    return member.member


@pytest.mark.parametrize("url_name", sorted(CASES))
def test_another_members_id_is_404(url_name: str, owner: Member, other_member) -> None:
    kwargs = CASES[url_name](owner)
    url = reverse(url_name, kwargs=kwargs)

    as_owner = Client()
    as_owner.force_login(owner.user)
    assert as_owner.get(url).status_code != 404, f"the case for {url_name} reaches nothing"

    as_other = Client()
    as_other.force_login(other_member)
    assert as_other.get(url).status_code == 404
    if url_name in POST_TOO:
        assert as_other.post(url, {}).status_code == 404
