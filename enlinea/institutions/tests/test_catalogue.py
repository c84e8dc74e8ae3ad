"""The catalogue of SPI participants as migration 0002 loads it, and its selectors."""

from __future__ import annotations

import csv
import importlib
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from enlinea.institutions.models import Institution, InstitutionKind
from enlinea.institutions.selectors import (
    home_institution,
    institution_for_choice,
    institutions_for_choice,
)

CSV = Path(__file__).resolve().parent.parent / "data" / "spi_participants.csv"


def _file_rows() -> list[dict[str, str]]:
    with CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
def test_the_catalogue_has_the_countrys_banks_mutualistas_and_cooperatives() -> None:
    active = Institution.objects.filter(active=True)
    kinds = Counter(active.values_list("kind", flat=True))
    assert active.count() >= 250
    assert kinds[InstitutionKind.BANK] >= 24
    assert kinds[InstitutionKind.MUTUAL] == 4
    assert kinds[InstitutionKind.COOPERATIVE] >= 200
    # Every row of the shipped file is in the database, as written there.
    rows = _file_rows()
    assert Institution.objects.count() == len(rows)
    loaded = {i.name: (i.code, i.kind, i.sort_order) for i in Institution.objects.all()}
    assert loaded == {r["name"]: (r["code"], r["kind"], int(r["sort_order"])) for r in rows}


@pytest.mark.django_db
def test_spellings_are_unique_and_stored_as_the_dropdowns_write_them() -> None:
    names = list(Institution.objects.values_list("name", flat=True))
    assert len({" ".join(n.split()).upper() for n in names}) == len(names)
    assert all(n == " ".join(n.split()).upper() for n in names)
    codes = [c for c in Institution.objects.values_list("code", flat=True) if c]
    assert len(codes) == len(set(codes)) >= 20
    for name in (
        # The spellings.
        "BANCO PICHINCHA",
        "BANCO DEL PACIFICO",
        "BANCO GUAYAQUIL",
        "PRODUBANCO",
        "BANECUADOR B.P.",
        "MUTUALISTA PICHINCHA",
        "COOP. AHORRO Y CREDITO OSCUS",
        "COOPERATIVA DE AHORRO Y CREDITO WUAMANLOMA LTDA.",
        "COOP. AHORRO Y CREDITO JEP",
        "COOP. AHORRO Y CREDITO JARDIN AZUAYO",
        # The manual's dropdowns ("A otras instituciones", "Registrar tarjeta").
        "BANCO DEL INSTITUTO ECUATORIANO DE SEGURIDAD SOCIAL",
        "CORPORACION FINANCIERA",
        "COOPERATIVA DE AHORRO Y CREDITO SUMAK SISA",
        "COOP. DE A. Y.C. WARMIKUNAPAK RIKCHARI LTDA",
        "COOP. DE A. Y.C. REY DAVID LTDA",
        "BANCO DINERS CLUB DEL ECUADOR S.A.",
    ):
        assert Institution.objects.filter(name=name, active=True).exists(), name
    assert Institution.objects.get(name="BANCO PICHINCHA").code == "0010"
    assert Institution.objects.get(name="BANECUADOR B.P.").code == "0066"


@pytest.mark.django_db
def test_the_cooperative_itself_is_marked_and_left_out_of_other_institutions() -> None:
    home = home_institution()
    assert home is not None
    assert home.name == "COOP. A. Y C. COOPROGRESO LTDA."
    assert Institution.objects.filter(is_home=True).count() == 1
    others = institutions_for_choice()
    assert home not in others
    assert home in institutions_for_choice(include_home=True)
    with pytest.raises(Institution.DoesNotExist):
        institution_for_choice(institution_id=home.pk)
    assert institution_for_choice(institution_id=home.pk, include_home=True) == home


@pytest.mark.django_db
def test_the_dropdown_lists_active_ones_banks_first_then_by_name() -> None:
    choices = list(institutions_for_choice())
    assert choices == sorted(choices, key=lambda i: (i.sort_order, i.name))
    assert choices[0].kind == InstitutionKind.BANK
    oscus = Institution.objects.get(name="COOP. AHORRO Y CREDITO OSCUS")
    Institution.objects.filter(pk=oscus.pk).update(active=False)
    assert oscus not in institutions_for_choice()
    assert len(institutions_for_choice()) == len(choices) - 1


@pytest.mark.django_db
@pytest.mark.parametrize("bad_id", ["", None, "abc", "1.5", 10**9])
def test_a_lookup_refuses_unknown_and_malformed_ids(bad_id: object) -> None:
    with pytest.raises(Institution.DoesNotExist):
        institution_for_choice(institution_id=bad_id)


@pytest.mark.django_db
def test_a_lookup_refuses_an_inactive_institution_and_finds_an_active_one() -> None:
    pichincha = Institution.objects.get(name="BANCO PICHINCHA")
    assert institution_for_choice(institution_id=str(pichincha.pk)) == pichincha
    Institution.objects.filter(pk=pichincha.pk).update(active=False)
    with pytest.raises(Institution.DoesNotExist):
        institution_for_choice(institution_id=pichincha.pk)


@pytest.mark.django_db
def test_staff_input_is_normalized_and_a_second_spelling_of_a_name_refused() -> None:
    new = Institution(name="  coop.  de a. y c.   nueva   ", kind=InstitutionKind.COOPERATIVE)
    new.full_clean()
    assert new.name == "COOP. DE A. Y C. NUEVA"
    new.save()
    twin = Institution(name="Coop. de A. y C. Nueva", kind=InstitutionKind.COOPERATIVE)
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "Ya existe una entidad financiera con este nombre." in str(refused.value)
    # The database refuses it too, around the model's checks.
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="COOP. DE A. Y C. NUEVA", kind=InstitutionKind.OTHER)


@pytest.mark.django_db
def test_only_one_institution_is_the_home_one_and_codes_do_not_repeat() -> None:
    other = Institution(name="OTRA COOP", kind=InstitutionKind.COOPERATIVE, is_home=True)
    with pytest.raises(ValidationError, match="Solo una entidad puede ser esta institución"):
        other.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
    clash = Institution(name="OTRO BANCO", kind=InstitutionKind.BANK, code="0010")
    with pytest.raises(ValidationError, match="Ya existe una entidad financiera con este código"):
        clash.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="OTRO BANCO", kind="BANCA")  # not a kind
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="banco en minusculas", kind=InstitutionKind.BANK)


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_goes_back_and_forth_and_keeps_staff_edits() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("beneficiaries", None), ("institutions", "0001_initial")])
    assert Institution.objects.count() == 0
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Institution.objects.count() == len(_file_rows())

    # Run again over a catalogue staff have edited: nothing they set is undone.
    Institution.objects.filter(name="MUTUALISTA AZUAY").update(active=False, sort_order=1)
    Institution.objects.filter(name="COOP. AHORRO Y CREDITO OSCUS").delete()
    loader = importlib.import_module("enlinea.institutions.migrations.0002_spi_participants")
    loader.forwards(executor.loader.project_state().apps, None)
    assert Institution.objects.count() == len(_file_rows())
    azuay = Institution.objects.get(name="MUTUALISTA AZUAY")
    assert (azuay.active, azuay.sort_order) == (False, 1)
    assert Institution.objects.filter(name="COOP. AHORRO Y CREDITO OSCUS", active=True).exists()
    assert Institution.objects.filter(is_home=True).count() == 1
