"""``lintas serve``, which ``make run`` uses, serves with DEBUG off and refuses to start without collected static
files (issue 15, item 11)."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.management import call_command

from lintas.core.management.commands import serve


def test_serve_environment_forces_debug_off():
    assert serve.serving_environment({"LINTAS_DEBUG": "1", "LINTAS_DEMO": "1"}) == {
        "LINTAS_DEBUG": "0",
        "LINTAS_DEMO": "1",
        "DJANGO_SETTINGS_MODULE": "lintas.settings",
    }


def test_settings_in_the_serve_environment_have_debug_off(tmp_path):
    """The development profile of `make run` (LINTAS_DEMO=1, no LINTAS_ENV) read in the environment serve gives."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LINTAS_", "DATABASE_URL", "DJANGO_"))}
    base.update({"LINTAS_DEMO": "1", "LINTAS_DEBUG": "1", "LINTAS_DATA_DIR": str(tmp_path)})
    code = "from django.conf import settings as s; print(s.DEBUG, s.LINTAS_ENV, '127.0.0.1' in s.ALLOWED_HOSTS)"
    for env, expected in [(base, "True development True"), (serve.serving_environment(base), "False development True")]:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**env, "DJANGO_SETTINGS_MODULE": "lintas.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.strip() == expected, result.stderr


def test_serve_starts_web_and_jobs_with_debug_off():
    started = []

    def popen(args, env):
        started.append(env)
        return mock.Mock(poll=mock.Mock(return_value=0), returncode=0)

    with mock.patch.dict(os.environ, {"LINTAS_DEBUG": "1"}), mock.patch.object(serve.subprocess, "Popen", popen):
        call_command("serve", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert len(started) == 2 and all(env["LINTAS_DEBUG"] == "0" for env in started)


def test_serve_refuses_to_start_without_collected_static_files(tmp_path):
    from django.core.management.base import CommandError
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    storage = CompressedManifestStaticFilesStorage(location=tmp_path)
    with (
        mock.patch("django.contrib.staticfiles.storage.staticfiles_storage", storage),
        pytest.raises(CommandError, match="collectstatic"),
    ):
        call_command("serve")
