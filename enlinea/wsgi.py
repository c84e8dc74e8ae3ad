"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enlinea.settings")
application = get_wsgi_application()

# System checks run with manage.py, not under a WSGI server: refuse here what must
# never serve the public (DEMO_MODE behind HTTPS; enlinea/access/checks.py).
from enlinea.access.checks import startup_refuse  # noqa: E402  (needs the app registry)

startup_refuse()
