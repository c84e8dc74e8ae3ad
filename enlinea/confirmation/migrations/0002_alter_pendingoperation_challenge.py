"""The code's model moved to the security app; same table, so state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('confirmation', '0001_initial'),
        ('security', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='pendingoperation',
                    name='challenge',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='security.securitychallenge', verbose_name='factor de seguridad'),
                ),
            ],
            database_operations=[],
        ),
    ]
