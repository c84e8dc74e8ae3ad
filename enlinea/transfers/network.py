"""The interbank network (Ecuador's SPI, run by the Banco Central) behind one interface.

The clearing job (``enlinea.transfers.clearing``) talks to the network only through an
:class:`InterbankNetwork`, chosen by ``settings.INTERBANK_NETWORK`` (a dotted path; the
default is the local simulator, ``enlinea.transfers.simulator.SpiSimulator``). A
production adapter is a new class with these four methods, never an edit of the
callers. What each must guarantee:

* ``send(batch, now=…)`` delivers a batch of orders. Sending the same references again
  (a worker retried, staff pressed Reintentar) must not pay anyone twice: the network
  answers a known reference with what it knows of it. It returns what it can say at
  once (usually ACCEPTED; a final outcome for a reference it already decided); an order
  it did not take is simply missing from the answer and stays ENVIADA until a resend.
  It raises :class:`NetworkError` when the batch did not reach the network.
* ``status(references, now=…)`` tells the outcome of orders sent before (SETTLED or
  RETURNED with the reason; ACCEPTED while the cycle runs). Asked every cycle for every
  order still waiting, so an answer lost on the way is asked again: nothing is lost.
* ``incoming(now=…)`` lists the credits sent to members here that the cooperative has
  not acknowledged yet: the same credit comes again until ``incoming_ack``.
* ``incoming_ack(reference, credited=…, reason=…, now=…)`` says a credit was credited
  or returned to the network (with the reason), after it was recorded here.

``now`` is the cycle's moment: a real adapter may ignore it; the simulator decides with
it, so tests run cycles at explicit times without sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_NETWORK = "enlinea.transfers.simulator.SpiSimulator"

ACCEPTED = "ACCEPTED"
SETTLED = "SETTLED"
RETURNED = "RETURNED"


class NetworkError(Exception):
    """The network could not be reached or refused the message as a whole."""


@dataclass(frozen=True)
class Order:
    """One payment order as the network receives it."""

    reference: str
    amount: int  # cents
    beneficiary_name: str
    beneficiary_identification: str
    beneficiary_account: str
    beneficiary_account_type: str
    institution: str
    originator_name: str
    originator_account: str
    motive: str


@dataclass(frozen=True)
class Batch:
    reference: str
    orders: Sequence[Order]


@dataclass(frozen=True)
class OrderResult:
    """What the network says of one order: ACCEPTED (in the cycle), SETTLED, or
    RETURNED with ``reason`` (e.g. "CUENTA INEXISTENTE")."""

    reference: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class IncomingCredit:
    """A transfer another institution sent to an account of this cooperative."""

    reference: str
    account_number: str
    amount: int  # cents
    originator_name: str
    originator_identification: str
    originator_account: str
    originator_account_type: str
    institution: str
    motive: str


class InterbankNetwork(Protocol):
    def send(self, batch: Batch, *, now: dt.datetime) -> list[OrderResult]: ...

    def status(self, references: Sequence[str], *, now: dt.datetime) -> list[OrderResult]: ...

    def incoming(self, *, now: dt.datetime) -> list[IncomingCredit]: ...

    def incoming_ack(
        self, reference: str, *, credited: bool, reason: str = "", now: dt.datetime
    ) -> None: ...


@cache
def _network_class(path: str) -> type:
    return import_string(path)


def interbank_network() -> InterbankNetwork:
    """The configured network adapter (``settings.INTERBANK_NETWORK``)."""
    path = getattr(settings, "INTERBANK_NETWORK", DEFAULT_NETWORK) or DEFAULT_NETWORK
    return _network_class(path)()
