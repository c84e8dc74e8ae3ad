"""Finding 11: DEMO_MODE behind HTTPS (a public deployment) refuses to start.

DEMO_MODE opens /dev/buzon/, where every security code and temporary password sent
can be read. ``access.E003`` stops every manage.py command that runs the system
checks (runserver, migrate, check, check --deploy); ``enlinea/wsgi.py`` refuses the
same configuration, because WSGI servers do not run system checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from enlinea.access.checks import demo_mode_not_in_production, startup_refuse

BASE_DIR = Path(__file__).resolve().parents[3]


def test_demo_mode_with_https_is_an_error(settings) -> None:
    settings.DEMO_MODE, settings.HTTPS = True, True
    (error,) = demo_mode_not_in_production()
    assert error.id == "access.E003"
    assert error.is_serious()  # an Error, not a Warning: commands stop
    assert "DEMO_MODE=true con HTTPS=true" in error.msg
    assert "/dev/buzon/" in error.msg
    assert "nunca debe estar activo en producción" in error.msg


@pytest.mark.parametrize(("demo", "https"), [(True, False), (False, True), (False, False)])
def test_either_alone_passes(settings, demo: bool, https: bool) -> None:
    settings.DEMO_MODE, settings.HTTPS = demo, https
    assert demo_mode_not_in_production() == []
    startup_refuse()  # does not raise


def test_the_check_is_registered_and_runs_without_the_deploy_flag(settings) -> None:
    settings.DEMO_MODE, settings.HTTPS = True, True
    assert "access.E003" in {message.id for message in run_checks()}
    settings.HTTPS = False
    assert "access.E003" not in {message.id for message in run_checks()}


def test_the_wsgi_refusal_raises_with_the_same_message(settings) -> None:
    settings.DEMO_MODE, settings.HTTPS = True, True
    with pytest.raises(ImproperlyConfigured) as caught:
        startup_refuse()
    assert "Configuración inválida" in str(caught.value)
    assert "access.E003" in str(caught.value)


def _run(tmp_path: Path, code: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS", "DEMO_MODE", "REDIS_URL"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "enlinea.settings", "VAR_DIR": str(tmp_path / "var")})
    clean.update(env)
    return subprocess.run(
        [sys.executable, *code],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_check_and_the_wsgi_server_refuse_to_start(tmp_path: Path) -> None:
    check = _run(tmp_path, ["manage.py", "check"], DEMO_MODE="true", HTTPS="true")
    assert check.returncode != 0
    assert "access.E003" in check.stderr
    wsgi = _run(tmp_path, ["-c", "import enlinea.wsgi"], DEMO_MODE="true", HTTPS="true")
    assert wsgi.returncode != 0
    assert "ImproperlyConfigured" in wsgi.stderr
    assert "DEMO_MODE=true con HTTPS=true" in wsgi.stderr


def test_a_production_start_without_demo_mode_is_not_refused(tmp_path: Path) -> None:
    wsgi = _run(tmp_path, ["-c", "import enlinea.wsgi"], HTTPS="true", DEMO_MODE="false")
    assert wsgi.returncode == 0, wsgi.stderr
    check = _run(tmp_path, ["manage.py", "check"], HTTPS="true", DEMO_MODE="false")
    assert "access.E003" not in check.stdout + check.stderr
