"""Accounts and cards get the idempotency key of the request that created them.

Rows made before keys existed get a key of their own (``legacy:<model>:<id>``) that no
request can send, so the next migration can make the column required and unique."""

from django.db import migrations, models

MODELS = ("depositaccount", "debitcard", "creditcard")


def backfill(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("products", name)
        rows = list(model.objects.filter(idempotency_key__isnull=True).only("pk"))
        for row in rows:
            row.idempotency_key = f"legacy:{name}:{row.pk}"
        model.objects.bulk_update(rows, ["idempotency_key"], batch_size=1_000)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="idempotency_key",
                field=models.CharField(
                    "clave de idempotencia", max_length=120, null=True, editable=False
                ),
            )
            for name in MODELS
        ),
        # Going back drops the column, so the keys need no undoing.
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
