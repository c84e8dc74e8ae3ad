"""The money limits are written in dollars in the environment and kept in cents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.MONEY_MAX_AMOUNT, s.CASH_APPROVAL_THRESHOLD, "
    "s.CASH_TELLER_DAILY_LIMIT]))"
)
NAMES = ("MONEY_MAX_AMOUNT", "CASH_APPROVAL_THRESHOLD", "CASH_TELLER_DAILY_LIMIT")


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", *NAMES}}
    clean.update({"DJANGO_SETTINGS_MODULE": "enlinea.settings", "VAR_DIR": str(tmp_path)})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_defaults_are_in_cents(tmp_path: Path) -> None:
    result = _run(tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [99_999_999_999, 10_000_00, 50_000_00]


def test_dollars_in_the_environment_become_cents(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        MONEY_MAX_AMOUNT="1000000",
        CASH_APPROVAL_THRESHOLD="5000.50",
        CASH_TELLER_DAILY_LIMIT="20000.00",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [100_000_000, 5_000_50, 20_000_00]


def test_a_malformed_amount_stops_startup(tmp_path: Path) -> None:
    for name in NAMES:
        for value in ("10.000", "1,500.00", "-5", "diez", "10000.5"):
            result = _run(tmp_path, **{name: value})
            assert result.returncode != 0, (name, value)
            assert "Configuración inválida" in result.stderr
            assert f'Environment variable "{name}" invalid' in result.stderr
