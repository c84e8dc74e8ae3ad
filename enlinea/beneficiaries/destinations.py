"""Checking a beneficiary's destination before it is saved ("Validar").

What the member typed is normalized (spaces, dashes and dots people paste are dropped,
names in capitals, identification numbers checked by python-stdnum) and refused with a
Spanish message per field; ``FieldErrors`` collects them so a form shows every problem
at once. Nothing here writes: ``enlinea.beneficiaries.services`` saves what passes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from stdnum import luhn

from enlinea.institutions.models import Institution
from enlinea.institutions.selectors import institution_for_choice
from enlinea.members import validators
from enlinea.members.models import IdentificationType, Member
from enlinea.products.models import AccountKind, AccountStatus, DepositAccount

from .models import (
    ACCOUNT_NUMBER_MAX_LENGTH,
    ALIAS_MAX_LENGTH,
    NAME_MAX_LENGTH,
    AccountType,
    BeneficiaryKind,
)

ACCOUNT_NUMBER_MIN_LENGTH = 5
CARD_NUMBER_LENGTHS = range(13, 20)  # 13 to 19 digits (ISO/IEC 7812)

MSG_ACCOUNT_REQUIRED = "Ingresa el número de cuenta."
MSG_ACCOUNT_DIGITS = "Ingresa el número de cuenta solo con dígitos, sin letras."
MSG_ACCOUNT_LENGTH = (
    f"El número de cuenta debe tener entre {ACCOUNT_NUMBER_MIN_LENGTH} y "
    f"{ACCOUNT_NUMBER_MAX_LENGTH} dígitos."
)
# One answer for an unknown number and for an account that cannot receive money
# (closed, blocked, inactive, a certificate): "Validar" tells nobody which numbers exist.
MSG_INTERNAL_UNAVAILABLE = (
    "No podemos registrar esta cuenta. Revisa el número; si es correcto, pide al titular "
    "que confirme que su cuenta está activa y puede recibir transferencias."
)
MSG_OWN_ACCOUNT = (
    "Esta cuenta es tuya: para mover dinero entre tus cuentas usa «Transferencias propias»."
)
MSG_INSTITUTION = "Selecciona la entidad financiera de la lista."
MSG_INSTITUTION_HOME = (
    "Esa es una cuenta de {institution}: regístrala en «A mi institución» con su número."
)
MSG_ACCOUNT_TYPE = "Selecciona el tipo de cuenta: Ahorros o Corriente."
MSG_NAME = "Ingresa el nombre del beneficiario, solo con letras."
MSG_NAME_LENGTH = f"El nombre del beneficiario puede tener hasta {NAME_MAX_LENGTH} caracteres."
MSG_ALIAS_LENGTH = f"El alias puede tener hasta {ALIAS_MAX_LENGTH} caracteres."
MSG_ALIAS_CHARACTERS = "El alias solo puede tener letras, números, espacios y signos comunes."
MSG_CARD_LENGTH = "Ingresa el número de tarjeta, de 13 a 19 dígitos."
MSG_CARD_CHECK = "El número de tarjeta no es válido: revisa que esté completo y sin errores."

# Accounts that receive transfers: not the CERTIFICADOS DE APORTACION (a member's share
# of the cooperative's capital, not a deposit account anyone pays into).
_RECEIVING_KINDS = frozenset({AccountKind.SAVINGS, AccountKind.PROGRESAR, AccountKind.CHECKING})
_SEPARATORS = re.compile(r"[\s\-.\u2010-\u2015]+")


# --------------------------------------------------------------------------- helpers


def mask_holder_name(*, first_names: str, last_names: str) -> str:
    """The holder's name as "Validar" may show it: ``ANDRES DAVID`` + ``LOPEZ MAYA`` →
    ``AN*** LO***`` (two letters of the first name and of the first surname), enough for
    the member to recognise the person they mean, too little to learn who holds an
    account from its number."""
    words = (first_names or "").split()[:1] + (last_names or "").split()[:1]
    return " ".join(f"{word[:2]}***" for word in words) or "***"


def search_fold(value: str) -> str:
    """Capitals without accents and with single spaces: ``Muñoz  José`` → ``MUNOZ JOSE``."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.upper().split())


