"""The institution's one row of Diferir consumos' rules, with the defaults (editable in
the back office)."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("cards", "DeferralPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("cards", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
