from django.db import migrations

DEFAULTS = {
    "transfer_own": 0,
    "transfer_internal": 0,
    "transfer_interbank": 36,
    "bill_payment": 0,
    "card_payment": 0,
}


def forwards(apps, schema_editor):
    Fee = apps.get_model("tariff", "Fee")
    for operation, commission in DEFAULTS.items():
        Fee.objects.get_or_create(
            operation=operation, defaults={"commission": commission, "iva_rate_bp": 1500}
        )


class Migration(migrations.Migration):
    dependencies = [("tariff", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
