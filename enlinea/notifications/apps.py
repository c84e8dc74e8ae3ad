from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The outbox: e-mail and SMS to members, stored first and delivered by the worker."""

    name = "enlinea.notifications"
    verbose_name = "Notificaciones"
