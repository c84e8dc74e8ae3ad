from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from enlinea.access.catalog import ConsentDocument, Question, SecurityImage
from enlinea.security.audit_kinds import audit_kind_register


class LoginRecord(models.Model):
    """One successful login: when, from which browser and address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_records"
    )
    created_at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    browser = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "ingreso"
        verbose_name_plural = "ingresos"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def device_label(self) -> str:
        """As the manual's header shows it: ``Microsoft Edge - WEB - 179.60.191.12``."""
        return f"{self.browser or 'Navegador desconocido'} - WEB - {self.ip or 'IP desconocida'}"


class AuditKind(models.TextChoices):
    """The access app's audit kinds (the shared ones, codes, operations and rate limits,
    are ``enlinea.security.models.SecurityEvent``)."""

    LOGIN = "login", "Ingreso"
    LOGIN_FAILED = "login_failed", "Ingreso fallido"
    RECOVERY_FAILED = "recovery_failed", "Recuperación fallida (respuestas incorrectas)"
    LOCKED = "locked", "Acceso bloqueado por intentos fallidos"
    SELF_BLOCKED = "self_blocked", "Acceso bloqueado por el socio"
    UNLOCKED = "unlocked", "Acceso desbloqueado"
    LOGOUT = "logout", "Salida"
    SESSION_EXPIRED = "session_expired", "Sesión expirada por inactividad"
    CONSENT = "consent", "Consentimiento aceptado"
    REGISTERED = "registered", "Registro en En Línea"
    SETUP_COMPLETED = "setup_completed", "Credenciales configuradas"
    PASSWORD_CHANGED = "password_changed", "Contraseña cambiada"
    PASSWORD_RECOVERED = "password_recovered", "Contraseña recuperada"
    USERNAME_CHANGED = "username_changed", "Usuario cambiado"
    QUESTIONS_CHANGED = "questions_changed", "Preguntas de seguridad cambiadas"
    IMAGE_CHANGED = "image_changed", "Imagen de seguridad cambiada"
    DEVICE_REGISTERED = "device_registered", "Dispositivo registrado"
    DEVICE_REMOVED = "device_removed", "Dispositivo eliminado"
    COMPLAINT = "complaint", "Queja o reclamo registrado"
    USERNAME_CHECKED = "username_checked", "Consulta de disponibilidad de usuario"
    USERNAME_REMINDED = "username_reminded", "Usuario enviado al correo registrado"
    CONTACT_CHANGED = "contact_changed", "Datos de contacto cambiados"
    CONTACT_COOLING_OFF = (
        "contact_cooling_off",
        "Operación rechazada por cambio de contacto reciente",
    )
    STAFF_LOGIN = "staff_login", "Ingreso del personal"
    STAFF_LOGIN_FAILED = "staff_login_failed", "Ingreso del personal fallido"
    STAFF_LOCKED = "staff_locked", "Acceso del personal bloqueado"
    STAFF_UNLOCKED = "staff_unlocked", "Acceso del personal desbloqueado"
    STAFF_OTP_ENROLLED = "staff_otp_enrolled", "Segundo factor del personal activado"
    STAFF_OTP_FAILED = "staff_otp_failed", "Segundo factor del personal incorrecto"
    STAFF_RECOVERY_CODE_USED = "staff_recovery_code", "Código de recuperación del personal usado"
    CASH_PENDING = "cash_pending", "Operación en efectivo pendiente de aprobación"
    CASH_APPROVED = "cash_approved", "Operación en efectivo aprobada"
    CASH_REJECTED = "cash_rejected", "Operación en efectivo rechazada"
    CASH_LIMIT_REFUSED = "cash_limit_refused", "Operación en efectivo sobre el límite diario"


for _value, _label in AuditKind.choices:
    audit_kind_register(_value, _label)


