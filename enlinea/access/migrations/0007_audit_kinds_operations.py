"""Audit kinds of the confirmation flow: started, done, failed, expired."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0006_challenge_scope"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("login", "Ingreso"),
                    ("login_failed", "Ingreso fallido"),
                    ("recovery_failed", "Recuperación fallida (respuestas incorrectas)"),
                    ("locked", "Acceso bloqueado por intentos fallidos"),
                    ("self_blocked", "Acceso bloqueado por el socio"),
                    ("unlocked", "Acceso desbloqueado"),
                    ("logout", "Salida"),
                    ("session_expired", "Sesión expirada por inactividad"),
                    ("code_sent", "Código enviado"),
                    ("code_resent", "Código reenviado"),
                    ("code_verified", "Código validado"),
                    ("code_failed", "Código incorrecto"),
                    ("code_expired", "Código expirado"),
                    ("code_exhausted", "Código anulado por intentos"),
                    ("code_mismatch", "Código usado para otra operación"),
                    ("operation_started", "Operación iniciada"),
                    ("operation_done", "Operación confirmada y realizada"),
                    ("operation_failed", "Operación confirmada y rechazada"),
                    ("operation_expired", "Operación expirada sin confirmar"),
                    ("consent", "Consentimiento aceptado"),
                    ("registered", "Registro en En Línea"),
                    ("setup_completed", "Credenciales configuradas"),
                    ("password_changed", "Contraseña cambiada"),
                    ("password_recovered", "Contraseña recuperada"),
                    ("username_changed", "Usuario cambiado"),
                    ("questions_changed", "Preguntas de seguridad cambiadas"),
                    ("image_changed", "Imagen de seguridad cambiada"),
                    ("device_registered", "Dispositivo registrado"),
                    ("device_removed", "Dispositivo eliminado"),
                    ("rate_limited", "Límite de intentos alcanzado"),
                    ("complaint", "Queja o reclamo registrado"),
                    ("username_checked", "Consulta de disponibilidad de usuario"),
                    ("username_reminded", "Usuario enviado al correo registrado"),
                    ("contact_changed", "Datos de contacto cambiados"),
                    ("contact_cooling_off", "Operación rechazada por cambio de contacto reciente"),
                    ("staff_login", "Ingreso del personal"),
                    ("staff_login_failed", "Ingreso del personal fallido"),
                    ("staff_locked", "Acceso del personal bloqueado"),
                    ("staff_unlocked", "Acceso del personal desbloqueado"),
                    ("staff_otp_enrolled", "Segundo factor del personal activado"),
                    ("staff_otp_failed", "Segundo factor del personal incorrecto"),
                    ("staff_recovery_code", "Código de recuperación del personal usado"),
                    ("cash_pending", "Operación en efectivo pendiente de aprobación"),
                    ("cash_approved", "Operación en efectivo aprobada"),
                    ("cash_rejected", "Operación en efectivo rechazada"),
                    ("cash_limit_refused", "Operación en efectivo sobre el límite diario"),
                ],
                max_length=30,
                verbose_name="evento",
            ),
        ),
    ]
