"""The billers' collection network behind one interface.

Services (``enlinea.payments.services``) talk to the billers only through a
:class:`BillerNetwork`, chosen by ``settings.BILLER_NETWORK`` (a dotted path; the default
is the local simulator, ``enlinea.payments.simulator.BillerSimulator``). A production
adapter is a new class with these three methods, never an edit of the callers. What
each must guarantee:

* ``inquiry(biller_code, reference, now=…)`` answers the bill the customer owes (its
  id, amount, due date and holder) or raises :class:`NoDebt`,
  :class:`ReferenceNotFound` or :class:`BillerUnavailable`.
* ``authorize(request, now=…)`` asks the biller to take a payment (a bill by its id,
  or a recarga of an amount) under the payment's own ``request.reference``. Asked
  again with the same reference it answers what it answered before (a retried worker
  never pays twice). Raises :class:`PaymentRefused` (or :class:`ReferenceNotFound`)
  when the biller will not take it, :class:`BillerUnavailable` when it could not be
  asked.
* ``confirm(reference, now=…)`` confirms an authorized payment: the biller books it
  and answers its confirmation number; the same answer when asked again. Raises
  :class:`PaymentRefused` when the biller refuses it after all (the member's money is
  then returned) and :class:`BillerUnavailable` when it could not be asked (asked
  again later).

``now`` is the moment of the call: a real adapter may ignore it; the simulator decides
with it, so tests run at explicit times without sleeping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from enlinea.beneficiaries.destinations import mask_holder_name

DEFAULT_NETWORK = "enlinea.payments.simulator.BillerSimulator"


class BillerError(Exception):
    """What the biller answered instead of a bill or a payment, in Spanish."""

    reason = "ERROR DE LA EMPRESA"

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        if reason:
            self.reason = reason


class NoDebt(BillerError):
    reason = "SIN VALORES PENDIENTES"


class ReferenceNotFound(BillerError):
    reason = "REFERENCIA NO EXISTE"


class BillerUnavailable(BillerError):
    reason = "EMPRESA NO DISPONIBLE"


class PaymentRefused(BillerError):
    reason = "PAGO RECHAZADO POR LA EMPRESA"


@dataclass(frozen=True)
class Bill:
    """A bill the customer behind ``reference`` owes the biller."""

    biller_code: str
    reference: str
    bill_id: str
    amount: int  # cents
    due_date: dt.date
    holder_name: str

    @property
    def holder_masked(self) -> str:
        """The holder as the member may see it: ``QUISHPE TENE ROSA`` → ``QU*** TE***``."""
        words = self.holder_name.split()
        return mask_holder_name(
            first_names=words[0] if words else "", last_names=" ".join(words[1:2])
        )


@dataclass(frozen=True)
class PaymentRequest:
    """One payment as the biller receives it; ``bill_id`` empty for a recarga."""

    reference: str  # the payment's own reference at the network
    biller_code: str
    customer_reference: str
    amount: int  # cents
    bill_id: str = ""


@dataclass(frozen=True)
class Authorization:
    reference: str
    authorization: str


@dataclass(frozen=True)
class Confirmation:
    reference: str
    confirmation: str


class BillerNetwork(Protocol):
    def inquiry(self, biller_code: str, reference: str, *, now: dt.datetime) -> Bill: ...

    def authorize(self, request: PaymentRequest, *, now: dt.datetime) -> Authorization: ...

    def confirm(self, reference: str, *, now: dt.datetime) -> Confirmation: ...


@cache
def _network_class(path: str) -> type:
    return import_string(path)


def biller_network() -> BillerNetwork:
    """The configured network adapter (``settings.BILLER_NETWORK``)."""
    path = getattr(settings, "BILLER_NETWORK", DEFAULT_NETWORK) or DEFAULT_NETWORK
    return _network_class(path)()