def card_digest(number: str) -> str:
    """Keyed digest of a card number (HMAC-SHA256, key derived from SECRET_KEY): the
    same card gives the same digest, and the digest gives back no number."""
    key = hashlib.sha256(f"{settings.SECRET_KEY}:beneficiaries.card".encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def account_number_normalize(value: str) -> str:
    """The account number as its digits: spaces, dashes and dots people paste are dropped."""
    number = _SEPARATORS.sub("", value or "")
    if not number:
        raise ValidationError(MSG_ACCOUNT_REQUIRED, code="account_number_required")
    if not (number.isascii() and number.isdigit()):
        raise ValidationError(MSG_ACCOUNT_DIGITS, code="account_number_digits")
    if not ACCOUNT_NUMBER_MIN_LENGTH <= len(number) <= ACCOUNT_NUMBER_MAX_LENGTH:
        raise ValidationError(MSG_ACCOUNT_LENGTH, code="account_number_length")
    return number


def card_number_normalize(value: str) -> str:
    number = _SEPARATORS.sub("", value or "")
    if not (number.isascii() and number.isdigit() and len(number) in CARD_NUMBER_LENGTHS):
        raise ValidationError(MSG_CARD_LENGTH, code="card_number_length")
    if not luhn.is_valid(number):
        raise ValidationError(MSG_CARD_CHECK, code="card_number_check")
    return number


def name_normalize(value: str) -> str:
    name = validators.normalize_names(value, message=MSG_NAME)
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(MSG_NAME_LENGTH, code="name_length")
    return name


def alias_normalize(value: str) -> str:
    alias = " ".join((value or "").split())
    if len(alias) > ALIAS_MAX_LENGTH:
        raise ValidationError(MSG_ALIAS_LENGTH, code="alias_length")
    if not alias.isprintable():
        raise ValidationError(MSG_ALIAS_CHARACTERS, code="alias_characters")
    return alias


def email_normalize(value: str) -> str:
    """Correo electrónico (Opcional): empty stays empty, anything else must be valid."""
    if not (value or "").strip():
        return ""
    return validators.normalize_email(value)


class FieldErrors:
    """Collects the first message of each field and raises them all together."""

    def __init__(self) -> None:
        self.by_field: dict[str, ValidationError] = {}

    def run(self, field: str, clean: Any, *args: Any) -> Any:
        try:
            return clean(*args)
        except ValidationError as exc:
            self.by_field.setdefault(field, exc)
            return None

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, ValidationError(message))

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def identification_clean(errors: FieldErrors, identification_type: str, identification: str) -> str:
    if identification_type not in IdentificationType.values:
        errors.add("identification_type", validators.MSG_IDENTIFICATION_TYPE)
        return ""
    return (
        errors.run(
            "identification",
            validators.normalize_identification,
            identification_type,
            identification,
        )
        or ""
    )


def institution_clean(errors: FieldErrors, institution_id: Any, *, kind: str) -> Institution | None:
    include_home = kind == BeneficiaryKind.CARD  # a card of the cooperative can be paid
    try:
        return institution_for_choice(institution_id=institution_id, include_home=include_home)
    except Institution.DoesNotExist:
        home = Institution.objects.filter(pk=int_or_none(institution_id), is_home=True).first()
        if home is not None and home.active:
            errors.add("institution", MSG_INSTITUTION_HOME.format(institution=home.name))
        else:
            errors.add("institution", MSG_INSTITUTION)
        return None


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------- destinations


@dataclass(frozen=True)
class InternalDestination:
    """An account of this cooperative that can be saved as a beneficiary."""

    account: DepositAccount
    holder_name: str  # masked: "AN*** LO***"

    @property
    def account_number(self) -> str:
        return self.account.number

    @property
    def account_type(self) -> str:
        if self.account.kind == AccountKind.CHECKING:
            return AccountType.CHECKING
        return AccountType.SAVINGS


@dataclass(frozen=True)
class ExternalDestination:
    """An account at another institution, as the member typed it, normalized."""

    institution: Institution
    account_type: str
    account_number: str
    name: str
    identification_type: str
    identification: str


@dataclass(frozen=True)
class CardDestination:
    """A card to pay: never its number, only its last four digits and its digest."""

    institution: Institution
    card_last4: str
    card_digest: str
    name: str
    identification_type: str
    identification: str


