"""A security code belongs to one pending operation (the confirmation flow's token)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_recovery_attempt"),
    ]

    operations = [
        migrations.AddField(
            model_name="securitychallenge",
            name="scope",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="operación pendiente"
            ),
        ),
    ]
