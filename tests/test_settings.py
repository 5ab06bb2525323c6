"""Settings come from the environment; production is safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
    "SECRET_KEY": "x7#kq!" + "v9Lp2mZr8TnW4cYb6HdJ3fGs5aQeUx1oKiPl0NwRtBvCyMzDh",
    "ALLOWED_HOSTS": "helpdesk.example.com",
    "DATABASE_URL": "sqlite:////tmp/helpdesk-check.sqlite3",
}


def manage(*args, env):
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def _printed_by_settings(code: str, env: dict, *, unset: set[str]) -> subprocess.CompletedProcess:
    """What `code` prints after django.setup() in a fresh process with `env`, the variables in
    `unset` removed from this process's environment."""
    clean = {k: v for k, v in os.environ.items() if k not in unset | {"DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_development_default_runs_on_sqlite_and_the_embedded_broker():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.TIME_ZONE, s.USE_TZ,"
        " [c for c, _ in s.LANGUAGES])"
    )
    result = _printed_by_settings(
        code,
        {"DJANGO_SETTINGS_MODULE": "helpdesk.settings.dev"},
        unset={"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 5)[:5] == [
        "True",
        "django.db.backends.sqlite3",
        "filesystem://",
        "UTC",
        "True",
    ]
    assert "['en', 'ko']" in result.stdout


@pytest.mark.parametrize(("switch", "threshold"), [(None, "5"), ("false", "None")])
def test_prepared_statements_on_postgresql_are_on_unless_switched_off(switch, threshold):
    """Behind a pooler that cannot keep prepared statements, DATABASE_PREPARED_STATEMENTS=false
    sends every statement unprepared (Django's own default)."""
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.dev",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused",
        **({"DATABASE_PREPARED_STATEMENTS": switch} if switch else {}),
    }
    result = _printed_by_settings(code, env, unset={"DATABASE_PREPARED_STATEMENTS"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == threshold