def internal_destination_check(*, member: Member, account_number: str) -> InternalDestination:
    """ "A mi institución", Validar: the account behind ``account_number`` and its
    holder's name masked (``InternalDestination.holder_name``).

    Refuses, at ``account_number``, a malformed number, one of the member's own
    accounts (those go through "Transferencias propias"), and with one message that
    does not say whether the number exists: an unknown number, an account that is not
    ACTIVA (closed, blocked, inactive) or one that takes no transfers (certificates).
    """
    try:
        number = account_number_normalize(account_number)
    except ValidationError as exc:
        raise ValidationError({"account_number": exc}) from None
    account = DepositAccount.objects.select_related("member").filter(number=number).first()
    if account is not None and account.member_id == member.pk:
        raise ValidationError({"account_number": ValidationError(MSG_OWN_ACCOUNT, code="own")})
    if (
        account is None
        or account.status != AccountStatus.ACTIVE
        or account.kind not in _RECEIVING_KINDS
    ):
        raise ValidationError(
            {"account_number": ValidationError(MSG_INTERNAL_UNAVAILABLE, code="unavailable")}
        )
    holder = account.member
    return InternalDestination(
        account=account,
        holder_name=mask_holder_name(first_names=holder.first_names, last_names=holder.last_names),
    )


def external_destination_clean(
    *,
    member: Member,
    institution_id: Any,
    account_type: str,
    account_number: str,
    name: str,
    identification_type: str,
    identification: str,
) -> ExternalDestination:
    """ "A otras instituciones", Validar: the destination normalized, or every field's
    problem at once. The institution must be an active one of the catalogue and not
    this cooperative (its accounts are registered "A mi institución")."""
    errors = FieldErrors()
    institution = institution_clean(errors, institution_id, kind=BeneficiaryKind.EXTERNAL)
    if account_type not in AccountType.values:
        errors.add("account_type", MSG_ACCOUNT_TYPE)
    number = errors.run("account_number", account_number_normalize, account_number)
    clean_name = errors.run("name", name_normalize, name)
    ident = identification_clean(errors, identification_type, identification)
    errors.raise_any()
    return ExternalDestination(
        institution=institution,  # type: ignore[arg-type]  # None raised above
        account_type=account_type,
        account_number=number,
        name=clean_name,
        identification_type=identification_type,
        identification=ident,
    )


def card_destination_clean(
    *,
    member: Member,
    institution_id: Any,
    card_number: str,
    name: str,
    identification_type: str,
    identification: str,
) -> CardDestination:
    """ "Registrar tarjeta", Validar: the card checked (13 to 19 digits, Luhn) and
    reduced to its last four digits and keyed digest; the cooperative's own cards may
    be paid too."""
    errors = FieldErrors()
    institution = institution_clean(errors, institution_id, kind=BeneficiaryKind.CARD)
    number = errors.run("card_number", card_number_normalize, card_number)
    clean_name = errors.run("name", name_normalize, name)
    ident = identification_clean(errors, identification_type, identification)
    errors.raise_any()
    return CardDestination(
        institution=institution,  # type: ignore[arg-type]  # None raised above
        card_last4=number[-4:],
        card_digest=card_digest(number),
        name=clean_name,
        identification_type=identification_type,
        identification=ident,
    )


_DIGEST = re.compile(r"[0-9a-f]{64}")
_LAST4 = re.compile(r"[0-9]{4}")


def card_checked_clean(
    *,
    member: Member,
    institution_id: Any,
    card_last4: str,
    card_digest: str,
    name: str,
    identification_type: str,
    identification: str,
) -> CardDestination:
    """A card already checked by :func:`card_destination_clean` (its number Luhn-valid,
    reduced to the last four digits and the digest), checked again when the code is
    right: the institution may have left the catalogue and the holder fields are
    validated once more. The number itself is never kept between the two steps (the
    confirmation's content holds only the digest and the last four digits)."""
    if not (_LAST4.fullmatch(card_last4 or "") and _DIGEST.fullmatch(card_digest or "")):
        raise ValueError("A checked card needs its last four digits and its digest")
    errors = FieldErrors()
    institution = institution_clean(errors, institution_id, kind=BeneficiaryKind.CARD)
    clean_name = errors.run("name", name_normalize, name)
    ident = identification_clean(errors, identification_type, identification)
    errors.raise_any()
    return CardDestination(
        institution=institution,  # type: ignore[arg-type]  # None raised above
        card_last4=card_last4,
        card_digest=card_digest,
        name=clean_name,
        identification_type=identification_type,
        identification=ident,
    )
