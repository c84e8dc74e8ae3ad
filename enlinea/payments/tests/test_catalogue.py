"""The biller catalogue shipped as data: its categories and billers, each biller's
reference rule (its example passes, bad input is refused in Spanish with the example),
the accent-insensitive search, and the back office."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from enlinea.payments.models import Biller, BillerCategory, ReferenceKind
from enlinea.payments.references import reference_clean
from enlinea.payments.selectors import biller_categories, billers_search

pytestmark = pytest.mark.django_db

MANUAL_CATEGORIES = {
    "Agua",
    "Bomberos",
    "Catálogo",
    "Compras",
    "Consejo Nacional Electoral",
    "Entidades Financieras",
    "Luz",
    "Medio de Pago",
    "Municipio",
    "Recargas",
}


def _biller(code: str) -> Biller:
    return Biller.objects.select_related("category").get(code=code)


def test_the_catalogue_ships_with_the_manuals_categories_and_at_least_30_billers() -> None:
    names = set(BillerCategory.objects.values_list("name", flat=True))
    assert names >= MANUAL_CATEGORIES | {"Telefonía", "TV", "Impuestos", "Tránsito", "Educación"}
    assert Biller.objects.filter(active=True).count() >= 30
    # Every category in the catalogue has billers, and the ones the issue names are there.
    assert {c.name for c in biller_categories()} == names
    for name in (
        "EMPRESA ELECTRICA QUITO",
        "CNEL EP GUAYAQUIL",
        "EMPRESA ELECTRICA REGIONAL CENTROSUR",
        "EMPRESA ELECTRICA REGIONAL DEL SUR",
        "EMPRESA ELECTRICA AMBATO",
        "ELEPCO S.A. EMPRESA ELECTRICA COTOPAXI",
        "EMPRESA ELECTRICA RIOBAMBA",
        "EMPRESA ELECTRICA AZOGUES",
        "EMELNORTE EMPRESA ELECTRICA REGIONAL NORTE",
        "EPMAPS AGUA DE QUITO",
        "INTERAGUA GUAYAQUIL",
        "ETAPA EP CUENCA AGUA POTABLE",
        "AGUA EPMAPA PEDERNALES",
        "AGUA EPAM - MANTA - CUPON",
        "RECARGAS CNT PAQUETE",
        "RECARGAS CLARO",
        "RECARGAS MOVISTAR",
        "RECARGAS TUENTI",
        "CNT TELEFONIA FIJA",
        "SRI MATRICULACION VEHICULAR",
        "MUNICIPIO DE QUITO IMPUESTO PREDIAL",
        "ANT AGENCIA NACIONAL DE TRANSITO MULTAS",
        "AMT AGENCIA METROPOLITANA DE TRANSITO QUITO",
        "CNE MULTAS ELECTORALES",
    ):
        assert Biller.objects.filter(name=name, active=True).exists(), name
    assert Biller.objects.filter(name__startswith="CNEL EP").count() >= 8
    pedernales = Biller.objects.get(name="AGUA EPMAPA PEDERNALES")
    assert (pedernales.category.name, pedernales.reference_label) == ("Agua", "NUMERO DE CUENTA")


def test_every_recarga_asks_for_the_cell_number_and_lists_its_amounts() -> None:
    recargas = Biller.objects.filter(category__name="Recargas")
    assert recargas.count() >= 4
    for biller in recargas:
        assert biller.is_topup
        assert biller.reference_label == "NUMERO CELULAR"
        assert biller.reference_kind == ReferenceKind.MOBILE
        assert biller.topup_amounts
        assert all(isinstance(a, int) and a > 0 for a in biller.topup_amounts)
    assert 500 in _biller("recarga-cnt").topup_amounts  # the manual's $ 5.00
    assert not Biller.objects.exclude(category__name="Recargas").filter(is_topup=True).exists()


def test_each_billers_example_passes_its_own_rule_and_the_row_validates() -> None:
    for biller in Biller.objects.select_related("category"):
        assert reference_clean(biller, biller.reference_example), biller.name
        biller.full_clean()  # the back office's check of a row: the example passes


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("recarga-cnt", "+593 99 123 4567", "0991234567"),
        ("recarga-claro", "099-123-4567", "0991234567"),
        ("cnel-guayaquil", "1000 2345 67", "1000234567"),
        ("eeq", "3000-218-765", "3000218765"),
        ("cnt-fija", "(02) 234-5678", "022345678"),
        ("sri-matricula", "pbx-1234", "PBX1234"),
        ("sri-matricula", "GSB 098", "GSB098"),
        ("sri-matricula", "ab123c", "AB123C"),
        ("ant-multas", "171430710-3", "1714307103"),
        ("ant-multas", "pcq-5678", "PCQ5678"),
        ("cne-multas", "1710034065", "1710034065"),
        ("bomberos-quito", "1768152560001", "1768152560001"),
        ("guayaquil-predial", "12-0034-005-0-0-0-1-9", "12003400500019"),
        ("epmapa-pedernales", "4151 5161", "41515161"),
    ],
)
def test_a_reference_is_accepted_as_people_paste_it(code, raw, expected) -> None:
    assert reference_clean(_biller(code), raw) == expected


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("recarga-cnt", "0891234567", "NUMERO CELULAR: ingresa un número celular de 10 dígitos"),
        ("recarga-tuenti", "09912345", "empiece con 09"),
        ("cnel-guayaquil", "123456789", "ingresa los 10 dígitos del código"),
        ("cnel-guayaquil", "10002345AB", "10 dígitos"),
        ("eeq", "12345", "CUENTA CONTRATO: ingresa solo números, de 6 a 13 dígitos."),
        ("epmapa-pedernales", "41A15161", "NUMERO DE CUENTA: ingresa solo números"),
        ("cnt-fija", "0991234567", "código de provincia"),
        ("cnt-fija", "012345678", "código de provincia"),
        ("sri-matricula", "DBX1234", "PLACA: ingresa la placa"),
        ("sri-matricula", "PB1234", "ingresa la placa"),
        ("cne-multas", "1714307104", "dígito verificador"),
        ("cne-multas", "17143071", "cédula de 10 dígitos"),
        ("ant-multas", "XYZ", "cédula de 10 dígitos o una placa"),
        ("bomberos-quito", "1768152560", "RUC de 13 dígitos"),
        ("guayaquil-predial", "12-0034", "CODIGO CATASTRAL: ingresa sus 10 a 20 dígitos"),
        ("epam-manta", "   ", "NUMERO DE CUPON: ingresa este dato."),
        ("eeq", "9" * 41, "hasta 40 caracteres"),
    ],
)
def test_a_bad_reference_is_refused_in_spanish_with_the_billers_example(code, raw, message) -> None:
    biller = _biller(code)
    with pytest.raises(ValidationError) as caught:
        reference_clean(biller, raw)
    text = caught.value.messages[0]
    assert message in text
    assert text.endswith(f"Ej: {biller.reference_example}")


def test_every_rule_refuses_letters_where_it_wants_digits_and_shows_the_example() -> None:
    for biller in Biller.objects.all():
        with pytest.raises(ValidationError) as caught:
            reference_clean(biller, "ÑANDÚ")
        assert caught.value.messages[0].endswith(f"Ej: {biller.reference_example}"), biller


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("electrica quito", "EMPRESA ELECTRICA QUITO"),
        ("ELÉCTRICA QUITO", "EMPRESA ELECTRICA QUITO"),
        ("tránsito metropolitana", "AMT AGENCIA METROPOLITANA DE TRANSITO QUITO"),
        ("matriculación", "SRI MATRICULACION VEHICULAR"),
        ("  pedernales  ", "AGUA EPMAPA PEDERNALES"),
    ],
)
def test_search_by_name_ignores_case_and_accents(text, expected) -> None:
    assert [b.name for b in billers_search(text=text)] == [expected]


def test_search_within_a_category_and_by_the_categorys_name() -> None:
    luz = BillerCategory.objects.get(name="Luz")
    cnel = billers_search(category=luz, text="cnel")
    assert cnel.count() >= 8
    assert {b.category_id for b in cnel} == {luz.pk}
    assert billers_search(category=luz, text="claro").count() == 0
    # "catalogo" (no accent) finds the billers of Catálogo; "telefonía" those of Telefonía.
    assert {b.category.name for b in billers_search(text="catalogo")} == {"Catálogo"}
    assert "CNT TELEFONIA FIJA" in {b.name for b in billers_search(text="telefonía")}
    assert billers_search().count() == Biller.objects.filter(active=True).count()


def test_a_deactivated_biller_is_not_found_and_a_renamed_one_is_found_by_its_new_name() -> None:
    biller = _biller("recarga-tuenti")
    biller.active = False
    biller.save(update_fields=["active"])
    assert not billers_search(text="tuenti").exists()
    eeq = _biller("eeq")
    eeq.name = "EMPRESA ELÉCTRICA QUITO EEQ"
    eeq.save(update_fields=["name"])
    assert [b.code for b in billers_search(text="electrica eeq")] == ["eeq"]


def test_the_back_office_edits_billers_and_refuses_an_example_that_breaks_the_rule(
    admin_client: Client,
) -> None:
    biller = _biller("epmapa-pedernales")
    url = reverse("admin:payments_biller_change", args=[biller.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "name": biller.name,
        "code": biller.code,
        "category": biller.category_id,
        "sort_order": biller.sort_order,
        "active": "on",
        "reference_label": "NUMERO DE CUENTA",
        "reference_kind": "digits",
        "reference_min_length": 4,
        "reference_max_length": 10,
        "reference_example": "ABC",
        "help_text": "",
        "topup_amounts": "[]",
        "min_amount": 1,
        "max_amount": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "El ejemplo no cumple la regla" in response.content.decode()
    response = admin_client.post(
        url, {**data, "reference_example": "41515161", "max_amount": "50000"}
    )
    assert response.status_code == 302
    biller.refresh_from_db()
    assert biller.max_amount == 50_000
    # Nobody deletes a biller: payments and schedules point at it.
    delete = reverse("admin:payments_biller_delete", args=[biller.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.get(reverse("admin:payments_billpayment_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:payments_billercategory_changelist")).status_code == 200


def test_a_recarga_without_amounts_is_refused_by_the_back_office_check() -> None:
    biller = _biller("recarga-claro")
    biller.topup_amounts = []
    with pytest.raises(ValidationError, match="montos"):
        biller.full_clean()
    biller.topup_amounts = [100, -5]
    with pytest.raises(ValidationError, match="centavos enteros positivos"):
        biller.full_clean()
