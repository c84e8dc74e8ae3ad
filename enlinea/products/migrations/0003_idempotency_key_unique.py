from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0002_idempotency_key_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name=name,
            name="idempotency_key",
            field=models.CharField(
                "clave de idempotencia", max_length=120, unique=True, editable=False
            ),
        )
        for name in ("depositaccount", "debitcard", "creditcard")
    ]
