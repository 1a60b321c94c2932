"""``lintas generate``: realistic synthetic cases as NDJSON, with the ground truth of the hits they should make."""

import json
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lintas.cases.generator import MEMBERS, generate


class Command(BaseCommand):
    help = (
        "Write realistic synthetic cases as NDJSON (for `lintas import cases` or POST /api/v1/cases/bulk) and, "
        "optionally, the ground truth: shared and hot values and the expected number of cross-agency hits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases (rows).")
        parser.add_argument(
            "--agencies", default="all", help="all, or agency codes separated by commas (knpa,cnp,...)."
        )
        parser.add_argument("--overlap", type=float, default=0.05, help="Share of identifiers held by 2+ agencies.")
        parser.add_argument("--hot", type=int, default=20, help="Values placed in more cases than the hot cap.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-narratives", dest="narratives", action="store_false", help="Leave narratives out.")
        parser.add_argument("--out", default="-", help="NDJSON file (default: standard output).")
        parser.add_argument("--truth", help="Write the ground truth here (JSON).")

    def handle(self, *args, **options):
        codes = list(MEMBERS) if options["agencies"] == "all" else options["agencies"].lower().split(",")
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1")
        out = sys.stdout if options["out"] == "-" else open(options["out"], "w", encoding="utf-8")  # noqa: SIM115
        start = time.perf_counter()
        try:
            truth = generate(
                out,
                cases=options["cases"],
                agencies=[c.strip() for c in codes if c.strip()],
                overlap=options["overlap"],
                hot=options["hot"],
                seed=options["seed"],
                hot_cap=settings.MATCHING_HOT_CASE_CAP,
                narratives=options["narratives"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if out is not sys.stdout:
                out.close()
        if options["truth"]:
            with open(options["truth"], "w", encoding="utf-8") as handle:
                json.dump(truth, handle, ensure_ascii=False, indent=1)
        self.stderr.write(
            f"{truth['cases']} cases, {truth['identifiers']} identifiers, {len(truth['shared'])} shared and "
            f"{len(truth['hot'])} hot values, {truth['expected_hits']} expected hits "
            f"({time.perf_counter() - start:.1f} s)"
        )
