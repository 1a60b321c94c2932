"""``lintas rematch VALUE [VALUE ...]``: match the identifiers carrying these values again, now.

What the job does after a value leaves the benign list, by hand: when the job could not be queued, or after raising
the hot-value cap. Pairs already stored are kept; new ones become hits, audited and notified like any other.
"""

from django.core.management.base import BaseCommand, CommandError

from lintas import identifiers
from lintas.matching.tasks import rematch_tokens
from lintas.matching.tokens import community_key, tokens_for


class Command(BaseCommand):
    help = "Match the stored identifiers carrying these values again (after a benign value was removed)."

    def add_arguments(self, parser):
        parser.add_argument("values", nargs="+", help="identifiers as an officer would type them")
        parser.add_argument("--type", help="their type, when detection could mistake them")
        parser.add_argument("--country", help="default country (ISO alpha-2) for local numbers and accounts")

    def handle(self, *args, **options):
        key, tokens = community_key(), set()
        for value in options["values"]:
            result = identifiers.normalize(value, options["type"] or None, options["country"] or None)
            if not result.valid:
                raise CommandError(f"{value}: {'; '.join(result.errors) or 'not a recognised identifier'}")
            tokens.update(t for t in tokens_for(key, result) if t)
        hits = rematch_tokens.call_local(sorted(tokens), "lintas rematch")
        self.stdout.write(f"{hits} new hit(s)")
