"""AuditEvent and SecurityChallenge now belong to the security app (its 0001): state
only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0009_audit_kind_registered"),
        ("security", "0001_initial"),
        ("confirmation", "0002_alter_pendingoperation_challenge"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="SecurityChallenge"),
            ],
            database_operations=[],
        ),
    ]
