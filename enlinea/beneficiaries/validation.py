"""«Validar» of an account of this cooperative, for every page that offers it.

"Nuevo beneficiario, A mi institución" and "TRANSFERENCIAS COOPROGRESO" (a new
destination typed on the spot) both show whose an account is, masked
(``destinations.internal_destination_check``). Showing a holder's name is what a
stranger would try number after number, so both pages count every look-up against one
limit per member (``BENEFICIARIES_RATE_VALIDATE``, whatever the IP or the page): going
from one page to the other is no way around it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from enlinea.security.ratelimit import rate_limited

from .destinations import InternalDestination, internal_destination_check

VALIDATE_RATE_SETTING = "BENEFICIARIES_RATE_VALIDATE"
VALIDATE_RATE_DEFAULT = "20/h"
VALIDATE_GROUP = "beneficiary_validate"
MSG_VALIDATE_LIMITED = (
    "Validaste demasiadas cuentas seguidas. Por tu seguridad, espera un momento e intenta de nuevo."
)
CODE_LIMITED = "validate_limited"
STATUS_LIMITED = 429


def internal_destination_validate(
    request: HttpRequest, *, member: Any, account_number: str
) -> InternalDestination:
    """The account behind ``account_number`` with its holder's masked name, counted
    against the member's «Validar» limit.

    Raises ``ValidationError`` keyed ``account_number``: the check's own refusals, or
    :data:`MSG_VALIDATE_LIMITED` (code :data:`CODE_LIMITED`; the page answers 429, see
    :func:`is_limited`) when the member validated too many accounts, before any look-up.
    """
    limited = rate_limited(
        request,
        group=VALIDATE_GROUP,
        rate_setting=VALIDATE_RATE_SETTING,
        default=VALIDATE_RATE_DEFAULT,
        account=f"member:{member.pk}",
        user=request.user,
    )
    if limited:
        raise ValidationError(
            {"account_number": ValidationError(MSG_VALIDATE_LIMITED, code=CODE_LIMITED)}
        )
    return internal_destination_check(member=member, account_number=account_number)


def is_limited(exc: ValidationError) -> bool:
    """Whether ``exc`` is the «Validar» limit's refusal (the page's status is then 429)."""
    return any(
        error.code == CODE_LIMITED
        for errors in getattr(exc, "error_dict", {}).values()
        for error in errors
    )