class OnlineProfile(models.Model):
    """A member's online-banking credentials beyond Django's user: image, lock, setup."""

    class LockReason(models.TextChoices):
        FAILURES = "failures", "Intentos fallidos"
        SELF = "self", "Bloqueado por el socio"
        STAFF = "staff", "Bloqueado por la cooperativa"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="online_profile"
    )
    security_image = models.CharField(
        "imagen de seguridad", max_length=20, choices=SecurityImage.choices, blank=True
    )
    temporary = models.BooleanField("credenciales temporales", default=True)
    temporary_expires_at = models.DateTimeField("temporales vencen", null=True, blank=True)
    setup_completed_at = models.DateTimeField("configurado", null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField("intentos fallidos seguidos", default=0)
    locked_at = models.DateTimeField("bloqueado", null=True, blank=True)
    lock_reason = models.CharField(
        "motivo del bloqueo", max_length=10, choices=LockReason.choices, blank=True
    )
    password_changed_at = models.DateTimeField("contraseña cambiada", null=True, blank=True)

    class Meta:
        verbose_name = "perfil de En Línea"
        verbose_name_plural = "perfiles de En Línea"

    def __str__(self) -> str:
        return f"Perfil de {self.user}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class SecurityAnswer(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_answers"
    )
    question = models.CharField("pregunta", max_length=20, choices=Question.choices)
    answer_hash = models.CharField("respuesta (hash)", max_length=200)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "respuesta de seguridad"
        verbose_name_plural = "respuestas de seguridad"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="access_answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_question_display()}"


class Device(models.Model):
    """A browser the member chose to register ("Si, guardar"); a cookie carries its token."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    alias = models.CharField("alias", max_length=40)
    user_agent = models.TextField(blank=True)
    brand = models.CharField("marca", max_length=60, blank=True)
    model = models.CharField("modelo", max_length=60, blank=True)
    os = models.CharField("sistema operativo", max_length=60, blank=True)
    os_version = models.CharField("versión del sistema operativo", max_length=30, blank=True)
    browser = models.CharField("navegador", max_length=80, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    created_at = models.DateTimeField("registrado", default=timezone.now)
    last_active_at = models.DateTimeField("fecha activo", default=timezone.now)
    removed_at = models.DateTimeField("eliminado", null=True, blank=True)
    removal_reason = models.CharField("motivo", max_length=200, blank=True)

    class Meta:
        verbose_name = "dispositivo"
        verbose_name_plural = "dispositivos"
        ordering = ["-last_active_at", "-id"]
        indexes = [models.Index(fields=["user", "removed_at"])]

    def __str__(self) -> str:
        return f"{self.alias} ({self.user})"


class Consent(models.Model):
    """A consent the member accepted, with the document's version (Regístrate, pasos 3 y 4)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="consents")
    document = models.CharField("documento", max_length=10, choices=ConsentDocument.choices)
    version = models.CharField("versión", max_length=20)
    accepted_at = models.DateTimeField("aceptado", default=timezone.now)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.TextField(blank=True)

    class Meta:
        verbose_name = "consentimiento"
        verbose_name_plural = "consentimientos"
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_document_display()} v{self.version}"


class RecoveryAttempt(models.Model):
    """One "¿Olvidaste tu contraseña?" attempt, from cédula + usuario to the new password.

    Its wrong sets of answers are counted here, under a row lock, and not in the
    session: parallel requests sharing one session would each read the same count and
    lose the others' updates. The session keeps only the random token; the row keeps
    its SHA-256. Once ``ended_at`` is set no answers are checked any more. The new
    password is set only once ``code_verified_at`` is (its code was right).
    """

    token_hash = models.CharField(max_length=64, unique=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="recovery_attempts"
    )
    wrong_sets = models.PositiveSmallIntegerField("respuestas incorrectas", default=0)
    created_at = models.DateTimeField("iniciado", default=timezone.now)
    # Its security code was right (the confirmation flow's "recovery" operation): only
    # then may it set the new password.
    code_verified_at = models.DateTimeField("código validado", null=True, blank=True)
    ended_at = models.DateTimeField("terminado", null=True, blank=True)

    class Meta:
        verbose_name = "intento de recuperación"
        verbose_name_plural = "intentos de recuperación"
        indexes = [models.Index(fields=["member", "-created_at"])]

    def __str__(self) -> str:
        return f"Recuperación de {self.member_id} · {self.created_at:%Y-%m-%d %H:%M}"
