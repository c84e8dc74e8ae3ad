"""The beneficiary services: each rule, each refusal, and what every write leaves behind."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from enlinea.beneficiaries import destinations, services
from enlinea.beneficiaries.destinations import card_digest
from enlinea.beneficiaries.models import AccountType, Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.services import (
    beneficiary_create,
    beneficiary_delete,
    beneficiary_update,
    internal_destination_check,
    mask_holder_name,
)
from enlinea.institutions.models import Institution
from enlinea.institutions.selectors import home_institution
from enlinea.members import validators
from enlinea.members.tests.support import make_cedula, make_natural_ruc, with_wrong_check_digit
from enlinea.notifications.models import Message
from enlinea.security.models import AuditEvent

from .conftest import card_number

pytestmark = pytest.mark.django_db


def _errors(refusal: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return refusal.value.message_dict


def _external(socio, institution: Institution, **overrides: object) -> Beneficiary:
    data: dict[str, object] = {
        "member": socio,
        "kind": BeneficiaryKind.EXTERNAL,
        "institution_id": institution.pk,
        "account_type": AccountType.SAVINGS,
        "account_number": "2200123456",
        "name": "Xavier Gonzalez",
        "identification_type": "CEDULA",
        "identification": make_cedula(),
    }
    data.update(overrides)
    return beneficiary_create(**data)  # type: ignore[arg-type]


def _card(socio, institution: Institution, number: str, **overrides: object) -> Beneficiary:
    data: dict[str, object] = {
        "member": socio,
        "kind": BeneficiaryKind.CARD,
        "institution_id": institution.pk,
        "card_number": number,
        "name": "Yajaira Ibarra",
        "identification_type": "CEDULA",
        "identification": make_cedula(),
    }
    data.update(overrides)
    return beneficiary_create(**data)  # type: ignore[arg-type]


# ------------------------------------------------------------ "A mi institución"


def test_the_holder_name_is_masked_to_two_letters_of_a_first_name_and_a_surname() -> None:
    assert mask_holder_name(first_names="JUAN CARLOS", last_names="PEREZ LOPEZ") == "JU*** PE***"
    assert mask_holder_name(first_names="A", last_names="") == "A***"
    assert mask_holder_name(first_names="", last_names="") == "***"


def test_validar_shows_the_holder_masked_and_accepts_pasted_separators(
    socio, other_account
) -> None:
    pasted = f" {other_account.number[:4]}-{other_account.number[4:8]} {other_account.number[8:]}"
    found = internal_destination_check(member=socio, account_number=pasted)
    assert found.account == other_account
    assert found.holder_name == "MA*** PE***"
    assert found.account_number == other_account.number
    assert found.account_type == AccountType.SAVINGS


def test_validar_refuses_the_members_own_account(socio, own_account) -> None:
    with pytest.raises(ValidationError) as refused:
        internal_destination_check(member=socio, account_number=own_account.number)
    assert _errors(refused) == {"account_number": [destinations.MSG_OWN_ACCOUNT]}
    assert "Transferencias propias" in destinations.MSG_OWN_ACCOUNT


@pytest.mark.parametrize("state", ["blocked", "inactive", "certificates", "unknown"])
def test_validar_answers_one_message_for_an_unknown_or_unusable_account(
    socio, other_accounts, state
) -> None:
    number = "999999999999" if state == "unknown" else other_accounts[state].number
    with pytest.raises(ValidationError) as refused:
        internal_destination_check(member=socio, account_number=number)
    # The same words whether the number exists or not: nothing to learn by probing.
    assert _errors(refused) == {"account_number": [destinations.MSG_INTERNAL_UNAVAILABLE]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", destinations.MSG_ACCOUNT_REQUIRED),
        ("41O1-2233", destinations.MSG_ACCOUNT_DIGITS),
        ("\uff11\uff12\uff13\uff14\uff15\uff16", destinations.MSG_ACCOUNT_DIGITS),  # full-width
        ("1234", destinations.MSG_ACCOUNT_LENGTH),
        ("1" * 21, destinations.MSG_ACCOUNT_LENGTH),
    ],
)
def test_validar_refuses_a_malformed_number_at_the_field(socio, typed, message) -> None:
    with pytest.raises(ValidationError) as refused:
        internal_destination_check(member=socio, account_number=typed)
    assert _errors(refused) == {"account_number": [message]}


def test_an_internal_beneficiary_keeps_the_masked_name_and_the_account(
    socio, other_accounts
) -> None:
    checking = other_accounts["checking"]
    saved = beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.INTERNAL,
        account_number=checking.number,
        email="  Maria.Perez@Example.COM ",
        alias=" Mami   Fer ",
    )
    saved.refresh_from_db()
    assert saved.internal_account == checking
    assert saved.institution is None
    assert saved.account_number == checking.number
    assert saved.account_type == AccountType.CHECKING
    assert saved.name == "MA*** PE***"
    assert saved.email == "maria.perez@example.com"
    assert saved.alias == "Mami Fer"
    assert saved.identification == ""  # the holder's identification is never copied


def test_saving_an_account_refused_since_validar_saves_nothing(socio, other_account) -> None:
    from enlinea.products.services import account_set_status

    internal_destination_check(member=socio, account_number=other_account.number)
    account_set_status(account=other_account, status="BLOQUEADA")
    with pytest.raises(ValidationError) as refused:
        beneficiary_create(
            member=socio, kind=BeneficiaryKind.INTERNAL, account_number=other_account.number
        )
    assert _errors(refused) == {"account_number": [destinations.MSG_INTERNAL_UNAVAILABLE]}
    assert not Beneficiary.objects.exists()
    assert not AuditEvent.objects.filter(kind=services.AUDIT_CREATED).exists()


# ---------------------------------------------------------- "A otras instituciones"


@pytest.mark.parametrize(
    ("identification_type", "make"),
    [
        ("CEDULA", make_cedula),
        ("RUC", make_natural_ruc),
        ("RUC", lambda: "1790010937001"),  # a company's RUC (Banco Pichincha C.A.)
        ("PASAPORTE", lambda: "ab 12-345"),
    ],
)
def test_each_identification_type_with_a_valid_number_is_saved(
    socio, pichincha, identification_type, make
) -> None:
    saved = _external(
        socio, pichincha, identification_type=identification_type, identification=make()
    )
    assert saved.identification_type == identification_type
    assert saved.identification == validators.normalize_identification(
        identification_type, saved.identification
    )
    if identification_type == "PASAPORTE":
        assert saved.identification == "AB12345"


@pytest.mark.parametrize(
    ("identification_type", "identification", "message"),
    [
        ("CEDULA", with_wrong_check_digit(make_cedula()), validators.MSG_CEDULA_CHECK_DIGIT),
        ("CEDULA", "171430710", validators.MSG_CEDULA_LENGTH),
        ("CEDULA", "9914307103", validators.MSG_CEDULA_PROVINCE),
        ("RUC", "1790010936001", validators.MSG_RUC_INVALID),  # wrong check digit
        ("RUC", "1790010937000", validators.MSG_RUC_INVALID),  # establishment 000
        ("RUC", "179001093700", validators.MSG_RUC_LENGTH),
        ("PASAPORTE", "AB1", validators.MSG_PASAPORTE),
        ("PASAPORTE", "AB12345$", validators.MSG_PASAPORTE),
    ],
)
def test_a_wrong_identification_is_refused_at_its_field(
    socio, pichincha, identification_type, identification, message
) -> None:
    with pytest.raises(ValidationError) as refused:
        _external(
            socio,
            pichincha,
            identification_type=identification_type,
            identification=identification,
        )
    assert _errors(refused) == {"identification": [message]}


def test_every_problem_of_the_form_is_reported_at_once(socio) -> None:
    with pytest.raises(ValidationError) as refused:
        beneficiary_create(
            member=socio,
            kind=BeneficiaryKind.EXTERNAL,
            institution_id="",
            account_type="plazo",
            account_number="12AB",
            name="R2-D2",
            identification_type="DNI",
            identification="123",
            email="no-es-correo",
            alias="x" * 31,
        )
    assert _errors(refused) == {
        "institution": [destinations.MSG_INSTITUTION],
        "account_type": [destinations.MSG_ACCOUNT_TYPE],
        "account_number": [destinations.MSG_ACCOUNT_DIGITS],
        "name": [destinations.MSG_NAME],
        "identification_type": [validators.MSG_IDENTIFICATION_TYPE],
        "email": [validators.MSG_EMAIL_INVALID],
        "alias": [destinations.MSG_ALIAS_LENGTH],
    }
    assert not Beneficiary.objects.exists()


def test_an_inactive_institution_or_the_cooperative_itself_is_refused(socio, pichincha) -> None:
    Institution.objects.filter(pk=pichincha.pk).update(active=False)
    with pytest.raises(ValidationError) as refused:
        _external(socio, pichincha)
    assert _errors(refused) == {"institution": [destinations.MSG_INSTITUTION]}
    home = home_institution()
    assert home is not None
    with pytest.raises(ValidationError) as refused:
        _external(socio, home)
    assert _errors(refused) == {
        "institution": [destinations.MSG_INSTITUTION_HOME.format(institution=home.name)]
    }


def test_an_external_beneficiary_is_stored_normalized(socio, pichincha) -> None:
    cedula = make_cedula()
    saved = _external(
        socio,
        pichincha,
        account_type=AccountType.CHECKING,
        account_number="2200 1234-56",
        name="  josé   muñoz ",
        identification=f"{cedula[:9]}-{cedula[9]}",
        alias="Pepe",
    )
    saved.refresh_from_db()
    assert (saved.institution, saved.account_number, saved.account_type) == (
        pichincha,
        "2200123456",
        AccountType.CHECKING,
    )
    assert saved.name == "JOSÉ MUÑOZ"
    assert saved.identification == cedula
    assert saved.search_text == "JOSE MUNOZ PEPE"


def test_the_same_account_twice_is_refused_but_another_bank_is_another_account(
    socio, otro, pichincha
) -> None:
    _external(socio, pichincha)
    with pytest.raises(ValidationError) as refused:
        _external(socio, pichincha, account_number="2200-123456", name="Otro Nombre")
    assert _errors(refused) == {"account_number": [services.MSG_DUPLICATE_ACCOUNT]}
    guayaquil = Institution.objects.get(name="BANCO GUAYAQUIL")
    _external(socio, guayaquil)  # the same digits at another bank
    _external(otro, pichincha)  # another member's list is their own
    assert Beneficiary.objects.filter(member=socio).count() == 2


def test_the_database_refuses_a_duplicate_that_goes_around_the_service(socio, pichincha) -> None:
    first = _external(socio, pichincha)
    twin = Beneficiary(
        member=socio,
        kind=BeneficiaryKind.EXTERNAL,
        institution=pichincha,
        account_type=AccountType.SAVINGS,
        account_number=first.account_number,
        name="OTRO",
        identification="X",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # A row of one kind without its destination is refused as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        Beneficiary.objects.create(member=socio, kind=BeneficiaryKind.EXTERNAL, name="SIN CUENTA")


def test_a_field_of_another_kind_is_a_programming_error(socio, other_account) -> None:
    with pytest.raises(ValueError, match="do not apply"):
        beneficiary_create(
            member=socio,
            kind=BeneficiaryKind.INTERNAL,
            account_number=other_account.number,
            name="Alguien",
        )
    with pytest.raises(ValueError, match="Unknown beneficiary kind"):
        beneficiary_create(member=socio, kind="cheque")


# ------------------------------------------------------------------------ cards


def test_a_card_keeps_only_its_last_four_digits_and_a_keyed_digest(socio, diners) -> None:
    number = card_number("36006666333344")
    saved = _card(socio, diners, f"{number[:4]} {number[4:10]} {number[10:]}")
    saved.refresh_from_db()
    assert saved.card_last4 == number[-4:]
    assert saved.last_digits == number[-4:]
    assert saved.card_digest == card_digest(number)
    assert saved.card_digest != card_digest(card_number("36006666333355"))
    stored = " ".join(
        str(value) for value in Beneficiary.objects.filter(pk=saved.pk).values()[0].values()
    )
    assert number not in stored
    assert number[:12] not in stored


def test_a_card_with_a_wrong_check_digit_or_length_is_refused(socio, diners) -> None:
    good = card_number()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        _card(socio, diners, bad)
    assert _errors(refused) == {"card_number": [destinations.MSG_CARD_CHECK]}
    with pytest.raises(ValidationError) as refused:
        _card(socio, diners, "4111 1111")
    assert _errors(refused) == {"card_number": [destinations.MSG_CARD_LENGTH]}


def test_the_same_card_twice_is_refused_and_a_card_of_the_cooperative_is_allowed(
    socio, diners
) -> None:
    number = card_number()
    _card(socio, diners, number)
    with pytest.raises(ValidationError) as refused:
        _card(socio, diners, number)
    assert _errors(refused) == {"card_number": [services.MSG_DUPLICATE_CARD]}
    home = home_institution()
    assert home is not None
    own = _card(socio, home, card_number("522971000000001"))
    assert own.institution == home


# ------------------------------------------------------------ audit and notices


def test_every_write_is_audited_and_the_member_notified(socio, pichincha) -> None:
    saved = _external(socio, pichincha, alias="Xavi")
    beneficiary_update(member=socio, beneficiary_id=saved.pk, alias="Xavier", email="")
    beneficiary_delete(member=socio, beneficiary_id=saved.pk)
    events = list(
        AuditEvent.objects.filter(member=socio, kind__startswith="beneficiary_").order_by("id")
    )
    assert [e.kind for e in events] == [
        services.AUDIT_CREATED,
        services.AUDIT_UPDATED,
        services.AUDIT_DELETED,
    ]
    assert all(e.detail["beneficiary"] == saved.pk for e in events)
    assert events[0].detail["institution"] == "BANCO PICHINCHA"
    assert events[0].detail["last_digits"] == "3456"
    assert events[1].detail["fields"] == ["alias"]
    notices = Message.objects.filter(recipient__in=[socio.email, socio.mobile_phone])
    assert sorted(notices.values_list("kind", "channel")) == sorted(
        (kind, channel)
        for kind in (services.NOTICE_CREATED, services.NOTICE_UPDATED, services.NOTICE_DELETED)
        for channel in ("email", "sms")
    )
    created = notices.get(kind=services.NOTICE_CREATED, channel="email")
    assert "XAVIER GONZALEZ" in created.body
    assert "terminada en 3456 de BANCO PICHINCHA" in created.body
    assert created.subject == "Registraste un beneficiario en Cooprogreso En Línea"
    sms = notices.get(kind=services.NOTICE_CREATED, channel="sms")
    assert "terminado en 3456" in sms.body
    assert "2200123456" not in sms.body


def test_a_write_inside_a_transaction_that_fails_leaves_nothing(socio, pichincha) -> None:
    """The confirmation flow runs the service inside the code's transaction: when that
    one rolls back, the beneficiary, its audit row and its notice go with it."""

    def the_codes_transaction() -> None:
        with transaction.atomic():
            _external(socio, pichincha)
            raise RuntimeError("the code's transaction fails after the service")

    with pytest.raises(RuntimeError):
        the_codes_transaction()
    assert not Beneficiary.objects.exists()
    assert not AuditEvent.objects.filter(kind=services.AUDIT_CREATED).exists()
    assert not Message.objects.filter(kind=services.NOTICE_CREATED).exists()


# ----------------------------------------------------------------------- update


def test_alias_and_email_change_on_any_kind(socio, other_account) -> None:
    saved = beneficiary_create(
        member=socio, kind=BeneficiaryKind.INTERNAL, account_number=other_account.number
    )
    updated = beneficiary_update(
        member=socio, beneficiary_id=saved.pk, alias="Prima", email="PRIMA@example.com"
    )
    updated.refresh_from_db()
    assert (updated.alias, updated.email) == ("Prima", "prima@example.com")
    assert updated.search_text == "MA*** PE*** PRIMA"


def test_an_external_beneficiarys_account_and_holder_change(socio, pichincha) -> None:
    saved = _external(socio, pichincha)
    ruc = make_natural_ruc()
    updated = beneficiary_update(
        member=socio,
        beneficiary_id=saved.pk,
        alias="",
        email="",
        account_type=AccountType.CHECKING,
        account_number="3300111222",
        name="Xavier Gonzalez Ruiz",
        identification_type="RUC",
        identification=ruc,
    )
    updated.refresh_from_db()
    assert (updated.account_type, updated.account_number) == (AccountType.CHECKING, "3300111222")
    assert (updated.name, updated.identification_type, updated.identification) == (
        "XAVIER GONZALEZ RUIZ",
        "RUC",
        ruc,
    )
    audit = AuditEvent.objects.get(kind=services.AUDIT_UPDATED)
    assert audit.detail["fields"] == [
        "account_type",
        "account_number",
        "name",
        "identification_type",
        "identification",
    ]
    assert ruc not in str(audit.detail)  # field names, never values


def test_an_update_is_validated_like_a_new_beneficiary(socio, pichincha) -> None:
    first = _external(socio, pichincha)
    second = _external(socio, pichincha, account_number="2200999888")
    with pytest.raises(ValidationError) as refused:
        beneficiary_update(
            member=socio,
            beneficiary_id=second.pk,
            alias="",
            email="",
            account_number=first.account_number,
        )
    assert _errors(refused) == {"account_number": [services.MSG_DUPLICATE_ACCOUNT]}
    with pytest.raises(ValidationError) as refused:
        beneficiary_update(
            member=socio,
            beneficiary_id=second.pk,
            alias="",
            email="",
            identification_type="RUC",  # the stored cédula is not a RUC
        )
    assert _errors(refused) == {"identification": [validators.MSG_RUC_LENGTH]}
    second.refresh_from_db()
    assert second.account_number == "2200999888"


def test_the_destination_of_an_internal_beneficiary_does_not_change(socio, other_account) -> None:
    saved = beneficiary_create(
        member=socio, kind=BeneficiaryKind.INTERNAL, account_number=other_account.number
    )
    with pytest.raises(ValidationError) as refused:
        beneficiary_update(
            member=socio,
            beneficiary_id=saved.pk,
            alias="",
            email="",
            name="Otro Nombre",
            account_number="123456",
        )
    assert _errors(refused) == {
        "name": [services.MSG_NOT_EDITABLE],
        "account_number": [services.MSG_NOT_EDITABLE],
    }


def test_an_update_that_changes_nothing_writes_nothing(socio, pichincha) -> None:
    saved = _external(socio, pichincha, alias="Xavi")
    beneficiary_update(
        member=socio, beneficiary_id=saved.pk, alias=" Xavi ", email="", name="xavier gonzalez"
    )
    assert not AuditEvent.objects.filter(kind=services.AUDIT_UPDATED).exists()
    assert not Message.objects.filter(kind=services.NOTICE_UPDATED).exists()


# ----------------------------------------------------------------------- delete


def test_a_deleted_beneficiary_stays_for_history_and_can_be_saved_again(socio, pichincha) -> None:
    saved = _external(socio, pichincha)
    beneficiary_delete(member=socio, beneficiary_id=saved.pk)
    saved.refresh_from_db()
    assert saved.is_deleted
    assert saved.name == "XAVIER GONZALEZ"
    again = _external(socio, pichincha)
    assert again.pk != saved.pk
    assert Beneficiary.objects.filter(member=socio).count() == 2
    with pytest.raises(Http404):
        beneficiary_delete(member=socio, beneficiary_id=saved.pk)  # already deleted
    with pytest.raises(Http404):
        beneficiary_update(member=socio, beneficiary_id=saved.pk, alias="x", email="")


@pytest.mark.parametrize("write", ["update", "delete"])
def test_another_members_beneficiary_answers_404(socio, otro, pichincha, write) -> None:
    theirs = _external(otro, pichincha)
    if write == "update":
        with pytest.raises(Http404):
            beneficiary_update(member=socio, beneficiary_id=theirs.pk, alias="mío", email="")
    else:
        with pytest.raises(Http404):
            beneficiary_delete(member=socio, beneficiary_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.alias == ""
    assert not theirs.is_deleted
    for malformed in ("abc", None, ""):
        with pytest.raises(Http404):
            beneficiary_delete(member=socio, beneficiary_id=malformed)


# ------------------------------------------------------------ "Guardar beneficiario" with a transfer


def test_ensure_saves_a_new_destination_and_reuses_one_already_saved(
    socio, otro, other_account, pichincha
) -> None:
    first, created = services.beneficiary_ensure(
        member=socio,
        kind=BeneficiaryKind.INTERNAL,
        account_number=other_account.number,
        alias="Prima",
    )
    assert created is True
    assert Message.objects.filter(kind=services.NOTICE_CREATED).count() == 2  # e-mail, SMS
    again, created = services.beneficiary_ensure(
        member=socio,
        kind=BeneficiaryKind.INTERNAL,
        account_number=f"{other_account.number[:3]} {other_account.number[3:]}",
        alias="Otro alias",
        email="nuevo@example.com",
    )
    assert (again.pk, created) == (first.pk, False)
    again.refresh_from_db()
    assert (again.alias, again.email) == ("Prima", "")  # reused as it is
    assert Message.objects.filter(kind=services.NOTICE_CREATED).count() == 2  # no second notice
    external, created = services.beneficiary_ensure(
        member=socio,
        kind=BeneficiaryKind.EXTERNAL,
        institution_id=pichincha.pk,
        account_type=AccountType.SAVINGS,
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification=make_cedula(),
    )
    assert created is True
    same, created = services.beneficiary_ensure(
        member=socio,
        kind=BeneficiaryKind.EXTERNAL,
        institution_id=pichincha.pk,
        account_type=AccountType.SAVINGS,
        account_number="2200-123-456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification=make_cedula(),
    )
    assert (same.pk, created) == (external.pk, False)
    assert Beneficiary.objects.filter(member=socio).count() == 2


def test_ensure_refuses_what_create_refuses(socio, other_account) -> None:
    with pytest.raises(ValidationError) as refused:
        services.beneficiary_ensure(
            member=socio, kind=BeneficiaryKind.INTERNAL, account_number="12ab", alias="x" * 31
        )
    assert set(_errors(refused)) == {"account_number", "alias"}
    assert not Beneficiary.objects.exists()
