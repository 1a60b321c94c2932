"""Production settings refuse to start without their secrets and pass ``check --deploy`` without warnings."""

import os
import subprocess
import sys

import pytest

LINTAS = [sys.executable, "-m", "lintas"]
GOOD_KEY = "k" * 20 + "Q9#x" * 10 + "zzzz-unique-enough"
COMMUNITY = "ab" * 32


def _run(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINTAS_", "DATABASE_URL", "DJANGO_"))}
    env.update({"LINTAS_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run([*LINTAS, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LINTAS_ALLOWED_HOSTS": "lintas.example.org"}, "LINTAS_SECRET_KEY"),
        ({"LINTAS_SECRET_KEY": "too-short", "LINTAS_ALLOWED_HOSTS": "lintas.example.org"}, "LINTAS_SECRET_KEY"),
        ({"LINTAS_SECRET_KEY": GOOD_KEY}, "LINTAS_ALLOWED_HOSTS"),
        ({"LINTAS_SECRET_KEY": GOOD_KEY, "LINTAS_ALLOWED_HOSTS": "x.org", "LINTAS_DEMO": "1"}, "LINTAS_DEMO"),
        ({"LINTAS_SECRET_KEY": GOOD_KEY, "LINTAS_ALLOWED_HOSTS": "x.org"}, "LINTAS_COMMUNITY_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, message, tmp_path):
    result = _run(["check"], {"LINTAS_ENV": "production", **env}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_passes_check_deploy_with_no_warning(tmp_path):
    env = {
        "LINTAS_ENV": "production",
        "LINTAS_SECRET_KEY": GOOD_KEY,
        "LINTAS_ALLOWED_HOSTS": "lintas.example.org",
        "LINTAS_COMMUNITY_KEY": COMMUNITY,
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_is_a_clear_error(tmp_path):
    result = _run(["check"], {"LINTAS_DEMO": "perhaps"}, tmp_path)
    assert result.returncode != 0 and "LINTAS_DEMO must be a boolean" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LINTAS_AUDIT_READ_FLUSH_MS", "5000", "LINTAS_AUDIT_READ_FLUSH_MS must be 0 to 1000 milliseconds, not 5000"),
        ("LINTAS_API_TOKEN_CACHE_SECONDS", "-1", "LINTAS_API_TOKEN_CACHE_SECONDS must be 0 to 60 seconds, not -1"),
        ("LINTAS_API_TOKEN_CACHE_SECONDS", "two", "LINTAS_API_TOKEN_CACHE_SECONDS must be a whole number, not 'two'"),
    ],
)
def test_a_number_out_of_its_range_is_a_clear_error(name, value, message, tmp_path):
    result = _run(["check"], {name: value}, tmp_path)
    assert result.returncode != 0 and message in result.stderr


def test_demo_command_is_refused_in_production(tmp_path):
    env = {
        "LINTAS_ENV": "production",
        "LINTAS_SECRET_KEY": GOOD_KEY,
        "LINTAS_ALLOWED_HOSTS": "x.org",
        "LINTAS_COMMUNITY_KEY": COMMUNITY,
    }
    result = _run(["demo"], env, tmp_path)
    assert result.returncode != 0 and "never" in result.stderr


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [("", "0 -c plan_cache_mode=force_generic_plan"), ("0", "None "), ("1", "0 -c plan_cache_mode=force_generic_plan")],
)
def test_postgresql_statements_are_prepared_unless_turned_off(prepare, expected, tmp_path):
    """On PostgreSQL the per-request statements are prepared with generic plans; LINTAS_DB_PREPARE=0 turns both off
    (for a pooler without prepared statements), keeping any options the database URL gave."""
    script = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o['prepare_threshold'], o.get('options', ''))"
    )
    env = {"DATABASE_URL": "postgres://u@db.example:5432/x", "LINTAS_DB_PREPARE": prepare}
    result = _run(["shell", "--no-imports", "-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected.strip()
