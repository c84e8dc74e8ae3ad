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
from django.core.checks import WARNING, run_checks
from django.core.exceptions import ImproperlyConfigured

from enlinea.access.checks import (
    demo_mode_not_in_production,
    https_names_its_proxies,
    startup_refuse,
)

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


# HTTPS=true implies a reverse proxy: without TRUSTED_PROXIES every client would share
# the proxy's address (rate limits shared by all members, audit rows with the proxy's IP).


def test_https_without_trusted_proxies_is_a_warning(settings) -> None:
    settings.HTTPS, settings.TRUSTED_PROXIES = True, []
    (warning,) = https_names_its_proxies()
    assert warning.id == "access.W001"
    assert warning.level == WARNING  # a Warning, not an Error: the app still starts
    assert not warning.is_serious()
    assert "HTTPS=true sin TRUSTED_PROXIES" in warning.msg
    assert "TRUSTED_PROXIES=" in warning.hint
    assert "access.W001" in {message.id for message in run_checks()}


@pytest.mark.parametrize(
    ("https", "proxies"), [(True, ["10.0.0.5"]), (False, []), (False, ["10.0.0.0/8"])]
)
def test_trusted_proxies_or_plain_http_need_no_warning(settings, https, proxies) -> None:
    settings.HTTPS, settings.TRUSTED_PROXIES = https, proxies
    assert https_names_its_proxies() == []
    assert "access.W001" not in {message.id for message in run_checks()}


def test_the_warning_shows_at_start_but_does_not_stop_it(tmp_path: Path) -> None:
    check = _run(tmp_path, ["manage.py", "check"], HTTPS="true", DEMO_MODE="false")
    assert check.returncode == 0, check.stderr
    assert "access.W001" in check.stdout + check.stderr
    named = _run(
        tmp_path,
        ["manage.py", "check"],
        HTTPS="true",
        DEMO_MODE="false",
        TRUSTED_PROXIES="10.0.0.5",
    )
    assert named.returncode == 0, named.stderr
    assert "access.W001" not in named.stdout + named.stderr
    wsgi = _run(tmp_path, ["-c", "import enlinea.wsgi"], HTTPS="true", DEMO_MODE="false")
    assert wsgi.returncode == 0, wsgi.stderr
