"""Settings from the environment, checked in a fresh interpreter as production would start."""

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def clean_environment(**env) -> dict[str, str]:
    """This process's environment without any DJANGO_ or DATABASE_ variable, plus `env`
    (a value of None leaves that variable out)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    environment.update({key: value for key, value in env.items() if value is not None})
    return environment


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    """A fresh interpreter on the real settings module; development (DJANGO_DEBUG=1) unless
    `env` says otherwise."""
    environment = clean_environment(**{"DJANGO_DEBUG": "1", **env})
    environment["DJANGO_SETTINGS_MODULE"] = "zaitaku_portal.settings"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_is_the_default():
    result = run_django(
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    )
    assert result.stdout.strip() == "django.db.backends.sqlite3", result.stderr


def test_database_url_switches_to_postgresql_with_optional_pool():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], 'pool' in d.get('OPTIONS', {}))"
    )
    url = "postgres://postgres@127.0.0.1:5432/zaitaku"
    plain = run_django(code, DATABASE_URL=url)
    assert plain.stdout.split() == [
        "django.db.backends.postgresql",
        "zaitaku",
        "127.0.0.1",
        "False",
    ]
    pooled = run_django(code, DATABASE_URL=url, DATABASE_POOL="1")
    assert pooled.stdout.split()[-1] == "True", pooled.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("pass", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_clean_environment_refuses_to_start_in_japanese_and_english():
    """Forgetting every variable must not give a debug server with a known key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY が設定されていません" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY == 'k' * 60)"
    with_key = run_django(code, DJANGO_DEBUG=None, DJANGO_SECRET_KEY="k" * 60)
    assert with_key.stdout.split() == ["False", "True"], with_key.stderr
    for off in ("0", "", "false", "no"):
        result = run_django(code, DJANGO_DEBUG=off, DJANGO_SECRET_KEY="k" * 60)
        assert result.stdout.split() == ["False", "True"], (off, result.stderr)
    development = run_django("from django.conf import settings as s; print(s.DEBUG)")
    assert development.stdout.split() == ["True"], development.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x7Kq9" * 10,
        DJANGO_ALLOWED_HOSTS="portal.example.jp",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_and_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.STORAGES['staticfiles']['BACKEND'].startswith('whitenoise'))"
    )
    result = run_django(
        code, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60, DJANGO_ALLOWED_HOSTS="x"
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True"], result.stderr
