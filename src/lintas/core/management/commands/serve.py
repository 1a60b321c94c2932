"""``lintas serve``: gunicorn and the huey worker together; one Ctrl-C stops both. Always with ``DEBUG`` off.

gunicorn runs uvicorn workers on ``lintas.asgi``: the live event stream holds no thread per open connection
(decision 0045).
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def serving_environment(environ) -> dict[str, str]:
    """The environment of the processes ``lintas serve`` starts: ``environ`` with ``DEBUG`` off whatever it says.

    A served Lintas (``make run``'s demo included) shows the friendly error pages, never Django's debug pages with
    their URL list, settings and tracebacks; ``lintas runserver`` remains the debugging server.
    """
    return {**environ, "DJANGO_SETTINGS_MODULE": "lintas.settings", "LINTAS_DEBUG": "0"}


def gunicorn_command(bind: str, workers: int) -> list[str]:
    """gunicorn serving ``lintas.asgi`` with uvicorn workers: pages through Django's ASGI handler, the live stream
    as a coroutine per connection. Open streams end at the graceful timeout; browsers reconnect to the new workers."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "lintas.asgi:application",
        "--worker-class",
        "uvicorn_worker.UvicornWorker",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        "--timeout",
        "120",
    ]


class Command(BaseCommand):
    help = "Serve Lintas with gunicorn and run the job worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("LINTAS_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--no-jobs", action="store_true", help="Do not start the job worker (run it elsewhere).")

    def handle(self, *args, **options):
        host = options["bind"].rpartition(":")[0].strip("[]")
        if not settings.PRODUCTION and host not in {"127.0.0.1", "localhost", "::1"}:
            raise CommandError(
                "Development settings (a published secret key, no HTTPS) serve this machine only. "
                "Set LINTAS_ENV=production with its secrets to serve other machines."
            )
        self._check_static_files()
        env = serving_environment(os.environ)
        web = gunicorn_command(options["bind"], options["workers"])
        processes = {"web": subprocess.Popen(web, env=env)}
        if not options["no_jobs"]:
            processes["jobs"] = subprocess.Popen([sys.executable, "-m", "lintas", "run_huey"], env=env)
        host, _, port = options["bind"].rpartition(":")
        self.stdout.write(self.style.SUCCESS(f"\nLintas is serving on http://{host}:{port}/  (Ctrl-C stops it)"))
        if settings.DEMO_MODE:
            from lintas.accounts.demo import DEMO_PASSWORD

            self.stdout.write(
                f"Demo logins (password for all: {DEMO_PASSWORD}): spf.investigator, spf.supervisor, pntl.liaison, "
                "knpa.investigator, aseanapol.admin ... — every member has <code>.investigator, "
                "<code>.liaison and <code>.supervisor (agency admin)."
            )

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes.values()):
                time.sleep(0.3)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [name for name, p in processes.items() if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            self.stderr.write(f"stopped because {', '.join(failed)} exited")
            sys.exit(1)

    def _check_static_files(self):
        """With DEBUG off, pages name their static files through the manifest ``collectstatic`` writes: without it
        every page would answer 500. Say so before serving."""
        from django.contrib.staticfiles.storage import staticfiles_storage

        if not hasattr(staticfiles_storage, "manifest_name"):
            return
        if not staticfiles_storage.exists(staticfiles_storage.manifest_name):
            raise CommandError(
                f"No static files in {settings.STATIC_ROOT}: run `lintas collectstatic --noinput` first "
                "(make run does)."
            )
