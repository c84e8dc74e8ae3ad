from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Socios: the cooperative's members and their identification."""

    name = "enlinea.members"
    verbose_name = "Socios"
