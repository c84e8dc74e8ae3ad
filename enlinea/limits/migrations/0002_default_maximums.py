from django.db import migrations

# The institution's maximum cupos until it edits them in the back office, in cents
# (the same as enlinea.limits.selectors.DEFAULT_MAXIMUMS; a migration keeps its own copy).
# External: the manual's $ 15,000 / $ 20,000 / $ 40,000. Internal: $ 20,000 / $ 50,000 /
# $ 100,000.
DEFAULTS = {
    "internal": (20_000_00, 50_000_00, 100_000_00),
    "external": (15_000_00, 20_000_00, 40_000_00),
}


def forwards(apps, schema_editor):
    InstitutionLimit = apps.get_model("limits", "InstitutionLimit")
    for scope, (daily, weekly, monthly) in DEFAULTS.items():
        InstitutionLimit.objects.get_or_create(
            scope=scope, defaults={"daily": daily, "weekly": weekly, "monthly": monthly}
        )


class Migration(migrations.Migration):
    dependencies = [("limits", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
