"""Answer time of a hidden id against a missing one (issue 15 item 4, decision 0030).

Another agency's officer asks, alternately, for the id of a case it may not see and for an id that names nothing,
on the case page and in the API, with Django's test client against a fresh SQLite database (the read trail on, as
in production). Prints one JSON line per endpoint: medians and 90th percentiles in milliseconds, and their ratio.
Not a test: timings vary with the machine; the tests check that the two do the same statements instead.

    python bench/hidden_vs_missing.py [--requests 200] [--src path/to/src]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def setup(src: str) -> None:
    os.environ["LINTAS_ENV"] = "development"
    os.environ["LINTAS_DATA_DIR"] = tempfile.mkdtemp(prefix="lintas-bench-")
    for name in ("LINTAS_REDIS_URL", "DATABASE_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, src)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lintas.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--src", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    args = parser.parse_args()
    setup(os.path.abspath(args.src))

    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lintas.accounts import services
    from lintas.accounts.choices import Role, TokenScope
    from lintas.accounts.tests.factories import UserFactory
    from lintas.agencies.models import Agency
    from lintas.cases.tests.helpers import record

    roles = (Role.AGENCY_ADMIN, Role.INVESTIGATOR)
    owner = UserFactory(agency=Agency.objects.get(code="spf"), roles=roles, username="bench.owner")
    other = UserFactory(agency=Agency.objects.get(code="pntl"), roles=roles, username="bench.other")
    case, _ = record(owner, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "+6591234567"], title="hidden")
    missing = case.pk + 1_000_000
    page = Client()
    device, _ = TOTPDevice.objects.get_or_create(user=other, confirmed=True, defaults={"name": "bench"})
    page.force_login(other)
    session = page.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    _, secret = services.create_api_token(other, name="bench", scope=TokenScope.READ, days=1)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    endpoints = {
        "case page": lambda pk: page.get(f"/cases/{pk}/"),
        "case API": lambda pk: Client().get(f"/api/v1/cases/{pk}", **bearer),
    }
    for name, call in endpoints.items():
        times = {"hidden": [], "missing": []}
        for _ in range(20):  # warm-up: caches, compiled queries, the read trail's writer
            call(case.pk), call(missing)
        for i in range(args.requests * 2):
            which = ("hidden", "missing")[(i + i // 2) % 2]  # alternate, and alternate which goes first
            started = time.perf_counter()
            response = call(case.pk if which == "hidden" else missing)
            times[which].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 404, response.status_code
        medians = {k: statistics.median(v) for k, v in times.items()}
        p90 = {k: statistics.quantiles(v, n=10)[-1] for k, v in times.items()}
        print(
            json.dumps(
                {
                    "endpoint": name,
                    "requests": args.requests,
                    "median_ms": {k: round(v, 3) for k, v in medians.items()},
                    "p90_ms": {k: round(v, 3) for k, v in p90.items()},
                    "hidden_over_missing": round(medians["hidden"] / medians["missing"], 3),
                }
            )
        )


if __name__ == "__main__":
    main()
