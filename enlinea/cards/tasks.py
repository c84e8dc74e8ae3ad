"""Background jobs of the cards app (Huey)."""

from __future__ import annotations

import calendar
import datetime
import logging

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from enlinea.products.models import CreditCard
from enlinea.products.services import ProductError, credit_card_statement_cut

logger = logging.getLogger(__name__)


def statement_cuts_due(*, today: datetime.date | None = None) -> int:
    """Cut the statement of every credit card whose cut-off day is ``today`` (on a
    month's last day also the cards whose day the month lacks: 31 in April); each card
    in its own transaction (``credit_card_statement_cut``, which also bills the
    installments of deferred purchases and deferrals). A card already cut today is
    left as it is. Returns how many cards were cut."""
    today = today or timezone.localdate()
    days = Q(statement_day=today.day)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        days |= Q(statement_day__gt=today.day)
    due = (
        CreditCard.objects.filter(days)
        .exclude(last_statement_date__gte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    cut = 0
    for pk in list(due):
        try:
            credit_card_statement_cut(card=CreditCard.objects.get(pk=pk), cut_date=today)
        except ProductError:
            logger.exception("statement cut-off of credit card %s refused", pk)
            continue
        cut += 1
    return cut


@db_periodic_task(crontab(hour="0", minute="15"))
def credit_cards_statement_cut() -> int:
    """Every night: the day's statement cut-offs."""
    return statement_cuts_due()
