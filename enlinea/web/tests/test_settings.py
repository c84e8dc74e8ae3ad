"""Settings are parsed strictly: each case starts a fresh Python with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]

PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'key': s.SECRET_KEY, "
    "'secure': s.SESSION_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS, 'tz': s.TIME_ZONE, "
    "'lang': s.LANGUAGE_CODE, 'name': s.INSTITUTION['name'], 'debug': s.DEBUG, "
    "'huey': s.HUEY['huey_class'], 'hasher': s.PASSWORD_HASHERS[0]}))"
)


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS", "REDIS_URL"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "enlinea.settings", "VAR_DIR": str(tmp_path / "var")})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    import json

    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_guayaquil_spanish_and_safe(tmp_path: Path) -> None:
    values = _json(_run(tmp_path))
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["tz"] == "America/Guayaquil"
    assert values["lang"] == "es-ec"
    assert values["name"] == "Cooprogreso"
    assert values["debug"] is False
    assert values["secure"] is False
    assert values["huey"] == "huey.SqliteHuey"
    # The suite hashes at the lowest Argon2 cost (tests/support/hashers.py); the product
    # hashes with Django's Argon2 at its full cost.
    assert values["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_secret_key_is_generated_once_into_var(tmp_path: Path) -> None:
    first = _json(_run(tmp_path))["key"]
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert _json(_run(tmp_path))["key"] == first


def test_database_url_switches_to_postgresql(tmp_path: Path) -> None:
    values = _json(_run(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/banca"))
    assert values["engine"] == "django.db.backends.postgresql"


def test_https_turns_on_secure_cookies_and_hsts(tmp_path: Path) -> None:
    values = _json(_run(tmp_path, HTTPS="true", REDIS_URL="redis://127.0.0.1:6379/0"))
    assert values["secure"] is True
    assert values["hsts"] == 31536000
    assert values["huey"] == "huey.RedisHuey"


def test_institution_branding_comes_from_the_environment(tmp_path: Path) -> None:
    assert _json(_run(tmp_path, INSTITUTION_NAME="Coop Andina"))["name"] == "Coop Andina"


def test_bad_values_stop_startup_with_a_clear_message(tmp_path: Path) -> None:
    cases = {
        "DEBUG": ("quizas", 'Environment variable "DEBUG" invalid'),
        "EMAIL_PORT": ("99999", 'Environment variable "EMAIL_PORT" invalid'),
        "INSTITUTION_COLOR_PRIMARY": (
            "verde",
            'Environment variable "INSTITUTION_COLOR_PRIMARY" invalid',
        ),
        "DATABASE_URL": ("mysql://x/y", "DATABASE_URL debe empezar por postgres://"),
    }
    for name, (value, message) in cases.items():
        result = _run(tmp_path, **{name: value})
        assert result.returncode != 0, name
        assert "Configuración inválida" in result.stderr, name
        assert message in result.stderr, name
