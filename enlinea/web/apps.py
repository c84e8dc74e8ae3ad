from django.apps import AppConfig


class WebConfig(AppConfig):
    """The member's shell: login page, layout, menu, design system, health check."""

    name = "enlinea.web"
    verbose_name = "Sitio web"
