"""The audit log and the security codes move here from the access app.

State only: the tables stay as they are (``access_auditevent``,
``access_securitychallenge``, their indexes and constraint), so nothing is copied.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('access', '0009_audit_kind_registered'),
        ('members', '0002_member_contact_changed_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='fecha')),
                        ('kind', models.CharField(max_length=30, verbose_name='evento')),
                        ('username', models.CharField(blank=True, max_length=150, verbose_name='usuario ingresado')),
                        ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP')),
                        ('user_agent', models.TextField(blank=True, verbose_name='navegador')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='detalle')),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='members.member', verbose_name='socio')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='usuario')),
                    ],
                    options={
                        'verbose_name': 'evento de auditoría',
                        'verbose_name_plural': 'auditoría',
                        'db_table': 'access_auditevent',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['user', '-created_at'], name='access_audi_user_id_4ffd33_idx'), models.Index(fields=['kind', '-created_at'], name='access_audi_kind_368fa9_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='SecurityChallenge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40, verbose_name='operación')),
                        ('scope', models.CharField(blank=True, default='', max_length=64, verbose_name='operación pendiente')),
                        ('description', models.CharField(max_length=200, verbose_name='descripción')),
                        ('digest', models.CharField(max_length=64, verbose_name='huella de la operación')),
                        ('salt', models.CharField(max_length=32)),
                        ('code_hash', models.CharField(max_length=64)),
                        ('status', models.CharField(choices=[('pending', 'Pendiente'), ('verified', 'Validado'), ('used', 'Usado'), ('dead', 'Anulado')], default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='intentos fallidos')),
                        ('resends', models.PositiveSmallIntegerField(default=0, verbose_name='reenvíos')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('verified_at', models.DateTimeField(blank=True, null=True)),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='security_challenges', to='members.member')),
                    ],
                    options={
                        'verbose_name': 'factor de seguridad',
                        'verbose_name_plural': 'factores de seguridad',
                        'db_table': 'access_securitychallenge',
                        'indexes': [models.Index(fields=['member', '-created_at'], name='access_secu_member__ffc0ca_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'verified', 'used', 'dead'])), name='access_challenge_status_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
