"""Load the catalogue of SPI participants shipped in ``data/spi_participants.csv``.

Rows are matched by name, so running it on a database that already has some (edited in
the back office) leaves their flags and order as staff set them. The reverse removes
the rows the file names, which only works while no beneficiary points at them.
"""

import csv
from pathlib import Path

from django.db import migrations

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "spi_participants.csv"


def _rows():
    with CATALOGUE.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def forwards(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    present = {name.upper() for name in Institution.objects.values_list("name", flat=True)}
    has_home = Institution.objects.filter(is_home=True).exists()
    Institution.objects.bulk_create(
        Institution(
            name=row["name"],
            code=row["code"],
            kind=row["kind"],
            sort_order=int(row["sort_order"]),
            is_home=row["home"] == "1" and not has_home,
            active=True,
        )
        for row in _rows()
        if row["name"].upper() not in present
    )


def backwards(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    Institution.objects.filter(name__in=[row["name"] for row in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
