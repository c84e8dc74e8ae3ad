"""A recovery attempt records when its security code was right."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0007_audit_kinds_operations'),
    ]

    operations = [
        migrations.AddField(
            model_name='recoveryattempt',
            name='code_verified_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='código validado'),
        ),
    ]
